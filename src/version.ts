import { createRequire } from 'node:module';

/** pipesim's version, from package.json (two folders up from both src/ and dist/ files). */
export const PIPESIM_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
