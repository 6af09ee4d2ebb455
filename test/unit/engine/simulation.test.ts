import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../src/engine/random.js';
import { Simulation } from '../../../src/engine/simulation.js';

describe('Simulation', () => {
  it('runs events by time, and simultaneous events in the order they were scheduled', () => {
    const sim = new Simulation();
    const log: string[] = [];
    const record = (label: string) => log.push(`${sim.now}:${label}`);
    sim.schedule(2, record, 'c');
    sim.schedule(1, record, 'a');
    sim.schedule(2, record, 'd');
    sim.schedule(1, record, 'b');
    sim.schedule(0, (label: string) => {
      record(label);
      sim.schedule(1, record, 'b2'); // scheduled later than 'b', so runs after it at t=1
    }, 'zero');
    sim.run();
    expect(log).toEqual(['0:zero', '1:a', '1:b', '1:b2', '2:c', '2:d']);
    expect(sim.eventsProcessed).toBe(6);
  });

  it('boundary events run before ordinary ones due at the same time, in their own scheduling order', () => {
    const sim = new Simulation();
    const log: string[] = [];
    const record = (label: string) => log.push(`${sim.now}:${label}`);
    sim.scheduleAt(1, record, 'a');
    sim.scheduleAt(1, record, 'B1', true);
    sim.scheduleAt(0.5, record, 'early');
    sim.scheduleAt(1, record, 'B2', true);
    sim.scheduleAt(1, record, 'b');
    sim.run();
    expect(log).toEqual(['0.5:early', '1:B1', '1:B2', '1:a', '1:b']);
  });

  it('cancels pending events and ignores cancelling finished ones', () => {
    const sim = new Simulation();
    const log: number[] = [];
    const e1 = sim.timer(1, (x: number) => log.push(x), 1);
    const e2 = sim.timer(2, (x: number) => log.push(x), 2);
    sim.schedule(3, (x: number) => log.push(x), 3);
    expect(sim.pending).toBe(3);
    sim.cancel(e2);
    sim.cancel(e2);
    expect(sim.pending).toBe(2);
    sim.run(1.5);
    sim.cancel(e1); // already ran
    expect(sim.pending).toBe(1);
    sim.run();
    expect(log).toEqual([1, 3]);
    expect(sim.pending).toBe(0);
  });

  it('stops at `until` with the clock there, and resumes from it', () => {
    const sim = new Simulation();
    const log: number[] = [];
    for (const t of [1, 5, 10]) sim.scheduleAt(t, () => log.push(sim.now), undefined);
    expect(sim.run(5)).toBe(2);
    expect(sim.now).toBe(5);
    expect(sim.peekTime()).toBe(10);
    sim.run(7);
    expect(sim.now).toBe(7);
    sim.run();
    expect(log).toEqual([1, 5, 10]);
  });

  it('refuses to schedule in the past', () => {
    const sim = new Simulation();
    sim.scheduleAt(3, () => {}, undefined);
    sim.run();
    expect(() => sim.scheduleAt(2, () => {}, undefined)).toThrow(/cannot schedule at 2/);
  });

  it('stop() ends run after the current event', () => {
    const sim = new Simulation();
    const log: number[] = [];
    sim.schedule(1, () => {
      log.push(1);
      sim.stop();
    }, undefined);
    sim.schedule(2, () => log.push(2), undefined);
    sim.run();
    expect(log).toEqual([1]);
    sim.run();
    expect(log).toEqual([1, 2]);
  });
});

/**
 * Runs a simulation whose events each schedule `children(ran)` more at `now + delay(id)`, after
 * `initial` events at `start()`, and checks the engine's contract: events run in the order of a
 * stable sort by time (ids are given in scheduling order). Returns how many ran.
 */
