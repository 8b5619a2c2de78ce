/**
 * S5 cases at linax's shapes:
 * - the S5 mixer (state 64 → P32 with conjugate symmetry, H128) over a batch B16 of L1024
 *   sequences: forward, and forward + backward of the mean output with respect to the mixer's
 *   parameters — jitted linax-ts against the plain JS loop floor (bench/cases/s5-floor.ts);
 * - linax's default S5 model train step (4 blocks, H128, state 64, batch 32, L28, 28 features,
 *   10 classes, dropout 0.1, adam 1e-3; 203,402 parameters), jitted; beside the WebGPU backend also
 *   at pixel MNIST's L784 (1 feature), with S5 and with LinOSS blocks.
 * JAX+linax's figures on two Xeon cores (from issue 10) are the CPU's reference column; beside
 * WebGPU, JAX+linax on CUDA on the H100 (issue 11's fixed figures at the same shapes).
 */
import { np, random, nn, ssm, vmap, type Array } from "linax-ts";
import type { Case, Runner } from "../harness.ts";
import { linaxRunner, settle, withFastMath } from "../peers/linax.ts";
import { trainStep, type Mixer } from "../train-model.ts";
import { s5ForwardBackwardJS, s5ForwardJS, splitComplex, type S5Host } from "./s5-floor.ts";

const [MB, ML, MH, MSTATE] = [16, 1024, 128, 64];

function makeMixer(): ssm.S5SequenceMixer {
  return new ssm.S5SequenceMixerConfig({ stateDim: MSTATE }).build(MH, random.key(0));
}

const mixerInput = (b: number, l: number): Array => random.normal(random.PRNGKey(1), [b, l, MH]);
const batchedCall = (m: ssm.S5SequenceMixer, x: Array): Array => vmap((xi: Array) => m.call(xi))(x);
const meanLoss = (m: ssm.S5SequenceMixer, x: Array): Array => np.mean(batchedCall(m, x));

/** The mixer's discretised system, read to the host for the floor. */
function hostSystem(m: ssm.S5SequenceMixer): S5Host {
  const { lambdaBar, BBar, Ctilde } = m.discretize();
  const [lr, li] = splitComplex(lambdaBar.dataSync());
  const [br, bi] = splitComplex(BBar.dataSync());
  const [cr, ci] = splitComplex(Ctilde.dataSync());
  return { P: m.P, H: MH, lr, li, br, bi, cr, ci, d: Float32Array.from(m.D.dataSync()) };
}

function assertClose(what: string, got: ArrayLike<number>, want: ArrayLike<number>, rtol = 2e-3): void {
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= rtol * scale + 1e-6))
      throw new Error(`S5 floor disagrees with linax-ts on ${what} at ${i}: ${got[i]} vs ${want[i]}`);
  }
}

/**
 * Before timing the floor, its forward output and its D and C gradients are checked against
 * linax-ts on a small batch (B2, L32): a floor that computes something else would mean nothing.
 */
function checkFloor(m: ssm.S5SequenceMixer, s: S5Host): void {
  const [b, l] = [2, 32];
  const x = mixerInput(b, l);
  const u = Float32Array.from(x.dataSync());
  const y = new Float32Array(b * l * MH);
  s5ForwardJS(s, u, b, l, y);
  assertClose("the forward output", y, batchedCall(m, x).dataSync());
  const [, grads] = nn.filterValueAndGrad(meanLoss)(m, x);
  const g = s5ForwardBackwardJS(s, u, b, l, new Float32Array(b * l * MH).fill(1 / (b * l * MH)));
  assertClose("grad D", g.d, grads.D.dataSync());
  const [gcr, gci] = splitComplex(grads.C.dataSync()); // C is [H, P, 2]: pairs (re, im)
  assertClose("grad Re C", g.cr, gcr);
  assertClose("grad Im C", g.ci, gci);
}

function floorRunner(backward: boolean): Runner {
  const m = makeMixer();
  const s = hostSystem(m);
  checkFloor(m, s);
  const u = Float32Array.from(mixerInput(MB, ML).dataSync());
  const y = new Float32Array(MB * ML * MH);
  const gy = new Float32Array(MB * ML * MH).fill(1 / (MB * ML * MH));
  return { run: () => (backward ? void s5ForwardBackwardJS(s, u, MB, ML, gy) : s5ForwardJS(s, u, MB, ML, y)) };
}

