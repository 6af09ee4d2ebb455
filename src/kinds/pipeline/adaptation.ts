import { InputError } from '../../errors.js';
import type { Configuration, AdapterDefinition, StageSetting } from '../../adapters/adapter.js';
import type { Simulation } from '../../engine/simulation.js';
import type { IntervalWindow, Monitor } from '../../metrics/monitor.js';
import type { Pipeline } from '../../pipeline/pipeline.js';
import { configurationAccuracy, type ConfigurationAccuracy } from '../../profiles/accuracy.js';
import type { PipelineProfile } from '../../profiles/pipeline-profile.js';
import type { LoadPredictor } from '../../predictors/predictor.js';
import type { StageModels } from './models.js';

/** One adaptation step: the configuration chosen at `time` and what happened until `end`. */
export interface AdaptationRow {
  step: number;
  time: number;
  end: number;
  /** The forecast the configuration was planned for (requests/s, margin included); NaN for the initial configuration. */
  forecast: number;
  /** Arrivals over the step divided by its length. */
  arrivalRate: number;
  /** Most arrivals in one whole second of the step: what the forecast predicts. */
  peakRate: number;
  /** Time-average cores of the replicas present (starting and draining included): the cost. */
  cores: number;
  /** Cores of the chosen configuration (replicas x cores per replica): the cost IPA's figures plot. */
  plannedCores: number;
  /** Accuracy of the chosen variants (NaN without a profile): objective, mean published, PAS. */
  accuracy: number;
  accuracyRaw: number;
  pas: number;
  latencyP99: number;
  arrived: number;
  completed: number;
  dropped: number;
  late: number;
  configuration: string;
  /** What the adapter said (e.g. why it kept the configuration). */
  note: string;
}

export interface AdaptationSummary {
  adapter: string;
  predictor: string;
  interval: number;
  steps: number;
  /** Steps whose configuration differs from the one before. */
  reconfigurations: number;
  /** Steps where the adapter said something (kept the configuration for lack of a feasible plan, ...). */
  notedSteps: number;
  /** Time-weighted mean of the chosen configuration's cores (the running cost is in the run summary). */
  meanPlannedCores: number;
  /** Time-weighted means over the steps (null without a profile). */
  meanAccuracy: { objective: number; raw: number; pas: number } | null;
}

export function describeConfiguration(c: Configuration): string {
  return c.map((s) => `${s.variant ? `${s.variant} ` : ''}b${s.batch} x${s.replicas}`).join(' -> ');
}

function sameSetting(a: StageSetting, b: StageSetting): boolean {
  return a.variant === b.variant && a.batch === b.batch && a.replicas === b.replicas;
}

const NO_ACCURACY: ConfigurationAccuracy = { objective: NaN, raw: NaN, pas: NaN };

/**
 * The adaptation loop of a run: every `interval` (at boundary priority, so an arrival at the
 * same instant meets the new configuration), close the step that ends, give the adapter the
 * monitor's snapshot and the predictor's forecast, and apply the configuration it returns.
 */
export class AdaptationLoop {
  /** Arrivals per whole second so far. */
  private counts = new Float64Array(1024);
  private seconds = 0;
  private readonly window: IntervalWindow;
  private current: Configuration;
  private step = 0;
  private stepForecast = NaN;
  private stepNote = '';
  /** What the adapter asked to be handed back at its next decision. */
  private adapterMemory: unknown = undefined;
  private stepAccuracy: ConfigurationAccuracy;
  private reconfigurations = 0;
  private notedSteps = 0;
  private weighted = { time: 0, objective: 0, raw: 0, pas: 0, plannedCores: 0 };

  constructor(
    private readonly sim: Simulation,
    private readonly monitor: Monitor,
    private readonly pipeline: Pipeline,
    private readonly models: readonly StageModels[],
    private readonly profile: PipelineProfile | undefined,
    private readonly adapter: AdapterDefinition,
    private readonly adapterOptions: unknown,
    private readonly predictor: LoadPredictor,
    private readonly interval: number,
    /** Whether the run still goes on; steps stop when it says no. */
    private readonly active: () => boolean,
    private readonly sink: ((row: AdaptationRow) => void) | undefined,
  ) {
    this.current = pipeline.stages.map((stage) => ({
      variant: profile === undefined ? undefined : stage.model.variant,
      batch: stage.maxBatch,
      replicas: stage.target.replicas,
    }));
    this.stepAccuracy = this.accuracyOf(this.current);
    this.window = monitor.openWindow();
    this.schedule();
  }

  /** Count an arrival at time `now` (called for every arrival, in time order). */
  arrived(now: number): void {
    const second = Math.floor(now);
    this.grow(second + 1);
    this.counts[second]++;
    if (second >= this.seconds) this.seconds = second + 1;
  }

  /** Make room for `length` seconds of counts. */
  private grow(length: number): void {
    if (length <= this.counts.length) return;
    const grown = new Float64Array(Math.max(length, this.counts.length * 2));
    grown.set(this.counts);
    this.counts = grown;
  }

