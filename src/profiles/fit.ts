/**
 * A smooth latency model fitted to measured points, after Pollux's performance
 * model (compute time linear in the per-replica batch, sped up by parallel
 * resources with a fitted efficiency exponent):
 *
 *   latency(b, c) = (alpha + beta * b) / c^gamma,   alpha, beta >= 0, 0 <= gamma <= 1
 *
 * `alpha` is the fixed cost of a batch, `beta` the cost per request, and
 * `gamma` how well the work parallelises over c cores (1: perfectly; 0: not at all).
 *
 * Fitting minimises the squared *relative* error (latencies span orders of
 * magnitude, and a profile must be as good at 20 ms as at 2 s) by variable
 * projection: for a fixed gamma the model is linear in (alpha, beta), solved
 * exactly by bounded least squares; gamma is then found by a grid scan and a
 * golden-section refinement of that one-dimensional problem.
 */
export interface LatencyModel {
  alpha: number;
  beta: number;
  gamma: number;
}

export interface MeasuredPoint {
  batch: number;
  cores: number;
  latency: number;
}

export interface FitResult {
  model: LatencyModel;
  /** Root mean square of the relative errors at the measured points. */
  rmsRelativeError: number;
  /** Largest relative error at a measured point. */
  maxRelativeError: number;
  points: number;
  /** The measured ranges; predictions outside them are extrapolations. */
  range: { batch: [number, number]; cores: [number, number] };
}

export function predictLatency(m: LatencyModel, batch: number, cores: number): number {
  return (m.alpha + m.beta * batch) / cores ** m.gamma;
}

/**
 * Fit the model to measured points. With points at one core count only, gamma
 * cannot be identified: pass `gamma` to fix it (it then only matters for
 * predictions at other core counts).
 */
export function fitLatencyModel(points: readonly MeasuredPoint[], options: { gamma?: number } = {}): FitResult {
  if (points.length === 0) throw new Error('cannot fit a latency model to no points');
  const coreCounts = new Set(points.map((p) => p.cores));
  let gamma: number;
  if (options.gamma !== undefined) gamma = options.gamma;
  else if (coreCounts.size < 2) throw new Error('points at one core count cannot determine gamma: give it');
  else gamma = minimise1d((g) => solveLinear(points, g).loss, 0, 1);
  const { alpha, beta } = solveLinear(points, gamma);
  const model = { alpha, beta, gamma };
  let sumSq = 0;
  let maxErr = 0;
  for (const p of points) {
    const rel = Math.abs(predictLatency(model, p.batch, p.cores) / p.latency - 1);
    sumSq += rel * rel;
    if (rel > maxErr) maxErr = rel;
  }
  const batches = points.map((p) => p.batch);
  const cores = points.map((p) => p.cores);
  return {
    model,
    rmsRelativeError: Math.sqrt(sumSq / points.length),
    maxRelativeError: maxErr,
    points: points.length,
    range: { batch: [Math.min(...batches), Math.max(...batches)], cores: [Math.min(...cores), Math.max(...cores)] },
  };
}

/** True when (batch, cores) lies outside the measured ranges of a fit. */
export function isExtrapolation(fit: FitResult, batch: number, cores: number): boolean {
  const { batch: b, cores: c } = fit.range;
  return batch < b[0] || batch > b[1] || cores < c[0] || cores > c[1];
}

/**
 * For fixed gamma, minimise sum(((alpha + beta*b) * k / y - 1)^2) over alpha, beta >= 0,
 * with k = c^-gamma: a two-variable linear least-squares problem in the relative residuals.
 * The bounded optimum is either the unconstrained one or lies on an axis.
 */
function solveLinear(points: readonly MeasuredPoint[], gamma: number): { alpha: number; beta: number; loss: number } {
  // Residual r_i = alpha * u_i + beta * v_i - 1, with u = k/y, v = b*k/y.
  let suu = 0;
  let suv = 0;
  let svv = 0;
  let su = 0;
  let sv = 0;
  for (const p of points) {
    const k = p.cores ** -gamma / p.latency;
    const u = k;
    const v = p.batch * k;
    suu += u * u;
    suv += u * v;
    svv += v * v;
    su += u;
    sv += v;
  }
  const n = points.length;
  const loss = (a: number, b: number) => a * a * suu + 2 * a * b * suv + b * b * svv - 2 * a * su - 2 * b * sv + n;
  const candidates: [number, number][] = [
    [su / suu, 0], // beta = 0
    [0, sv / svv], // alpha = 0
  ];
  const det = suu * svv - suv * suv;
  if (det > 1e-12 * suu * svv) {
    const a = (su * svv - sv * suv) / det;
    const b = (sv * suu - su * suv) / det;
    if (a >= 0 && b >= 0) candidates.push([a, b]);
  }
  let best = { alpha: 0, beta: 0, loss: Infinity };
  for (const [a, b] of candidates) {
    const l = loss(a, b);
    if (l < best.loss) best = { alpha: a, beta: b, loss: l };
  }
  return best;
}

/** Minimise f on [lo, hi]: a grid scan for the basin, then golden-section search inside it. */
function minimise1d(f: (x: number) => number, lo: number, hi: number): number {
  const steps = 100;
  let bestI = 0;
  let bestF = Infinity;
  for (let i = 0; i <= steps; i++) {
    const v = f(lo + ((hi - lo) * i) / steps);
    if (v < bestF) {
      bestF = v;
      bestI = i;
    }
  }
  let a = lo + ((hi - lo) * Math.max(0, bestI - 1)) / steps;
  let b = lo + ((hi - lo) * Math.min(steps, bestI + 1)) / steps;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let x1 = b - ratio * (b - a);
  let x2 = a + ratio * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let iter = 0; iter < 80 && b - a > 1e-12; iter++) {
    if (f1 <= f2) {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - ratio * (b - a);
      f1 = f(x1);
    } else {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + ratio * (b - a);
      f2 = f(x2);
    }
  }
  return (a + b) / 2;
}
