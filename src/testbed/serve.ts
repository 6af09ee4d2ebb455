import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { RandomStreams } from '../engine/random.js';
import { ExitStatus, InputError } from '../errors.js';
import type { Scenario } from '../kinds/pipeline/schema.js';
import { Fifo } from '../pipeline/fifo.js';
import { buildWorkload } from '../workload/build.js';
import { resolveModel, type ModelSpec } from './onnx.js';
import type { ReplicaMessage, ReplicaRequest } from './replica-worker.js';

/**
 * The serving testbed: the pipeline a scenario describes, served for real. A load generator
 * replays the scenario's arrivals (the same arrival times the simulator draws for the same seed)
 * in real time; each stage has a first-come-first-served queue and the simulator's batching rule
 * (a batch leaves for an idle replica when it is full or its oldest request has waited the
 * timeout); each replica is a worker thread running the stage's ONNX model on `cores` threads;
 * batches go to the next idle replica in turn (the round-robin router). Everything that happens
 * is recorded with its wall-clock time, and the record becomes a run folder (record.ts).
 */

/** A request as the testbed saw it: times in seconds from the start of the load. */
export interface ServedRequest {
  id: number;
  tenant: number;
  /** When the load generator sent it (its scheduled time plus the generator's lateness). */
  arrival: number;
  /** Its scheduled time: the simulator's arrival time for the same scenario and seed. */
  scheduled: number;
  deadline: number;
  /** Per stage: when it joined the queue; NaN for stages it has not reached. */
  enqueued: number[];
  /** When it left the last stage (NaN while in flight). */
  completed: number;
}

/** One batch: which requests, on which replica, when. */
export interface ServedBatch {
  stage: number;
  replica: number;
  ids: number[];
  /** When it was handed to the replica, and when the replica's answer was back on the main thread. */
  start: number;
  end: number;
  /** The replica's own time in `session.run`. */
  inference: number;
}

export interface TestbedRecord {
  requests: ServedRequest[];
  /** In the order they started. */
  batches: ServedBatch[];
  /** When the run ends, seconds: the scenario's duration, else when the load was over and the last request done. */
  end: number;
  /** Seconds the generator sent requests after their scheduled time: mean and largest. */
  lateness: { mean: number; max: number };
  models: ModelSpec[];
  tenantNames: string[];
}

export interface ServeOptions {
  /** Fraction of the load sent so far, now and then. */
  onProgress?: (fraction: number) => void;
  /** Called when every replica is loaded and the load starts. */
  onStart?: () => void;
  /** Stop early: the load stops, waiting requests are given up, the batches in service finish, and serve throws ExitStatus 130. */
  signal?: AbortSignal;
}

/** What the testbed cannot serve yet, with the field to change: refused before any model loads. */
export function testbedProblems(scenario: Scenario): string[] {
  const problems: string[] = [];
  if (scenario.adaptation !== undefined) problems.push('adaptation: the testbed serves a fixed configuration; remove adaptation');
  if (scenario.pipeline.dropLimit !== undefined) problems.push('pipeline.dropLimit: the testbed does not drop requests');
  if (scenario.pipeline.profile !== undefined) problems.push("pipeline.profile: the testbed serves each stage's own model on `cores` threads, not a profile's variants (nor its drop limit); remove pipeline.profile");
  scenario.pipeline.stages.forEach((stage, i) => {
    const at = `pipeline.stages[${i}]`;
    if (stage.testbed === undefined) problems.push(`${at}.testbed: name the model this stage serves, e.g. testbed: {model: paddleocr-det}`);
    if (!Number.isInteger(stage.cores)) problems.push(`${at}.cores: the testbed runs a replica on a whole number of threads, got ${stage.cores}`);
    if (stage.queue.discipline !== 'fcfs') problems.push(`${at}.queue.discipline: the testbed serves first come, first served`);
    if (stage.queue.capacity !== null || stage.queue.dropExpired || stage.queue.abandon) problems.push(`${at}.queue: the testbed does not drop requests (capacity, dropExpired, abandon)`);
    if (stage.routing !== 'round-robin') problems.push(`${at}.routing: the testbed routes round-robin`);
  });
  return problems;
}

interface Replica {
  readonly worker: Worker;
  busy: boolean;
  /** The requests of the batch in hand. */
  members?: ServedRequest[];
  /** Told to close: its exit is expected. */
  closing: boolean;
  /** Resolves when its thread has exited. */
  readonly exited: Promise<void>;
}

