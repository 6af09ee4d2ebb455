import { z } from 'zod';
import { SCENARIO_KINDS } from './registry.js';

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  description?: string;
  pattern?: string;
  [key: string]: unknown;
};

const part = (schema: z.ZodType, title: string): JsonSchema => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  return { ...rest, title };
};

/**
 * JSON Schema (draft 2020-12) of the scenario format as people write it, for editors: one
 * alternative per scenario kind, with the built-in plug-ins.
 */
export function scenarioJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'pipesim scenario',
    description: `A pipesim simulation scenario: ${SCENARIO_KINDS.map((k) => `a ${k.key} scenario (${k.description})`).join('; ')} (see docs/SCENARIO.md).`,
    anyOf: SCENARIO_KINDS.map((k) => part(k.schema([]), k.title)),
  };
}

/** A Markdown reference of every key, its type, default and meaning, generated from the schemas. */
export function scenarioReference(): string {
  const parts = scenarioJsonSchema().anyOf as JsonSchema[];
  const [first, ...others] = SCENARIO_KINDS;
  return [
    '# Scenario reference',
    '',
    'Generated from the schemas of the scenario kinds (`src/kinds/*/schema.ts`) by `npm run schema`; do not edit by hand.',
    'Durations accept a number of seconds or a string with a unit (`us`, `ms`, `s`, `m`, `h`, `d`). Unknown keys are errors.',
    `${others.map((k, i) => `${i === 0 ? 'A file with' : 'one with'} ${article(k.key)} \`${k.key}\` key ${i === 0 ? 'is ' : ''}${article(k.title)} ${k.title}`).join(', ')}; any other is ${article(first.title)} ${first.title}.`,
    '',
    ...SCENARIO_KINDS.flatMap((k, i) => [`## ${k.title[0].toUpperCase()}${k.title.slice(1)}s`, '', k.description[0].toUpperCase() + k.description.slice(1) + '.', '', ...referenceTable(parts[i]), '']),
  ].join('\n');
}

const article = (word: string) => (/^[aeiou]/i.test(word) ? 'an' : 'a');

function referenceTable(root: JsonSchema): string[] {
  const rows: string[] = [];
  const walk = (node: JsonSchema, path: string, required: boolean) => {
    const variants = node.anyOf ?? node.oneOf;
    const objectVariants = variants?.filter((v) => v.properties !== undefined);
    if (node.properties === undefined && objectVariants && objectVariants.length > 0) {
      // Plain alternatives beside the objects (a kind by name, or a module): one row for them.
      const plain = variants?.filter((v) => v.properties === undefined) ?? [];
      if (plain.length > 0) {
        const def = node.default === undefined ? '' : `\`${JSON.stringify(node.default)}\``;
        rows.push(`| \`${path}\` | ${[...new Set(plain.map(typeOf))].join(' \\| ')} | ${def} | ${node.description ?? ''} |`);
      }
      for (const v of objectVariants) {
        const kind = v.properties?.kind?.const;
        rows.push(`| \`${path}\` | ${kind !== undefined ? `kind \`${String(kind)}\`` : 'object'} | | ${v.description ?? ''} |`);
        walk({ ...v, description: undefined }, path, required);
      }
      return;
    }
    if (path !== '' && (node.properties === undefined || node.description !== undefined)) {
      const def = node.default === undefined ? (required ? '**required**' : '') : `\`${JSON.stringify(node.default)}\``;
      rows.push(`| \`${path}\` | ${typeOf(node)} | ${def} | ${node.description ?? ''} |`);
    }
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      if (key === 'kind' && child.const !== undefined) continue;
      walk(child, path === '' ? key : `${path}.${key}`, node.required?.includes(key) ?? false);
    }
    if (node.type === 'array' && node.items) walk(node.items, `${path}[]`, false);
  };
  walk(root, '', false);
  return ['| key | type | default | meaning |', '| --- | --- | --- | --- |', ...rows];
}

function typeOf(node: JsonSchema): string {
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  const variants = node.anyOf ?? node.oneOf;
  if (variants) {
    if (variants.some((v) => v.pattern !== undefined)) return 'duration';
    return [...new Set(variants.map(typeOf))].join(' \\| ');
  }
  if (node.type === 'array') return `list of ${node.items ? typeOf(node.items) : 'any'}`;
  return Array.isArray(node.type) ? node.type.join(' \\| ') : (node.type ?? 'any');
}
