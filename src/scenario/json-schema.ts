import { z } from 'zod';
import { ScenarioSchema } from './schema.js';
import { AcceleratorScenarioSchema } from './accelerator-schema.js';
import { ServerlessScenarioSchema } from './serverless-schema.js';

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
 * JSON Schema (draft 2020-12) of the scenario format as people write it, for editors: a pipeline
 * scenario, or a serverless one (a file with a `serverless` key).
 */
export function scenarioJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'pipesim scenario',
    description: 'A pipesim simulation scenario: a pipeline, serverless functions for applications, or services sharing an accelerator (see docs/SCENARIO.md).',
    anyOf: [part(ScenarioSchema, 'pipeline scenario'), part(ServerlessScenarioSchema, 'serverless scenario'), part(AcceleratorScenarioSchema, 'accelerator scenario')],
  };
}

/** A Markdown reference of every key, its type, default and meaning, generated from the schema. */
export function scenarioReference(): string {
  const [pipeline, serverless, accelerator] = scenarioJsonSchema().anyOf as JsonSchema[];
  return [
    '# Scenario reference',
    '',
    'Generated from the schemas in `src/scenario/` by `npm run schema`; do not edit by hand.',
    'Durations accept a number of seconds or a string with a unit (`us`, `ms`, `s`, `m`, `h`, `d`). Unknown keys are errors.',
    'A file with a `serverless` key is a serverless scenario, one with an `accelerator` key an accelerator scenario; any other is a pipeline scenario.',
    '',
    '## Pipeline scenarios',
    '',
    ...referenceTable(pipeline),
    '',
    '## Serverless scenarios',
    '',
    ...referenceTable(serverless),
    '',
    '## Accelerator scenarios',
    '',
    ...referenceTable(accelerator),
    '',
  ].join('\n');
}

function referenceTable(root: JsonSchema): string[] {
  const rows: string[] = [];
  const walk = (node: JsonSchema, path: string, required: boolean) => {
    const variants = node.anyOf ?? node.oneOf;
    const objectVariants = variants?.filter((v) => v.properties !== undefined);
    if (node.properties === undefined && objectVariants && objectVariants.length > 0) {
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