function mixerCases(): Case[] {
  const tokens = { amount: MB * ML, unit: "token" };
  const shape = `B${MB} L${ML} H${MH} P${MSTATE / 2}`;
  return [
    {
      name: `S5 mixer fwd, ${shape}`,
      group: "s5",
      work: tokens,
      maxRepeats: 5,
      minWarmup: 3,
      timeoutS: 60, // the first call traces and compiles: time at least one warm run
      reference: { "jax-h100": 0.13 },
      variants: [
        {
          impl: "linax-jit",
          setup() {
            const m = makeMixer();
            const x = mixerInput(MB, ML);
            const f = nn.filterJit(batchedCall);
            return linaxRunner(() => f(m, x), [x]);
          },
        },
        { impl: "js-loop", setup: () => floorRunner(false) },
      ],
    },
    {
      name: `S5 mixer fwd+bwd, ${shape}`,
      group: "s5",
      work: tokens,
      maxRepeats: 5,
      timeoutS: 60,
      minWarmup: 3,
      reference: { "jax-linax": 125, "jax-h100": 0.55 },
      variants: [
        {
          impl: "linax-jit",
          setup() {
            const m = makeMixer();
            const x = mixerInput(MB, ML);
            const f = nn.filterJit((mm: ssm.S5SequenceMixer, xx: Array) => nn.filterValueAndGrad(meanLoss)(mm, xx));
            return linaxRunner(() => f(m, x), [x]);
          },
        },
        {
          impl: "linax-jit-fast",
          setup() {
            const m = makeMixer();
            const x = mixerInput(MB, ML);
            const f = nn.filterJit((mm: ssm.S5SequenceMixer, xx: Array) => nn.filterValueAndGrad(meanLoss)(mm, xx));
            return withFastMath(linaxRunner(() => f(m, x), [x]));
          },
        },
        { impl: "js-loop", setup: () => floorRunner(true) },
      ],
    },
  ];
}

const [TB, TH] = [32, 128];

/**
 * linax's default classifier (S5 or LinOSS blocks) and a jitted adam step on L-step sequences of
 * F features (train-model.ts, with the training state donated); each run trains one step on a
 * fixed batch.
 */
function trainStepRunner(mixer: Mixer = "s5", TL = 28, TF = 28): Runner {
  const step = trainStep(mixer, TL, TF, TB, TH, 4, { donate: true });
  return {
    async run() {
      const loss = step();
      await settle([loss]); // one call's work: the loss is ready when the whole step is
      if (!Number.isFinite((await loss.data())[0])) throw new Error("train step: the loss is not finite");
    },
    dispose: () => step.inputs.forEach((a) => a.dispose()),
  };
}

function trainCase(): Case {
  return {
    name: `S5 train step, 4 blocks H${TH} B${TB} L28`,
    group: "s5",
    work: { amount: TB * 28, unit: "token" },
    maxRepeats: 5,
    timeoutS: 60,
    reference: { "jax-linax": 40, "jax-h100": 2.4 },
    minWarmup: 8,
    variants: [
      { impl: "linax-jit", setup: () => trainStepRunner() },
      { impl: "linax-jit-fast", setup: () => withFastMath(trainStepRunner()) },
    ],
  };
}

/** Pixel MNIST's shape (L784, 1 feature): S5 and LinOSS train steps, beside the GPU figures only (the CPU takes seconds per step). */
function pixelTrainCases(): Case[] {
  return (["s5", "linoss"] as const).map((mixer) => ({
    name: `${mixer === "s5" ? "S5" : "LinOSS"} train step, 4 blocks H${TH} B${TB} L784`,
    group: "s5",
    work: { amount: TB * 784, unit: "token" },
    maxRepeats: 5,
    timeoutS: 90,
    reference: { "jax-h100": mixer === "s5" ? 3.7 : 5.6 },
    minWarmup: 8,
    backends: ["webgpu"] as const,
    variants: [{ impl: "linax-jit" as const, setup: () => trainStepRunner(mixer, 784, 1) }],
  }));
}

/** The S5 cases. */
export const s5Cases = (): Case[] => [...mixerCases(), trainCase(), ...pixelTrainCases()];