/** Serve `scenario` for real. `models[i]` is what stage i runs (see resolveModel). */
export async function serve(scenario: Scenario, models: readonly ModelSpec[], options: ServeOptions = {}): Promise<TestbedRecord> {
  const problems = testbedProblems(scenario);
  if (problems.length > 0) throw new InputError(`this scenario cannot run on the testbed:\n  ${problems.join('\n  ')}`);
  const workload = buildWorkload(scenario.workload.arrivals, new RandomStreams(scenario.seed));
  const horizon = Math.min(scenario.duration ?? Infinity, workload.length ?? Infinity);
  const maxRequests = scenario.workload.requests ?? Infinity;
  if (horizon === Infinity && maxRequests === Infinity) throw new InputError('the testbed needs an end: set duration or workload.requests');
  const stages = scenario.pipeline.stages;
  const names = stages.map((spec, i) => spec.name ?? `stage${i + 1}`);
  const defaultSlo = scenario.slo ?? Infinity;

  // Replicas: all loaded and warmed up (each batch size once) before the clock starts.
  const replicas: Replica[][] = [];
  /** Why serving stopped early: the user's load was more than the pipeline serves, or a replica failed. */
  let overload: string | undefined;
  const failures: string[] = [];
  const startWorker = async (stage: number): Promise<Replica> => {
    const worker = new Worker(new URL('./replica-worker.js', import.meta.url));
    const spec = stages[stage];
    const sizes = Array.from({ length: spec.batch.max }, (_, k) => k + 1);
    worker.postMessage({ type: 'open', model: models[stage], threads: spec.cores, warmupBatches: sizes } satisfies ReplicaRequest);
    const exited = once(worker, 'exit').then(() => undefined);
    const [first] = (await once(worker, 'message')) as [ReplicaMessage];
    if (first.type === 'failed') {
      await worker.terminate();
      throw new InputError(`stage ${names[stage]}: ${models[stage].path}: ${first.message}`);
    }
    const replica: Replica = { worker, busy: false, closing: false, exited };
    const name = `stage ${names[stage]}: a replica`;
    worker.on('error', (err) => lost(replica, `${name} failed: ${err.message}`));
    worker.once('exit', (code) => replica.closing || lost(replica, `${name} exited (code ${code})`));
    return replica;
  };
  /** A replica thread died: its batch's requests will never come back. Set once serving starts. */
  let lost = (_replica: Replica, why: string) => {
    failures.push(why);
  };
  try {
    for (let s = 0; s < stages.length; s++) {
      const stageReplicas: Replica[] = [];
      replicas.push(stageReplicas);
      for (let r = 0; r < stages[s].replicas; r++) stageReplicas.push(await startWorker(s));
    }
  } catch (err) {
    await closeAll(replicas.flat());
    throw err;
  }
  // Interrupted while the models loaded (a replica cannot be stopped while it loads: see replica-worker.ts).
  if (options.signal?.aborted) {
    await closeAll(replicas.flat());
    throw new ExitStatus('interrupted while the replicas loaded; nothing was written', 130);
  }

  const requests: ServedRequest[] = [];
  const batches: ServedBatch[] = [];
  const queues = stages.map(() => new Fifo<ServedRequest>());
  const timers: (NodeJS.Timeout | undefined)[] = stages.map(() => undefined);
  const nextReplica = stages.map(() => 0);
  options.onStart?.();
  const started = performance.now();
  const clock = () => (performance.now() - started) / 1000;
  let inFlight = 0;
  let lateSum = 0;
  let lateMax = 0;
  let loadEnded = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const checkDone = () => {
    if (loadEnded && inFlight === 0) finish();
  };
  /**
   * Stop early (Ctrl-C, a failure, an overload): no more load, the waiting requests are given up,
   * and the run ends when the batches in service are back (a replica is only closed when idle).
   */
  let stopping = false;
  const stopEarly = () => {
    stopping = true;
    for (const queue of queues) {
      inFlight -= queue.size;
      while (queue.size > 0) queue.shift();
    }
    stopLoad();
  };
  lost = (replica, why) => {
    failures.push(why);
    replica.busy = true; // never given another batch
    inFlight -= replica.members?.length ?? 0;
    replica.members = undefined;
    stopEarly();
  };

  const accept = (stage: number, request: ServedRequest) => {
    if (stopping) {
      inFlight--;
      return;
    }
    request.enqueued[stage] = clock();
    queues[stage].push(request);
    if (queues[stage].size > scenario.pipeline.maxWaiting) {
      overload ??= `stage ${names[stage]}: more than pipeline.maxWaiting (${scenario.pipeline.maxWaiting}) requests waiting: the load is more than it serves; the run was stopped`;
      stopEarly();
      return;
    }
    dispatch(stage);
  };

  const dispatch = (stage: number) => {
    const queue = queues[stage];
    const { max, timeout } = stages[stage].batch;
    const pool = replicas[stage];
    for (;;) {
      const idle = pool.some((r) => !r.busy);
      if (!idle || queue.size === 0) return;
      const now = clock();
      const due = (queue.peek() as ServedRequest).enqueued[stage] + timeout;
      if (queue.size < max && now < due) {
        if (timers[stage] === undefined) {
          timers[stage] = setTimeout(() => {
            timers[stage] = undefined;
            dispatch(stage);
          }, Math.max(0, (due - now) * 1000));
        }
        return;
      }
      const ids: number[] = [];
      const members: ServedRequest[] = [];
      while (ids.length < max && queue.size > 0) {
        const r = queue.shift() as ServedRequest;
        members.push(r);
        ids.push(r.id);
      }
      let k = nextReplica[stage];
      while (pool[k].busy) k = (k + 1) % pool.length;
      nextReplica[stage] = (k + 1) % pool.length;
      const replica = pool[k];
      const batch: ServedBatch = { stage, replica: k, ids, start: clock(), end: NaN, inference: NaN };
      batches.push(batch);
      replica.busy = true;
      replica.members = members;
      replica.worker.removeAllListeners('message');
      replica.worker.once('message', (m: ReplicaMessage) => {
        batch.end = clock();
        replica.busy = false;
        replica.members = undefined;
        if (m.type === 'failed') {
          failures.push(`stage ${names[stage]}, replica ${k}: ${m.message}`);
          stopEarly();
        } else if (m.type === 'done') batch.inference = m.inference;
        for (const r of members) {
          if (stage + 1 < stages.length && m.type === 'done') accept(stage + 1, r);
          else {
            if (m.type === 'done') r.completed = batch.end;
            inFlight--;
          }
        }
        dispatch(stage);
        checkDone();
      });
      replica.worker.postMessage({ type: 'batch', size: ids.length } satisfies ReplicaRequest);
    }
  };

  // The load generator: every arrival due by now is sent, then a timer for the next one.
  const source = workload.source;
  let pending = source.next() && source.time < horizon && maxRequests > 0;
  let generator: NodeJS.Timeout | undefined;
  const stopLoad = () => {
    if (generator !== undefined) clearTimeout(generator);
    pending = false;
    loadEnded = true;
    checkDone();
  };
  const onAbort = () => stopEarly();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const generate = () => {
    generator = undefined;
    const now = clock();
    while (pending && source.time <= now) {
      const id = requests.length;
      const slo = source.slo === source.slo ? source.slo : defaultSlo;
      const sent = clock();
      const late = sent - source.time;
      lateSum += late;
      if (late > lateMax) lateMax = late;
      const request: ServedRequest = { id, tenant: source.tenant, arrival: sent, scheduled: source.time, deadline: sent + slo, enqueued: stages.map(() => NaN), completed: NaN };
      requests.push(request);
      inFlight++;
      accept(0, request);
      pending = !loadEnded && requests.length < maxRequests && source.next() && source.time < horizon;
    }
    if (horizon !== Infinity) options.onProgress?.(Math.min(1, now / horizon));
    if (pending) generator = setTimeout(generate, Math.max(0, (source.time - clock()) * 1000));
    else if (!loadEnded) stopLoad();
  };
  if (pending) generate();
  else stopLoad();
  await done;
  options.signal?.removeEventListener('abort', onAbort);
  for (const t of timers) if (t !== undefined) clearTimeout(t);
  // As the simulator ends a run: at its duration, else when the workload is over and the pipeline has drained.
  const end = scenario.duration ?? Math.max(clock(), workload.length ?? 0);
  await closeAll(replicas.flat());
  if (failures.length > 0) throw new ExitStatus(`the testbed failed: ${failures[0]}`, 1);
  if (overload !== undefined) throw new InputError(overload);
  if (options.signal?.aborted) throw new ExitStatus('interrupted: the load was stopped, the batches in service finished; nothing was written', 130);
  const count = requests.length;
  return { requests, batches, end, lateness: { mean: count > 0 ? lateSum / count : 0, max: lateMax }, models: [...models], tenantNames: workload.tenantNames };
}

/** Close idle replicas (the only safe way: see replica-worker.ts). */
async function closeAll(replicas: readonly Replica[]): Promise<void> {
  for (const r of replicas) {
    r.closing = true;
    r.worker.postMessage({ type: 'close' } satisfies ReplicaRequest);
  }
  await Promise.all(replicas.map((r) => r.exited));
}

/** The models of a scenario's stages (a loaded scenario's model files are already absolute paths). */
export function stageModels(scenario: Scenario): ModelSpec[] {
  return scenario.pipeline.stages.map((stage, i) => {
    if (stage.testbed === undefined) throw new InputError(`pipeline.stages[${i}].testbed: name the model this stage serves, e.g. testbed: {model: paddleocr-det}`);
    return resolveModel(stage.testbed.model, stage.testbed.input);
  });
}