function expectStableOrder(initial: number, start: () => number, children: (ran: number) => number, delay: (id: number) => number, limit: number): number {
  const sim = new Simulation();
  const ran: number[] = [];
  const expected: { time: number; id: number }[] = [];
  let id = 0;
  const add = (time: number) => {
    expected.push({ time, id });
    sim.scheduleAt(time, record, id++);
  };
  const record = (eventId: number) => {
    ran.push(eventId);
    for (let k = children(ran.length); k > 0 && id < limit; k--) add(sim.now + delay(id));
  };
  for (let i = 0; i < initial; i++) add(start());
  sim.run();
  expected.sort((a, b) => a.time - b.time || a.id - b.id);
  expect(ran).toEqual(expected.map((e) => e.id));
  return ran.length;
}

describe('event order on random input', () => {
  it('matches a stable sort by time, with events scheduled while running', () => {
    const rng = new RandomStreams(42).stream('order');
    // Whole-number times and delays, so that ties with pending events are common.
    expectStableOrder(2_000, () => rng.integer(50), () => (rng.random() < 0.7 ? 1 : 0), () => rng.integer(5), 20_000);
  });

  it('the calendar queue keeps that order through growth, shrinking, bursts of ties, far events and long gaps', () => {
    const rng = new RandomStreams(11).stream('calendar');
    // The spacing of new events changes by phase, so the day width must follow it.
    const delay = (id: number) => {
      const phase = Math.floor(id / 5_000) % 4;
      const u = rng.random();
      if (u < 0.05) return 1e4 * rng.random(); // far future
      if (u < 0.15) return 0; // a tie with the present
      return phase === 0 ? rng.exponential(1e-4) : phase === 1 ? rng.exponential(1) : phase === 2 ? Math.round(rng.random() * 3) : rng.exponential(100);
    };
    // Grow for a while, then let the queue drain down to a few events, then grow again.
    const children = (ran: number) => (Math.floor(ran / 4_000) % 2 === 0 ? (rng.random() < 0.6 ? 2 : 1) : rng.random() < 0.5 ? 1 : 0);
    expect(expectStableOrder(50, () => rng.random(), children, delay, 60_000)).toBe(60_000);
  });
});

describe('RandomStreams', () => {
  it('gives the same sequence for the same seed and name', () => {
    const a = new RandomStreams(7).stream('arrivals');
    const b = new RandomStreams(7).stream('arrivals');
    const xs = Array.from({ length: 100 }, () => a.random());
    expect(Array.from({ length: 100 }, () => b.random())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('keeps streams independent: draws from one never shift another', () => {
    const s1 = new RandomStreams(7);
    const s2 = new RandomStreams(7);
    for (let i = 0; i < 1000; i++) s1.stream('service:detect').random();
    const x = Array.from({ length: 10 }, () => s1.stream('arrivals').random());
    const y = Array.from({ length: 10 }, () => s2.stream('arrivals').random());
    expect(x).toEqual(y);
    expect(new RandomStreams(7).stream('a').random()).not.toBe(new RandomStreams(7).stream('b').random());
    expect(new RandomStreams(7).stream('a').random()).not.toBe(new RandomStreams(8).stream('a').random());
  });

  it('draws exponential, lognormal and Poisson variates with the right moments', () => {
    const rng = new RandomStreams(3).stream('moments');
    const n = 200_000;
    const moments = (draw: () => number) => {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = draw();
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      return { mean, sd: Math.sqrt(s2 / n - mean * mean) };
    };
    const exp = moments(() => rng.exponential(2));
    expect(exp.mean).toBeCloseTo(2, 1);
    expect(exp.sd).toBeCloseTo(2, 1);
    const logn = moments(() => rng.lognormal(0.5, 0.3));
    expect(logn.mean / 0.5).toBeCloseTo(1, 2);
    expect(logn.sd / logn.mean).toBeCloseTo(0.3, 2);
    for (const lambda of [3, 75]) {
      const p = moments(() => rng.poisson(lambda));
      expect(p.mean / lambda).toBeCloseTo(1, 2);
      expect((p.sd * p.sd) / lambda).toBeCloseTo(1, 1);
    }
  });
});
