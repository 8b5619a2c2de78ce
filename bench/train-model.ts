/**
 * linax's default SSM classifier and one jitted adam step on a fixed batch, as every train-step
 * benchmark runs it (cases/s5.ts; packages/backend-webgpu/bench/train-measure.ts and
 * train-profile.ts): `numBlocks` blocks of `mixer` (S5 or LinOSS, state 64), dropout 0.1,
 * adam 1e-3, each step one `nn.filterJit` call.
 */
import { nn, ssm, random, type Array } from "linax-ts";

export type Mixer = "s5" | "linoss";

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
  const common = {
    numBlocks,
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: F, outFeatures: H }),
    blockConfig: new ssm.StandardBlockConfig({ dropRate: 0.1 }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 10 }),
  };
  const config =
    mixer === "s5"
      ? new ssm.S5Config({ ...common, sequenceMixerConfig: new ssm.S5SequenceMixerConfig({ stateDim: 64 }) })
      : new ssm.LinOSSConfig({ ...common, sequenceMixerConfig: new ssm.LinOSSSequenceMixerConfig({ stateDim: 64 }) });
  const [mk, dk] = random.split(random.key(0));
  const [model0, state0] = nn.makeWithState(ssm.SSM)(config, mk);
  const opt = nn.optim.adam(1e-3);
  const loss = (m: ssm.SSM, x: Array, y: Array, s: nn.State, key: nn.PRNGKey): [Array, nn.State] => {
    const [logp, s2] = m.callBatch(x, s, { key });
    return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
  };
  const step = nn.filterJit(
    (m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State, key: nn.PRNGKey) => {
      const [[l, s2], grads] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s, key);
      const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
      return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
    },
    opts.donate === true ? DONATE_TRAIN_STATE : {},
  );
  let model = model0;
  let os = opt.init(nn.filter(model0, nn.isInexactArray));
  let state = state0;
  const x = random.normal(dk, [B, L, F]);
  const y = random.randint(dk, [B], 0, 10);
  let i = 0;
  const run = (): Array => {
    const r = step(model, os, x, y, state, random.foldIn(dk, i++));
    [model, os, state] = [r[0], r[1], r[3]];
    return r[2];
  };
  return Object.assign(run, { inputs: [x, y] });
}
