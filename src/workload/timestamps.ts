import { InputError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { readTextFile } from '../io/read.js';

/** The largest priority class: a request keeps its class as a 32-bit integer (RequestTable). */
export const MAX_PRIORITY = 2 ** 31 - 1;

/**
 * A trace of individual requests: arrival time in seconds, and optionally
 * the tenant (application) each belongs to and its own latency SLO.
 *
 * CSV layout: a header naming the columns, `time` required; `tenant`
 * (also accepted: `app`, `application`), `slo` (seconds) and `priority` (an integer class,
 * 0 first) optional.
 * Rows must be in non-decreasing time order.
 */
export interface TimestampTrace {
  times: Float64Array;
  /** Tenant index per request (into `tenantNames`); all 0 when the file has no tenant column. */
  tenants: Uint16Array;
  tenantNames: string[];
  /** Per-request SLO in seconds, or undefined when the file has no slo column (NaN in a row = none). */
  slos?: Float64Array;
  /** Per-request priority class, or undefined when the file has no priority column (NaN in a row = none). */
  priorities?: Float64Array;
}

const TENANT_COLUMNS = ['tenant', 'app', 'application'];

export function parseTimestampTrace(text: string, source = 'trace'): TimestampTrace {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim().toLowerCase());
  const timeCol = header.indexOf('time');
  if (timeCol < 0) throw new InputError(`${source}: line 1: expected a header with a "time" column, got "${lines[0]}"`);
  const tenantCol = header.findIndex((h) => TENANT_COLUMNS.includes(h));
  const sloCol = header.indexOf('slo');
  const priorityCol = header.indexOf('priority');

  const times: number[] = [];
  const tenants: number[] = [];
  const slos: number[] = [];
  const priorities: number[] = [];
  const tenantIndex = new Map<string, number>();
  const tenantNames: string[] = [];
  let previous = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const where = `${source}: line ${i + 1}`;
    const time = Number(cells[timeCol]);
    if (!Number.isFinite(time) || time < 0 || cells[timeCol].trim() === '') {
      throw new InputError(`${where}: time: expected a non-negative number of seconds, got "${cells[timeCol] ?? ''}"`);
    }
    if (time < previous) throw new InputError(`${where}: time ${time} is earlier than the row before (${previous}); sort the file by time`);
    previous = time;
    times.push(time);
    if (tenantCol >= 0) {
      const name = (cells[tenantCol] ?? '').trim();
      let index = tenantIndex.get(name);
      if (index === undefined) {
        index = tenantNames.length;
        tenantIndex.set(name, index);
        tenantNames.push(name);
      }
      tenants.push(index);
    }
    if (sloCol >= 0) {
      const cell = (cells[sloCol] ?? '').trim();
      const slo = cell === '' ? NaN : Number(cell);
      if (cell !== '' && !(slo > 0)) throw new InputError(`${where}: slo: expected a positive number of seconds, got "${cell}"`);
      slos.push(slo);
    }
    if (priorityCol >= 0) {
      const cell = (cells[priorityCol] ?? '').trim();
      const priority = cell === '' ? NaN : Number(cell);
      if (cell !== '' && !(Number.isInteger(priority) && priority >= 0 && priority <= MAX_PRIORITY)) throw new InputError(`${where}: priority: expected an integer from 0 to ${MAX_PRIORITY}, got "${cell}"`);
      priorities.push(priority);
    }
  }
  if (times.length === 0) throw new InputError(`${source}: the trace holds no requests`);
  return {
    times: Float64Array.from(times),
    tenants: tenantCol >= 0 ? Uint16Array.from(tenants) : new Uint16Array(times.length),
    tenantNames: tenantCol >= 0 ? tenantNames : ['default'],
    slos: sloCol >= 0 ? Float64Array.from(slos) : undefined,
    priorities: priorityCol >= 0 ? Float64Array.from(priorities) : undefined,
  };
}

export function readTimestampTrace(path: string): TimestampTrace {
  return parseTimestampTrace(readTextFile(path, 'trace'), path);
}

export function formatTimestampTrace(trace: TimestampTrace): string {
  const withTenant = trace.tenantNames.length > 1 || trace.tenantNames[0] !== 'default';
  const header = ['time', ...(withTenant ? ['tenant'] : []), ...(trace.slos ? ['slo'] : []), ...(trace.priorities ? ['priority'] : [])].join(',');
  const rows = [header];
  for (let i = 0; i < trace.times.length; i++) {
    let row = String(trace.times[i]);
    if (withTenant) row += `,${trace.tenantNames[trace.tenants[i]]}`;
    if (trace.slos) row += `,${Number.isNaN(trace.slos[i]) ? '' : trace.slos[i]}`;
    if (trace.priorities) row += `,${Number.isNaN(trace.priorities[i]) ? '' : trace.priorities[i]}`;
    rows.push(row);
  }
  return rows.join('\n') + '\n';
}

export function writeTimestampTrace(path: string, trace: TimestampTrace): void {
  writeFileAtomic(path, formatTimestampTrace(trace));
}