  /** Close the last step at `end` (unless the run ended as it began) and summarise. */
  finish(end: number): AdaptationSummary {
    if (end > this.window.start) this.closeStep(end);
    else this.step--;
    const w = this.weighted;
    return {
      adapter: this.adapter.kind,
      predictor: this.predictor.name,
      interval: this.interval,
      steps: this.step + 1,
      reconfigurations: this.reconfigurations,
      notedSteps: this.notedSteps,
      meanPlannedCores: w.time === 0 ? 0 : w.plannedCores / w.time,
      meanAccuracy: this.profile === undefined || w.time === 0 ? null : { objective: w.objective / w.time, raw: w.raw / w.time, pas: w.pas / w.time },
    };
  }

  private schedule(): void {
    this.sim.scheduleAt((this.step + 1) * this.interval, this.decide, undefined, true);
  }

  private readonly decide = () => {
    if (!this.active()) return;
    const now = this.sim.now;
    const observed = this.closeStep(now);
    // The predictor sees whole seconds only: those before now, quiet ones included.
    const seconds = Math.floor(now);
    this.grow(seconds);
    const history = this.counts.subarray(0, seconds);
    const forecast = this.predictor.forecast(history);
    const decision = this.adapter.decide(
      {
        observation: {
          time: now,
          interval: this.interval,
          arrivals: history,
          arrived: observed.arrived,
          dropped: observed.dropped,
          late: observed.late,
          latencyP99: observed.latencyP99,
          stages: this.window.stageRows.map((row, i) => ({
            name: row.stage,
            utilization: row.utilization,
            queue: row.queue,
            serving: this.pipeline.stages[i].servingReplicas,
          })),
        },
        forecast,
        current: this.current,
        profile: this.profile,
        memory: this.adapterMemory,
      },
      this.adapterOptions,
    );
    this.adapterMemory = decision.memory;
    this.step++;
    this.stepForecast = forecast;
    this.stepNote = decision.note;
    if (decision.note !== '') this.notedSteps++;
    this.apply(decision.configuration);
    this.schedule();
  };

  private apply(target: Configuration): void {
    const stages = this.pipeline.stages;
    // A user's adapter may return anything: say which adapter and step when it is not a configuration.
    const wrong = (what: string) => new InputError(`adapter ${this.adapter.kind}, decision at ${this.sim.now} s: ${what}`);
    if (!Array.isArray(target) || target.length !== stages.length) throw wrong(`returned ${Array.isArray(target) ? target.length : 'no list of'} stage settings for ${stages.length} stages`);
    let changed = false;
    target.forEach((setting, i) => {
      if (sameSetting(setting, this.current[i])) return;
      changed = true;
      try {
        stages[i].reconfigure({ model: this.models[i].get(setting.variant), replicas: setting.replicas, maxBatch: setting.batch });
      } catch (err) {
        if (err instanceof InputError) throw wrong(err.message);
        throw err;
      }
    });
    if (changed) {
      this.reconfigurations++;
      this.current = target.map((s) => ({ ...s }));
      this.stepAccuracy = this.accuracyOf(this.current);
    }
  }

  private accuracyOf(c: Configuration): ConfigurationAccuracy {
    const p = this.profile;
    if (p === undefined) return NO_ACCURACY;
    const d = p.defaults ?? { accuracyMethod: 'sum', normalize: 'rank' };
    return configurationAccuracy(p.stages, c.map((s) => s.variant as string), d.accuracyMethod, d.normalize);
  }

  /** Report the step that ends at `end`; returns the interval row it was built from. */
  private closeStep(end: number) {
    const start = this.window.start;
    this.monitor.closeWindow(this.window, end);
    const row = this.window.row;
    const length = end - start;
    let peak = 0;
    for (let s = Math.ceil(start); s < Math.min(Math.floor(end), this.seconds); s++) if (this.counts[s] > peak) peak = this.counts[s];
    const a = this.stepAccuracy;
    const plannedCores = this.current.reduce((sum, setting, i) => sum + setting.replicas * this.models[i].get(setting.variant).cores, 0);
    const w = this.weighted;
    w.time += length;
    w.plannedCores += plannedCores * length;
    w.objective += a.objective * length;
    w.raw += a.raw * length;
    w.pas += a.pas * length;
    this.sink?.({
      step: this.step,
      time: start,
      end,
      forecast: this.stepForecast,
      arrivalRate: length > 0 ? row.arrived / length : NaN,
      peakRate: peak,
      cores: row.cores,
      plannedCores,
      accuracy: a.objective,
      accuracyRaw: a.raw,
      pas: a.pas,
      latencyP99: row.latencyP99,
      arrived: row.arrived,
      completed: row.completed,
      dropped: row.dropped,
      late: row.late,
      configuration: describeConfiguration(this.current),
      note: this.stepNote,
    });
    return row;
  }
}
