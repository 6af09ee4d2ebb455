import { describe, expect, it } from 'vitest';
import { loadDnnCatalog } from '../../../src/kinds/accelerator/model.js';
import { simulateAccelerator } from '../../../src/kinds/accelerator/simulate.js';
import { AcceleratorScenarioSchema } from '../../../src/kinds/accelerator/schema.js';

const catalog = loadDnnCatalog();
const resnet = catalog.get('resnet50')!;
const bert = catalog.get('bert')!;

function run(data: Record<string, unknown>) {
  const records: { service: number; arrival: number; end: number; outcome: string }[] = [];
  const { summary } = simulateAccelerator(AcceleratorScenarioSchema.parse(data), { request: (service, arrival, end, outcome) => records.push({ service, arrival, end, outcome }) });
  return { summary, records };
}

const service = (model: string, rate: number, slo = '50ms', batch = 4) => ({ model, batch, slo, arrivals: { kind: 'constant', rate } });

describe('shared accelerator', () => {
  it('a query alone takes its solo latency: kernels x launch + batch x GFLOPs / throughput', () => {
    expect(resnet.soloLatency(4)).toBeCloseTo(53 * 20e-6 + (4 * 4.1) / 5000, 15);
    const { records } = run({ queries: 5, accelerator: { policy: 'fcfs', services: [service('resnet50', 10)] } });
    for (const r of records) expect(r.end - r.arrival).toBeCloseTo(resnet.soloLatency(4), 12);
  });

  it('co-located queries slow each other by the co-runners\' utilisation; the survivor speeds up when the other ends', () => {
    // One query of each service at t = 0, run together (FCFS, two at a time).
    const { records } = run({ queries: 2, accelerator: { policy: 'fcfs', services: [service('resnet50', 1), service('bert', 1)] } });
    const [sr, sb] = [resnet.soloLatency(4), bert.soloLatency(4)];
    const [slowR, slowB] = [1 + bert.utilization(4), 1 + resnet.utilization(4)];
    const firstEnd = sr * slowR; // ResNet-50 is far shorter: it ends first
    const bertEnd = firstEnd + (sb - firstEnd / slowB); // the rest of BERT's work, alone
    expect(records.find((r) => r.service === 0)!.end).toBeCloseTo(firstEnd, 12);
    expect(records.find((r) => r.service === 1)!.end).toBeCloseTo(bertEnd, 12);
    // A measured table replaces the default for that group.
    const measured = run({
      queries: 2,
      accelerator: { policy: 'fcfs', interference: { measured: [{ models: ['bert', 'resnet50'], slowdown: [3, 2] }] }, services: [service('resnet50', 1), service('bert', 1)] },
    }).records;
    expect(measured.find((r) => r.service === 0)!.end).toBeCloseTo(2 * sr, 12);
    expect(measured.find((r) => r.service === 1)!.end).toBeCloseTo(2 * sr + (sb - (2 * sr) / 3), 12);
  });

  it('SJF runs the short model first and EDF the earliest deadline, one at a time', () => {
    // Both services' first queries arrive at 0 while one runs; then the second of each is queued.
    const base = (policy: string) => ({ queries: 4, accelerator: { policy, maxConcurrent: 1, services: [service('bert', 1e6, '500ms'), service('resnet50', 1e6, '100ms')] } });
    const order = (policy: string) => run(base(policy)).records.map((r) => r.service);
    // FCFS: arrival order, ties by service order: bert, resnet, bert, resnet.
    expect(order('fcfs')).toEqual([0, 1, 0, 1]);
    // SJF: bert started first (the device was idle), then both resnets, then bert.
    expect(order('sjf')).toEqual([0, 1, 1, 0]);
    // EDF: resnet's 100 ms deadlines come before bert's 500 ms.
    expect(order('edf')).toEqual([0, 1, 1, 0]);
  });

  it('the headroom policy with abandonment never completes a query late, even overloaded', () => {
    const overload = {
      queries: 20000,
      accelerator: {
        policy: 'headroom',
        abandon: true,
        services: [
          { model: 'resnet50', batch: 4, slo: '50ms', arrivals: { kind: 'poisson', rate: 60 } },
          { model: 'bert', batch: 4, slo: '50ms', arrivals: { kind: 'poisson', rate: 60 } },
        ],
      },
    };
    const { summary, records } = run(overload);
    expect(summary.requests.dropped).toBeGreaterThan(100);
    expect(summary.requests.late).toBe(0);
    expect(records.filter((r) => r.outcome === 'completed').every((r) => r.end - r.arrival <= 0.05 + 1e-12)).toBe(true);
    // Conservation per service.
    for (const t of summary.byTenant) expect(t.arrived).toBe(t.completed + t.dropped);
  });
});
