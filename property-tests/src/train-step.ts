/**
 * One jitted training step of linax's SSM classifier, set up the same way for every test and
 * benchmark that trains one: an `ssm.SSM` of `numBlocks` S5 or LinOSS blocks (linear encoder,
 * BatchNorm + dropout blocks, classification head), softmax cross-entropy on integer labels, adam,
 * and one `nn.filterJit` call per step — linax's own training loop in miniature.
 *
 * Why here: the memory tests of backend-cpu and backend-webgpu, the WebGPU LinOSS test and the
 * benchmarks (bench/train-model.ts) all train this model, and each used to build it itself. Tests
 * and benchmarks may depend on @linax-ts/testing; the library never does, and a package's tests
 * importing from the repository's bench/ would point a test at a benchmark script. It is its own
 * subpath (`@linax-ts/testing/train-step`) because it loads the umbrella `linax-ts` (which
 * registers the CPU backend) and the package's index must not.
 *
 * Callers pick the sizes, the keys, the data and the loop: the memory tests dispose or donate the
 * previous step's state themselves, so the model, optimiser state and BatchNorm state are handed
 * back rather than carried inside a closure.
 */
import { nn, random, ssm, type Array } from "linax-ts";

/** The sequence-mixer family of the blocks. */
export type Mixer = "s5" | "linoss";

/** The classifier's sizes. */
export interface ClassifierOptions {
  /** S5 (the default linax model) or LinOSS blocks. */
  readonly mixer: Mixer;
  /** Features per time step of the input (the linear encoder's input size). */
  readonly inFeatures: number;
  /** Width H of the blocks (the encoder's output size). */
  readonly hidden: number;
  /** State size of each block's sequence mixer. */
  readonly stateDim: number;
  /** Classes of the head. */
  readonly numClasses: number;
  /** Blocks of the model. */
  readonly numBlocks: number;
  /** Dropout rate of every block; default 0.1 (linax's default). */
  readonly dropRate?: number;
}

/** The `ssm.SSM` config of a classifier with these sizes. */
export function classifierConfig(o: ClassifierOptions): ssm.S5Config | ssm.LinOSSConfig {
  const common = {
    numBlocks: o.numBlocks,
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: o.inFeatures, outFeatures: o.hidden }),
    blockConfig: new ssm.StandardBlockConfig({ dropRate: o.dropRate ?? 0.1 }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: o.numClasses }),
  };
  return o.mixer === "s5"
    ? new ssm.S5Config({ ...common, sequenceMixerConfig: new ssm.S5SequenceMixerConfig({ stateDim: o.stateDim }) })
    : new ssm.LinOSSConfig({
        ...common,
        sequenceMixerConfig: new ssm.LinOSSSequenceMixerConfig({ stateDim: o.stateDim }),
      });
}

/** Mean softmax cross-entropy of the batched model on integer labels `y`, and the new BatchNorm state. */
export function classifierLoss(m: ssm.SSM, x: Array, y: Array, s: nn.State, key: nn.PRNGKey): [Array, nn.State] {
  const [logp, s2] = m.callBatch(x, s, { key });
  return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
}

/** A step's arguments: model, optimiser state, batch x, labels y, BatchNorm state, dropout key. */
export type TrainStepArgs = [m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State, key: nn.PRNGKey];

/** One step: the new model, optimiser state, the loss and the new BatchNorm state. */
export type TrainStep = (...args: TrainStepArgs) => readonly [ssm.SSM, unknown[], Array, nn.State];

/** A step that splits its key inside (so a loop makes no eager key arrays) and returns the next key last. */
export type SplitKeyTrainStep = (...args: TrainStepArgs) => readonly [ssm.SSM, unknown[], Array, nn.State, nn.PRNGKey];

/** What `classifierTrainer` builds. */
export interface TrainerOptions extends ClassifierOptions {
  /** The key the model is initialised from. */
  readonly modelKey: nn.PRNGKey;
  /** adam's learning rate. */
  readonly learningRate: number;
  /** Passed to `nn.filterJit` (e.g. `{ donateArgnums: [0, 1, 4] }` to donate the training state). */
  readonly jitOptions?: nn.FilterJitOptions;
  /** Split the key inside the step: the step uses its first half and returns the second (SplitKeyTrainStep). */
  readonly splitKey?: boolean;
}

/**
 * The memory tests' model (CPU and WebGPU leak curves, the jitted training-memory test): linax's
 * S5 classifier in miniature — linear encoder 3 → 8, one S5 block of state 4, 2 classes — with
 * adam 1e-2, small enough that a thousand steps take seconds. Spread it and add `modelKey`.
 */
export const TINY_S5 = {
  mixer: "s5",
  inFeatures: 3,
  hidden: 8,
  stateDim: 4,
  numClasses: 2,
  numBlocks: 1,
  learningRate: 1e-2,
} as const satisfies Omit<TrainerOptions, "modelKey">;

/** The initial model, BatchNorm state and optimiser state, and the jitted step. */
export interface Trainer<S> {
  readonly model: ssm.SSM;
  readonly state: nn.State;
  readonly os: unknown[];
  readonly step: S;
}

/** A freshly initialised classifier, its adam state and its jitted train step (see the file's comment). */
export function classifierTrainer(o: TrainerOptions & { readonly splitKey: true }): Trainer<SplitKeyTrainStep>;
export function classifierTrainer(o: TrainerOptions & { readonly splitKey?: false }): Trainer<TrainStep>;
export function classifierTrainer(o: TrainerOptions): Trainer<TrainStep | SplitKeyTrainStep> {
  const [model, state] = nn.makeWithState(ssm.SSM)(classifierConfig(o), o.modelKey);
  const opt = nn.optim.adam(o.learningRate);
  const update: TrainStep = (m, os, x, y, s, key) => {
    const [[l, s2], grads] = nn.filterValueAndGrad(classifierLoss, { hasAux: true })(m, x, y, s, key);
    const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
    return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
  };
  const splitUpdate: SplitKeyTrainStep = (m, os, x, y, s, key) => {
    const [k1, k2] = random.split(key);
    return [...update(m, os, x, y, s, k1), k2] as const;
  };
  const step = nn.filterJit(o.splitKey === true ? splitUpdate : update, o.jitOptions);
  return { model, state, os: opt.init(nn.filter(model, nn.isInexactArray)), step };
}
