/**
 * linax's default SSM classifier and one jitted adam step on a fixed batch, as every train-step
 * benchmark runs it (cases/s5.ts; packages/backend-webgpu/bench/train-measure.ts and
 * train-profile.ts): `numBlocks` blocks of `mixer` (S5 or LinOSS, state 64), dropout 0.1,
 * adam 1e-3, each step one `nn.filterJit` call.
 */
import { random, type Array } from "linax-ts";
// The model, loss and jitted adam step are the tests' set-up too (@linax-ts/testing is the helper
// both tests and benchmarks may depend on; the library never does): the benchmarks time the step
// that the memory and WebGPU tests check.
import { classifierTrainer, type Mixer } from "@linax-ts/testing/train-step";

export type { Mixer };

/**
 * The model, optimiser state and batch-norm state are donated with `donate`, as a JAX training
 * loop donates them: each step writes into the previous step's buffers instead of fresh memory.
 */
const DONATE_TRAIN_STATE = { donateArgnums: [0, 1, 4] };

/**
 * A closure running one train step per call (the model, optimiser and dropout state carried
 * along) and returning the loss; `inputs` are the fixed batch (the caller disposes them).
 */
export function trainStep(
  mixer: Mixer,
  L: number,
  F: number,
  B: number,
  H: number,
  numBlocks = 4,
  opts: { donate?: boolean } = {},
): (() => Array) & { readonly inputs: readonly Array[] } {
  const [mk, dk] = random.split(random.key(0));
  const t = classifierTrainer({
    mixer,
    inFeatures: F,
    hidden: H,
    stateDim: 64,
    numClasses: 10,
    numBlocks,
    modelKey: mk,
    learningRate: 1e-3,
    jitOptions: opts.donate === true ? DONATE_TRAIN_STATE : {},
  });
  let { model, os, state } = t;
  const x = random.normal(dk, [B, L, F]);
  const y = random.randint(dk, [B], 0, 10);
  let i = 0;
  const run = (): Array => {
    const r = t.step(model, os, x, y, state, random.foldIn(dk, i++));
    [model, os, state] = [r[0], r[1], r[3]];
    return r[2];
  };
  return Object.assign(run, { inputs: [x, y] });
}
