/** Bad inputs to `nn` layers, `nn.optim` and `ssm` configs: hyperparameters out of range or non-finite, option typos, trees that do not match. */
import { np, random, nn, ssm, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { runTable, type Row } from "./table.ts";

const key = random.key(0);
const { optim } = nn;
const params = { w: np.ones([2]), b: np.zeros([]) };
const grads = { w: np.ones([2]), b: np.ones([]) };
const otherTree = { w: np.ones([2]), c: np.ones([]) };

const rowsNn: Row[] = [
  [
    "nn.Linear inFeatures 0",
    () => new nn.Linear(0, 2, { key }),
    ValueError,
    /Linear: inFeatures must be a positive integer or "scalar"; got 0/,
  ],
  [
    "nn.Linear outFeatures 2.5",
    () => new nn.Linear(2, 2.5, { key }),
    ValueError,
    /Linear: outFeatures must be a positive integer.*got 2\.5/,
  ],
  ["nn.Linear NaN features", () => new nn.Linear(NaN, 2, { key }), ValueError, /inFeatures .*got NaN/],
  [
    "nn.Linear option typo",
    () => new nn.Linear(2, 2, { key, usebias: false } as never),
    ValueError,
    /Linear: unknown option 'usebias'; the options are useBias, dtype, key/,
  ],
  [
    "nn.Linear without a key",
    () => new nn.Linear(2, 2, {} as never),
    ValueError,
    /Linear: pass a PRNG key as the `key` option/,
  ],
  [
    "nn.Linear int dtype",
    () => new nn.Linear(2, 2, { key, dtype: "int32" as never }),
    ValueError,
    /Linear: dtype must be "float32" or "complex64"; got "int32"/,
  ],
  [
    "nn.Linear float key",
    () => new nn.Linear(2, 2, { key: np.ones([2]) }),
    DTypeError,
    /^Linear: a raw PRNG key must be a uint32 array of shape \[2\]; got f32\[2\]/,
  ],
  [
    "nn.Linear raw key of shape [3]",
    () => new nn.Linear(2, 2, { key: np.ones([3], { dtype: "uint32" }) }),
    ShapeError,
    /^Linear: a raw PRNG key .*got shape \[3\]/,
  ],
  [
    "nn.Linear array of typed keys",
    () => new nn.Linear(2, 2, { key: random.split(key, 2) }),
    ShapeError,
    /^Linear: key must be a single PRNG key; got an array of keys of shape \[2\]/,
  ],
  [
    "nn.Linear seed instead of key",
    () => new nn.Linear(2, 2, { key: 0 as never }),
    ValueError,
    /^Linear: key must be a PRNG key \(random\.key\(seed\) or random\.PRNGKey\(seed\)\); got 0/,
  ],
  ["nn.MLP float key", () => new nn.MLP(2, 2, 4, 1, { key: np.ones([2]) }), DTypeError, /^MLP: a raw PRNG key/],
  [
    "nn.Conv1d seed instead of key",
    () => new nn.Conv1d(1, 2, 3, { key: 1 as never }),
    ValueError,
    /^Conv: key must be a PRNG key/,
  ],
  [
    "nn.MultiheadAttention float key",
    () => new nn.MultiheadAttention(2, 4, { key: np.ones([2]) }),
    DTypeError,
    /^MultiheadAttention: a raw PRNG key/,
  ],
  [
    "nn.Linear call with the wrong width",
    () => new nn.Linear(2, 3, { key }).call(np.ones([4])),
    ShapeError,
    /Linear: expected an input of shape \[2\].*got \[4\]/,
  ],
  ["nn.Dropout p = -0.1", () => new nn.Dropout(-0.1), ValueError, /Dropout: p must be in \[0, 1\]; got -0\.1/],
  ["nn.Dropout p = 1.5", () => new nn.Dropout(1.5), ValueError, /got 1\.5/],
  ["nn.Dropout p = NaN", () => new nn.Dropout(NaN), ValueError, /got NaN/],
  ["nn.Dropout p as a string", () => new nn.Dropout("0.5" as never), ValueError, /Dropout: p must be in \[0, 1\]/],
  [
    "nn.Dropout option typo",
    () => new nn.Dropout(0.5, { inferance: true } as never),
    ValueError,
    /Dropout: unknown option 'inferance'; the options are inference/,
  ],
  [
    "nn.Dropout.call option typo",
    () => new nn.Dropout(0.5).call(np.ones([2]), { inferance: true } as never),
    ValueError,
    /Dropout\.call: unknown option 'inferance'; the options are key, inference/,
  ],
  [
    "nn.MultiheadAttention.call option typo",
    () => {
      const m = new nn.MultiheadAttention(2, 4, { key });
      m.call(np.ones([3, 4]), np.ones([3, 4]), np.ones([3, 4]), { casual: true } as never);
    },
    ValueError,
    /MultiheadAttention\.call: unknown option 'casual'; the options are key, inference, mask, causal, keyPaddingMask/,
  ],
  [
    "nn.Dropout training without a key",
    () => new nn.Dropout(0.5).call(np.ones([2])),
    ValueError,
    /Dropout: a `key` is required in training mode/,
  ],
  [
    "nn.Conv1d inChannels 0",
    () => new nn.Conv1d(0, 2, 3, { key }),
    ValueError,
    /Conv: inChannels must be a positive integer; got 0/,
  ],
  [
    "nn.Conv1d kernel 0",
    () => new nn.Conv1d(1, 2, 0, { key }),
    ValueError,
    /Conv: kernelSize must be a positive integer; got 0/,
  ],
  [
    "nn.Conv1d stride -1",
    () => new nn.Conv1d(1, 2, 3, { key, stride: -1 }),
    ValueError,
    /Conv: stride must be a positive integer; got -1/,
  ],
  [
    "nn.Conv1d groups not dividing",
    () => new nn.Conv1d(3, 2, 3, { key, groups: 2 }),
    ValueError,
    /inChannels \(3\) must be divisible by groups \(2\)/,
  ],
  [
    "nn.Conv1d option typo",
    () => new nn.Conv1d(1, 2, 3, { key, padding_mode: "ZEROS" } as never),
    ValueError,
    /Conv: unknown option 'padding_mode'/,
  ],
  [
    "nn.Conv1d unknown paddingMode",
    () => new nn.Conv1d(1, 2, 3, { key, paddingMode: "MIRROR" as never }),
    ValueError,
    /paddingMode must be one of ZEROS, REFLECT, REPLICATE, CIRCULAR; got "MIRROR"/,
  ],
  [
    "nn.Conv2d kernel list of the wrong length",
    () => new nn.Conv2d(1, 2, [3], { key }),
    ValueError,
    /`kernelSize` must be a number or a list of 2 numbers/,
  ],
  [
    "nn.MultiheadAttention numHeads 0",
    () => new nn.MultiheadAttention(0, 4, { key }),
    ValueError,
    /MultiheadAttention: numHeads must be a positive integer; got 0/,
  ],
  [
    "nn.MultiheadAttention querySize < numHeads",
    () => new nn.MultiheadAttention(8, 4, { key }),
    ValueError,
    /querySize \(4\) is smaller than numHeads \(8\)/,
  ],
  [
    "nn.MultiheadAttention dropoutP 1",
    () => new nn.MultiheadAttention(2, 4, { key, dropoutP: 1 }),
    ValueError,
    /dropoutP must be a number in \[0, 1\); got 1/,
  ],
  [
    "nn.MultiheadAttention option typo",
    () => new nn.MultiheadAttention(2, 4, { key, numheads: 2 } as never),
    ValueError,
    /MultiheadAttention: unknown option 'numheads'/,
  ],
  [
    "nn.LayerNorm eps -1",
    () => new nn.LayerNorm([4], { eps: -1 }),
    ValueError,
    /LayerNorm: eps must be a finite number ≥ 0; got -1/,
  ],
  ["nn.LayerNorm eps NaN", () => new nn.LayerNorm([4], { eps: NaN }), ValueError, /LayerNorm: eps .*got NaN/],
  [
    "nn.LayerNorm option typo",
    () => new nn.LayerNorm([4], { epsilon: 1e-3 } as never),
    ValueError,
    /LayerNorm: unknown option 'epsilon'; the options are eps, useWeight, useBias, dtype/,
  ],
  [
    "nn.LayerNorm shape 0",
    () => new nn.LayerNorm([0]),
    ValueError,
    /LayerNorm: shape\[0\] must be a positive integer; got 0/,
  ],
  ["nn.RMSNorm eps Infinity", () => new nn.RMSNorm([4], { eps: Infinity }), ValueError, /RMSNorm: eps .*got Infinity/],
  [
    "nn.GroupNorm groups 0",
    () => new nn.GroupNorm(0, 4),
    ValueError,
    /GroupNorm: groups must be a positive integer; got 0/,
  ],
  [
    "nn.GroupNorm groups not dividing channels",
    () => new nn.GroupNorm(3, 4),
    ValueError,
    /number of groups \(3\) must divide the number of channels \(4\)/,
  ],
  [
    "nn.BatchNorm momentum 2",
    () => new nn.BatchNorm(4, { axisName: "b", momentum: 2 }),
    ValueError,
    /BatchNorm: momentum must be a finite number in \[0, 1\]; got 2/,
  ],
  [
    "nn.BatchNorm option typo",
    () => new nn.BatchNorm(4, { axisName: "b", axis_name: "b" } as never),
    ValueError,
    /BatchNorm: unknown option 'axis_name'/,
  ],
  [
    "nn.BatchNorm inputSize 0",
    () => new nn.BatchNorm(0, { axisName: "b" }),
    ValueError,
    /BatchNorm: inputSize must be a positive integer; got 0/,
  ],
  ["nn.MLP depth -1", () => new nn.MLP(2, 2, 4, -1, { key }), ValueError, /MLP: depth must be an integer ≥ 0; got -1/],
  [
    "nn.MLP widthSize 0",
    () => new nn.MLP(2, 2, 0, 1, { key }),
    ValueError,
    /MLP: widthSize must be a positive integer; got 0/,
  ],
  [
    "nn.MLP option typo",
    () => new nn.MLP(2, 2, 4, 1, { key, activaton: nn.relu } as never),
    ValueError,
    /MLP: unknown option 'activaton'/,
  ],
  [
    "nn.Embedding numEmbeddings 0",
    () => new nn.Embedding(0, 4, { key }),
    ValueError,
    /Embedding: numEmbeddings must be a positive integer; got 0/,
  ],
  [
    "nn.Embedding without key or weight",
    () => new nn.Embedding(3, 4, {}),
    ValueError,
    /Embedding: pass `key` \(or `weight`\)/,
  ],
  [
    "nn.Embedding option typo",
    () => new nn.Embedding(3, 4, { key, weights: np.ones([3, 4]) } as never),
    ValueError,
    /Embedding: unknown option 'weights'/,
  ],
  [
    "nn.Embedding weight of the wrong shape",
    () => new nn.Embedding(3, 4, { weight: np.ones([4, 3]) }),
    ShapeError,
    /weight must have shape \[3, 4\]; got \[4, 3\]/,
  ],
  [
    "nn.replaceFields unknown field",
    () => nn.replaceFields(new nn.Dropout(0.5), { q: 1 }),
    ValueError,
    /replaceFields: Dropout has no field 'q' \(fields: p, inference\)/,
  ],
];

const rowsOptim: Row[] = [
  ...(["sgd", "adam", "adamw", "lion"] as const).flatMap((n): Row[] => [
    [
      `optim.${n}(NaN)`,
      () => optim[n](NaN),
      ValueError,
      new RegExp(`${n}: learningRate must be a finite number ≥ 0; got NaN`),
    ],
    [`optim.${n}(Infinity)`, () => optim[n](Infinity), ValueError, new RegExp(`${n}: learningRate .*got Infinity`)],
    [`optim.${n}(-1e-3)`, () => optim[n](-1e-3), ValueError, new RegExp(`${n}: learningRate .*got -0\\.001`)],
    [
      `optim.${n}("1e-3")`,
      () => optim[n]("1e-3" as never),
      ValueError,
      new RegExp(`${n}: learningRate must be a finite number ≥ 0 or a schedule.*got "1e-3"`),
    ],
    [
      `optim.${n} option typo`,
      () => optim[n](1e-3, { learningRate: 1 } as never),
      ValueError,
      new RegExp(`${n}: unknown option 'learningRate'; the options are`),
    ],
  ]),
  [
    "optim.sgd momentum -0.9",
    () => optim.sgd(0.1, { momentum: -0.9 }),
    ValueError,
    /sgd: momentum must be a finite number ≥ 0; got -0\.9/,
  ],
  [
    "optim.sgd nesterov as a string",
    () => optim.sgd(0.1, { momentum: 0.9, nesterov: "yes" as never }),
    ValueError,
    /sgd: nesterov must be a boolean; got "yes"/,
  ],
  [
    "optim.adam b1 = 1",
    () => optim.adam(1e-3, { b1: 1 }),
    ValueError,
    /scaleByAdam: b1 must be a finite number in \[0, 1\); got 1/,
  ],
  ["optim.adam b2 = NaN", () => optim.adam(1e-3, { b2: NaN }), ValueError, /scaleByAdam: b2 .*got NaN/],
  [
    "optim.adam eps = -1",
    () => optim.adam(1e-3, { eps: -1 }),
    ValueError,
    /scaleByAdam: eps must be a finite number ≥ 0; got -1/,
  ],
  ["optim.adam eps = epsRoot = 0", () => optim.adam(1e-3, { eps: 0 }), ValueError, /eps and epsRoot are both 0.*NaN/],
  [
    "optim.adam option typo beta1",
    () => optim.adam(1e-3, { beta1: 0.9 } as never),
    ValueError,
    /adam: unknown option 'beta1'; the options are b1, b2, eps, epsRoot, nesterov/,
  ],
  [
    "optim.adamw weightDecay NaN",
    () => optim.adamw(1e-3, { weightDecay: NaN }),
    ValueError,
    /adamw: weightDecay .*got NaN/,
  ],
  [
    "optim.lion b1 = 2",
    () => optim.lion(1e-3, { b1: 2 }),
    ValueError,
    /scaleByLion: b1 must be a finite number in \[0, 1\]; got 2/,
  ],
  ["optim.trace decay NaN", () => optim.trace({ decay: NaN }), ValueError, /trace: decay .*got NaN/],
  ["optim.clip negative", () => optim.clip(-1), ValueError, /clip: maxDelta must be a finite number ≥ 0; got -1/],
  [
    "optim.clipByGlobalNorm 0",
    () => optim.clipByGlobalNorm(0),
    ValueError,
    /clipByGlobalNorm: maxNorm must be a finite number > 0; got 0/,
  ],
  ["optim.scale NaN", () => optim.scale(NaN), ValueError, /scale: stepSize must be a finite number; got NaN/],
  [
    "optim.scaleBySchedule of a number",
    () => optim.scaleBySchedule(0.1 as never),
    ValueError,
    /scaleBySchedule: schedule must be a function/,
  ],
  [
    "optim.chain with a non-transformation",
    () => optim.chain(optim.scale(1), 3 as never),
    ValueError,
    /chain: argument 1 must be a GradientTransformation/,
  ],
  [
    "optim.cosineDecaySchedule decaySteps 0",
    () => optim.cosineDecaySchedule({ initValue: 1, decaySteps: 0 }),
    ValueError,
    /cosineDecaySchedule: decaySteps must be an integer ≥ 1; got 0/,
  ],
  [
    "optim.cosineDecaySchedule option typo",
    () => optim.cosineDecaySchedule({ initValue: 1, decaySteps: 10, alpah: 0 } as never),
    ValueError,
    /cosineDecaySchedule: unknown option 'alpah'/,
  ],
  [
    "optim.linearSchedule NaN",
    () => optim.linearSchedule({ initValue: NaN, endValue: 0, transitionSteps: 5 }),
    ValueError,
    /polynomialSchedule: initValue must be a finite number; got NaN/,
  ],
  [
    "optim.warmupCosineDecaySchedule decay ≤ warmup",
    () => optim.warmupCosineDecaySchedule({ initValue: 0, peakValue: 1, warmupSteps: 10, decaySteps: 10 }),
    ValueError,
    /decaySteps must be an integer ≥ 11; got 10/,
  ],
  [
    "optim.joinSchedules count mismatch",
    () => optim.joinSchedules([optim.constantSchedule(1)], [5]),
    ValueError,
    /needs one more schedule than boundaries; got 1 schedules and 1 boundaries/,
  ],
  [
    "optim.constantSchedule NaN",
    () => optim.constantSchedule(NaN),
    ValueError,
    /constantSchedule: value must be a finite number; got NaN/,
  ],
  [
    "optim.adam update with a different tree",
    () => {
      const opt = optim.adam(1e-3);
      opt.update(otherTree, opt.init(params), params);
    },
    ValueError,
    /scaleByAdam\.update: state\.mu does not have the structure of the updates; first difference at/,
  ],
  [
    "optim.sgd momentum update with a different tree",
    () => {
      const opt = optim.sgd(0.1, { momentum: 0.9 });
      opt.update({ w: np.ones([2]) }, opt.init(params));
    },
    ValueError,
    /trace\.update: state\.trace does not have the structure of the updates; first difference at 'w' \(present in the first, missing in the second\)|first difference at/,
  ],
  [
    "optim.lion update with another optimizer's state",
    () => {
      const opt = optim.lion(1e-3);
      opt.update(grads, optim.adam(1e-3).init(params), params);
    },
    ValueError,
    /chain\.update: expected the state list of length 3 that init returned; got a list of length 2/,
  ],
  [
    "optim.scaleByLion update with scaleByAdam's state",
    () => optim.scaleByLion().update(grads, { count: np.zeros([]) } as never),
    ValueError,
    /scaleByLion\.update: the state must be the object \{count, mu\} that scaleByLion's init returned; got an object with keys \{count\}/,
  ],
  [
    "optim.chain update with a short state",
    () => optim.adam(1e-3).update(grads, [], params),
    ValueError,
    /chain\.update: expected the state list of length 2 that init returned; got a list of length 0/,
  ],
  [
    "optim.adamw update with params of a different tree",
    () => {
      const opt = optim.adamw(1e-3);
      opt.update(grads, opt.init(params), otherTree);
    },
    ValueError,
    /optim: tree 1 \(the state or params\) does not have the structure of the updates; first difference at leaf 0: 'c' in the first, 'b' in the second/,
  ],
  [
    "optim.applyUpdates with a different tree",
    () => optim.applyUpdates(params, otherTree),
    ValueError,
    /applyUpdates: the updates do not have the structure of the params; first difference at/,
  ],
  [
    "optim.addDecayedWeights without params",
    () => optim.adamw(1e-3).update(grads, optim.adamw(1e-3).init(params)),
    ValueError,
    /addDecayedWeights: update needs the params/,
  ],
];

const enc = {
  encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 2, outFeatures: 4 }),
  headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2 }),
};
const rowsSsm: Row[] = [
  [
    "ssm S5 dtMin > dtMax",
    () => new ssm.S5SequenceMixerConfig({ dtMin: 0.5, dtMax: 0.1 }),
    ValueError,
    /S5SequenceMixerConfig: need dtMin ≤ dtMax; got dtMin=0\.5, dtMax=0\.1/,
  ],
  [
    "ssm S5 dtMin 0",
    () => new ssm.S5SequenceMixerConfig({ dtMin: 0 }),
    ValueError,
    /S5SequenceMixerConfig: dtMin must be a finite number > 0; got 0/,
  ],
  [
    "ssm S5 dtMax Infinity",
    () => new ssm.S5SequenceMixerConfig({ dtMax: Infinity }),
    ValueError,
    /dtMax must be a finite number > 0; got Infinity/,
  ],
  ["ssm S5 dtMax NaN", () => new ssm.S5SequenceMixerConfig({ dtMax: NaN }), ValueError, /dtMax .*got NaN/],
  [
    "ssm S5 stateDim 0",
    () => new ssm.S5SequenceMixerConfig({ stateDim: 0 }),
    ValueError,
    /stateDim must be a positive integer; got 0/,
  ],
  [
    "ssm S5 stateDim 2.5",
    () => new ssm.S5SequenceMixerConfig({ stateDim: 2.5 }),
    ValueError,
    /stateDim must be a positive integer; got 2\.5/,
  ],
  [
    "ssm S5 option typo",
    () => new ssm.S5SequenceMixerConfig({ statedim: 8 } as never),
    ValueError,
    /S5SequenceMixerConfig: unknown option 'statedim'; the options are stateDim/,
  ],
  [
    "ssm S5 stepRescale 0",
    () => new ssm.S5SequenceMixerConfig({ stepRescale: 0 }),
    ValueError,
    /stepRescale must be a finite number > 0; got 0/,
  ],
  [
    "ssm S5 conjSym as a string",
    () => new ssm.S5SequenceMixerConfig({ conjSym: "false" as never }),
    ValueError,
    /conjSym must be a boolean/,
  ],
  [
    "ssm S5 discretization typo",
    () => new ssm.S5SequenceMixerConfig({ discretization: "ZOH" as never }),
    ValueError,
    /discretization must be "zoh" or "bilinear"; got "ZOH"/,
  ],
  [
    "ssm S4D dtMin > dtMax",
    () => new ssm.S4DSequenceMixerConfig({ dtMin: 1, dtMax: 0.1 }),
    ValueError,
    /S4DSequenceMixerConfig: need dtMin ≤ dtMax/,
  ],
  [
    "ssm S4D odd stateDim",
    () => new ssm.S4DSequenceMixerConfig({ stateDim: 3 }),
    ValueError,
    /stateDim must be a positive even integer/,
  ],
  [
    "ssm S4D option typo",
    () => new ssm.S4DSequenceMixerConfig({ dt_min: 0.01 } as never),
    ValueError,
    /unknown option 'dt_min'/,
  ],
  [
    "ssm LRU rMin > rMax",
    () => new ssm.LRUSequenceMixerConfig({ rMin: 0.9, rMax: 0.5 }),
    ValueError,
    /need 0 ≤ rMin ≤ rMax ≤ 1/,
  ],
  [
    "ssm LRU stateDim 0",
    () => new ssm.LRUSequenceMixerConfig({ stateDim: 0 }),
    ValueError,
    /stateDim must be a positive integer; got 0/,
  ],
  [
    "ssm LRU maxPhase NaN",
    () => new ssm.LRUSequenceMixerConfig({ maxPhase: NaN }),
    ValueError,
    /maxPhase must be a finite number > 0; got NaN/,
  ],
  [
    "ssm LRU option typo",
    () => new ssm.LRUSequenceMixerConfig({ r_min: 0.1 } as never),
    ValueError,
    /LRUSequenceMixerConfig: unknown option 'r_min'/,
  ],
  [
    "ssm LinOSS aMax 0",
    () => new ssm.LinOSSSequenceMixerConfig({ aMax: 0 }),
    ValueError,
    /aMax and gMax must be positive|aMax must be/,
  ],
  [
    "ssm LinOSS thetaMax Infinity",
    () => new ssm.LinOSSSequenceMixerConfig({ thetaMax: Infinity }),
    ValueError,
    /thetaMax must be a finite number > 0; got Infinity/,
  ],
  [
    "ssm LinOSS option typo",
    () => new ssm.LinOSSSequenceMixerConfig({ discretisation: "IM" } as never),
    ValueError,
    /unknown option 'discretisation'/,
  ],
  [
    "ssm LinOSS stateDim 0",
    () => new ssm.LinOSSSequenceMixerConfig({ stateDim: 0 }),
    ValueError,
    /stateDim must be a positive integer; got 0/,
  ],
  [
    "ssm Mamba dtMin > dtMax",
    () => new ssm.MambaConfig({ dtMin: 0.5, dtMax: 0.1 }),
    ValueError,
    /MambaConfig: need 0 < dtMin ≤ dtMax|need dtMin ≤ dtMax/,
  ],
  [
    "ssm Mamba dState 0",
    () => new ssm.MambaConfig({ dState: 0 }),
    ValueError,
    /dState must be a positive integer; got 0/,
  ],
  [
    "ssm Mamba dtScale NaN",
    () => new ssm.MambaConfig({ dtScale: NaN }),
    ValueError,
    /dtScale must be a finite number > 0; got NaN/,
  ],
  [
    "ssm Mamba option typo",
    () => new ssm.MambaConfig({ d_state: 16 } as never),
    ValueError,
    /MambaConfig: unknown option 'd_state'/,
  ],
  [
    "ssm Mamba2 normEps -1",
    () => new ssm.Mamba2Config({ normEps: -1 }),
    ValueError,
    /normEps must be a finite number ≥ 0; got -1/,
  ],
  [
    "ssm Mamba2 option typo",
    () => new ssm.Mamba2Config({ headdim: 8 } as never),
    ValueError,
    /unknown option 'headdim'/,
  ],
  ["ssm Mamba2 dtMax NaN", () => new ssm.Mamba2Config({ dtMax: NaN }), ValueError, /dtMax|dtMin ≤ dtMax/],
  [
    "ssm DeltaNet nHeads 0",
    () => new ssm.DeltaNetSequenceMixerConfig({ nHeads: 0 }),
    ValueError,
    /nHeads must be a positive integer; got 0/,
  ],
  [
    "ssm DeltaNet option typo",
    () => new ssm.DeltaNetSequenceMixerConfig({ numHeads: 2 } as never),
    ValueError,
    /unknown option 'numHeads'/,
  ],
  [
    "ssm StandardBlockConfig dropRate 1",
    () => new ssm.StandardBlockConfig({ dropRate: 1 }),
    ValueError,
    /dropRate must be a number in \[0, 1\); got 1/,
  ],
  [
    "ssm StandardBlockConfig dropRate NaN",
    () => new ssm.StandardBlockConfig({ dropRate: NaN }),
    ValueError,
    /dropRate must be a number in \[0, 1\)/,
  ],
  [
    "ssm LinearEncoderConfig outFeatures 0",
    () => new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 0 }),
    ValueError,
    /outFeatures must be a positive integer; got 0/,
  ],
  [
    "ssm S5Config numBlocks 0",
    () => new ssm.S5Config({ numBlocks: 0, ...enc }),
    ValueError,
    /S5Config: numBlocks must be a positive integer; got 0/,
  ],
  [
    "ssm S5 mixer build with inFeatures 0",
    () => new ssm.S5SequenceMixerConfig({ stateDim: 4 }).build(0, key),
    ValueError,
    /inFeatures must be a positive integer; got 0/,
  ],
];

runTable("nn", rowsNn);
runTable("optim", rowsOptim);
runTable("ssm", rowsSsm);
void (null as unknown as Array);
