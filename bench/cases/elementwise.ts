/**
 * Memory-bound cases on 4M floats (16 MiB per array): the jitted chain `tanh(x·1.7+0.3)·x`, a
 * plain add `x + y` (the bandwidth target) and a full sum. Work is counted in bytes that must
 * cross memory at least once (inputs read, output written), for GB/s against the measured
 * bandwidth. tfjs has no jit: it runs the ops eagerly inside `tidy`; jax-js runs under its jit (on
 * its webgpu device beside the WebGPU backend).
 */
import { np, random, jit, type Array } from "linax-ts";
import type { Case, Variant } from "../harness.ts";
import { linaxRunner, withFastMath } from "../peers/linax.ts";
import { tfjsRunner, type Tf } from "../peers/tfjs.ts";
import { jaxjsRunner, type Jax, type JaxArray } from "../peers/jaxjs.ts";

const N = 1 << 22;

/** One memory-bound computation written once per library. */
interface Spec {
  name: string;
  /** Whether it calls transcendental functions (then a fastMath variant runs too). */
  transcendental?: boolean;
  inputs: number;
  outputElems: number;
  linax(...xs: Array[]): Array;
  tfjs(tf: Tf, ...xs: import("@tensorflow/tfjs-core").Tensor[]): import("@tensorflow/tfjs-core").Tensor;
  /** Consumes its arguments, jax-js style. */
  jaxjs(jax: Jax, ...xs: JaxArray[]): JaxArray;
}

const SPECS: Spec[] = [
  {
    name: "tanh(x·1.7+0.3)·x",
    transcendental: true,
    inputs: 1,
    outputElems: N,
    linax: (x) => np.tanh(x.mul(1.7).add(0.3)).mul(x),
    tfjs: (tf, x) => tf.mul(tf.tanh(tf.add(tf.mul(x, 1.7), 0.3)), x),
    jaxjs: (jax, x) => jax.numpy.tanh(x.ref.mul(1.7).add(0.3)).mul(x),
  },
  {
    name: "add x+y",
    inputs: 2,
    outputElems: N,
    linax: (x, y) => np.add(x, y),
    tfjs: (tf, x, y) => tf.add(x, y),
    jaxjs: (jax, x, y) => jax.numpy.add(x, y),
  },
  {
    name: "sum",
    inputs: 1,
    outputElems: 1,
    linax: (x) => np.sum(x),
    tfjs: (tf, x) => tf.sum(x),
    jaxjs: (jax, x) => jax.numpy.sum(x),
  },
];

function elementwiseCase(s: Spec): Case {
  const linaxInputs = (): Array[] =>
    globalThis.Array.from({ length: s.inputs }, (_, i) =>
      random.uniform(random.PRNGKey(i), [N], { minval: -2, maxval: 2 }),
    );
  const variants: Variant[] = [
    {
      impl: "linax-eager",
      setup() {
        const xs = linaxInputs();
        return linaxRunner(() => s.linax(...xs), xs);
      },
    },
    {
      impl: "linax-jit",
      setup() {
        const xs = linaxInputs();
        const f = jit((...a: Array[]) => s.linax(...a));
        return linaxRunner(() => f(...xs), xs);
      },
    },
    ...(s.transcendental
      ? [
          {
            impl: "linax-jit-fast" as const,
            setup() {
              const xs = linaxInputs();
              const f = jit((...a: Array[]) => s.linax(...a));
              return withFastMath(linaxRunner(() => f(...xs), xs));
            },
          },
        ]
      : []),
    ...(["wasm", "cpu"] as const).map((be): Variant => ({
      impl: be === "wasm" ? "tfjs-wasm" : "tfjs-cpu",
      setup: () =>
        tfjsRunner(be, (tf) => {
          const xs = globalThis.Array.from({ length: s.inputs }, (_, i) => tf.randomUniform([N], -2, 2, "float32", i));
          return { run: () => tf.tidy(() => s.tfjs(tf, ...xs)).dispose(), inputs: xs };
        }),
    })),
    ...(["wasm", "webgpu"] as const).map((device): Variant => ({
      impl: device === "wasm" ? "jaxjs-wasm" : "jaxjs-webgpu",
      setup: () =>
        jaxjsRunner((jax) => {
          const xs = globalThis.Array.from({ length: s.inputs }, (_, i) =>
            jax.random.uniform(jax.random.key(i), [N], { minval: -2, maxval: 2 }),
          );
          const f = jax.jit((...a: JaxArray[]) => s.jaxjs(jax, ...a));
          return { run: () => f(...xs.map((x) => x.ref)), inputs: xs };
        }, device),
    })),
  ];
  return {
    name: `${s.name}, 4M f32`,
    group: "memory-bound",
    work: { amount: 4 * (s.inputs * N + s.outputElems), unit: "B" },
    variants,
  };
}

/** The memory-bound cases. */
export const elementwiseCases = (): Case[] => SPECS.map(elementwiseCase);
