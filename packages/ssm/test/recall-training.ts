/**
 * The training tests' task and loop.
 *
 * Task — recall of the first token: `x ∈ {-1, +1}^L` (one feature per step, fair coin flips),
 * label = 1 if `x_0 = +1` else 0. The other L-1 tokens are distractors of the same size, and the
 * reducing head averages the hidden states over all L steps, so the model must carry `x_0`
 * through the recurrence (and tell the first step from the rest) to beat 50%.
 *
 * Loop — linax's reference loop (its introduction notebook, SPEC §10): adam on the float leaves
 * under `filterJit`, the batch vmapped with axis name "batch"; the *initial* BatchNorm state is
 * passed at every step (so every step normalises with its own batch statistics) and the state
 * returned by the last step is used for evaluation in inference mode.
 */
import { type Array, np, random } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { mulberry32 } from "@linax-ts/testing";

/** A deterministic stream of uniform numbers in [0, 1). */
const uniforms = mulberry32;

/** A source of first-token-recall batches: `[x: [n, L, 1] float32, y: [n] int32]`. */
export function recallTask(seed: number, L: number): (n: number) => [Array, Array] {
  const u = uniforms(seed);
  return (n) => {
    const xs = new Float32Array(n * L);
    const ys = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < L; t++) xs[i * L + t] = u() < 0.5 ? -1 : 1;
      ys[i] = xs[i * L] > 0 ? 1 : 0;
    }
    return [np.array(xs).reshape([n, L, 1]), np.array(ys)];
  };
}

/** A high-level config for the task: `numBlocks` blocks of `mixer`, width `H`, no dropout, 2 classes. */
export function recallConfig(
  kind: "s5" | "linoss",
  mixer: ssm.SequenceMixerConfig,
  H: number,
  numBlocks = 2,
): ssm.SSMConfig {
  const common = {
    numBlocks,
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 1, outFeatures: H }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
    blockConfig: new ssm.StandardBlockConfig({ dropRate: 0 }),
  };
  return kind === "s5"
    ? new ssm.S5Config({ ...common, sequenceMixerConfig: mixer as ssm.S5SequenceMixerConfig })
    : new ssm.LinOSSConfig({ ...common, sequenceMixerConfig: mixer as ssm.LinOSSSequenceMixerConfig });
}

/** What `train` returns. */
export interface TrainResult {
  model: ssm.SSM;
  /** The State returned by the last step (the evaluation statistics, as linax's notebook). */
  state: nn.State;
  losses: number[];
  traces: number;
  seconds: number;
}

/** Trains `config` on batches from `next` for `steps` adam steps (see the module comment). */
export function train(
  config: ssm.SSMConfig,
  next: (n: number) => [Array, Array],
  opts: { steps: number; lr: number; batch: number; key: number },
): TrainResult {
  const [model0, state0] = nn.makeWithState(ssm.SSM)(config, random.PRNGKey(opts.key));
  const opt = nn.optim.adam(opts.lr);
  const lossFn = (m: ssm.SSM, x: Array, y: Array, s: nn.State): [Array, nn.State] => {
    const [logp, s2] = m.callBatch(x, s);
    return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
  };
  let traces = 0;
  const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State) => {
    traces++;
    const [[loss, s2], grads] = nn.filterValueAndGrad(lossFn, { hasAux: true })(m, x, y, s) as unknown as [
      [Array, nn.State],
      ssm.SSM,
    ];
    const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
    return [nn.optim.applyUpdates(m, updates), os2, loss, s2] as const;
  });
  let model = model0;
  let optState = opt.init(nn.filter(model0, nn.isInexactArray)) as unknown[];
  let state = state0;
  const losses: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < opts.steps; i++) {
    const [x, y] = next(opts.batch);
    const r = step(model, optState, x, y, nn.cloneState(state0)) as unknown as [ssm.SSM, unknown[], Array, nn.State];
    [model, optState] = [r[0], r[1]];
    state = r[3];
    losses.push(r[2].item());
  }
  return { model, state, losses, traces, seconds: (performance.now() - t0) / 1000 };
}

/** Fraction of `y` predicted by `model` (inference mode) on `x`: `[accuracy, predictions]`. */
export function accuracy(model: ssm.SSM, state: nn.State, x: Array, y: Array): [number, number[]] {
  const [logp] = nn.inference(model).callBatch(x, nn.cloneState(state));
  const pred = np.argmax(logp, { axis: -1 }).tolist() as number[];
  const labels = y.tolist() as number[];
  return [pred.filter((p, i) => p === labels[i]).length / labels.length, pred];
}

/** Predictions of the trained model run token by token (`callRecurrent` over time-major x). */
export function recurrentPredictions(model: ssm.SSM, state: nn.State, x: Array): number[] {
  const inf = nn.inference(model);
  const [ys] = inf.callRecurrent(np.transpose(x, [1, 0, 2]), state);
  return np.argmax(ys.get(x.shape[1] - 1), { axis: -1 }).tolist() as number[];
}

/** Mean of the first / last `k` losses. */
export const meanOf = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
