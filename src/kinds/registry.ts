import type { AnyKind, ScenarioKind } from '../scenario/kind.js';
import { acceleratorKind } from './accelerator/kind.js';
import { pipelineKind } from './pipeline/kind.js';
import { serverlessKind } from './serverless/kind.js';

/**
 * Every kind of scenario, one line each; a scenario file is of the kind whose key it has at the
 * top level (the first kind, pipeline, when it has none: its errors then say what is missing).
 */
export const SCENARIO_KINDS = [pipelineKind, serverlessKind, acceleratorKind] as const;

/** A loaded scenario of any kind, tagged with its kind's key (plain data: it crosses to worker threads). */
export type AnyScenario = (typeof SCENARIO_KINDS)[number] extends infer K ? (K extends ScenarioKind<infer Key, infer S> ? { kind: Key; scenario: S } : never) : never;

export function kindByKey(key: string): AnyKind {
  const kind = SCENARIO_KINDS.find((k) => k.key === key);
  if (kind === undefined) throw new Error(`no scenario kind "${key}"`);
  return kind as AnyKind;
}

/** The kind of plain scenario data, by its top-level key. */
export function kindOfData(data: Record<string, unknown>): AnyKind {
  return (SCENARIO_KINDS.find((k) => k !== SCENARIO_KINDS[0] && k.key in data) ?? SCENARIO_KINDS[0]) as AnyKind;
}
