/**
 * f32 matrix multiplication n×n·n×n, eager and jitted linax-ts against tfjs (Wasm, CPU) and
 * jax-js (wasm; beside the WebGPU backend, jax-js on its webgpu device). Inputs are standard normal; the work is 2n³ FLOP.
 */
import { np, random, jit, type Array } from "linax-ts";
import type { Case, Variant } from "../harness.ts";
import { linaxRunner } from "../peers/linax.ts";
import { tfjsRunner } from "../peers/tfjs.ts";
import { jaxjsRunner, type JaxArray } from "../peers/jaxjs.ts";

function matmulCase(n: number): Case {
  const linaxInputs = (): [Array, Array] => [
    random.normal(random.PRNGKey(0), [n, n]),
    random.normal(random.PRNGKey(1), [n, n]),
  ];
  const variants: Variant[] = [
    {
      impl: "linax-eager",
      setup() {
        const [a, b] = linaxInputs();
        return linaxRunner(() => np.matmul(a, b), [a, b]);
      },
    },
    {
      impl: "linax-jit",
      setup() {
        const [a, b] = linaxInputs();
        const f = jit((x: Array, y: Array) => np.matmul(x, y));
        return linaxRunner(() => f(a, b), [a, b]);
      },
    },
    ...(["wasm", "cpu"] as const).map((be): Variant => ({
      impl: be === "wasm" ? "tfjs-wasm" : "tfjs-cpu",
      setup: () =>
        tfjsRunner(be, (tf) => {
          const a = tf.randomNormal([n, n], 0, 1, "float32", 0);
          const b = tf.randomNormal([n, n], 0, 1, "float32", 1);
          return { run: () => tf.matMul(a, b).dispose(), inputs: [a, b] };
        }),
    })),
    ...(["wasm", "webgpu"] as const).map((device): Variant => ({
      impl: device === "wasm" ? "jaxjs-wasm" : "jaxjs-webgpu",
      setup: () =>
        jaxjsRunner((jax) => {
          const [ka, kb] = [jax.random.key(0), jax.random.key(1)];
          const a = jax.random.normal(ka, [n, n]);
          const b = jax.random.normal(kb, [n, n]);
          // On webgpu under its jit, as linax-ts's jit variant (jax-js's eager matmul is slower there).
          const f = device === "webgpu" ? jax.jit((x: JaxArray, y: JaxArray) => jax.numpy.matmul(x, y)) : null;
          return { run: () => (f === null ? jax.numpy.matmul(a.ref, b.ref) : f(a.ref, b.ref)), inputs: [a, b] };
        }, device),
    })),
  ];
  return {
    name: `matmul ${n}³`,
    group: "matmul",
    work: { amount: 2 * n ** 3, unit: "FLOP" },
    // The big sizes take seconds per run today; a few repetitions suffice for a median.
    maxRepeats: n >= 2048 ? 3 : n >= 1024 ? 5 : undefined,
    // An implementation at 1 GFLOP/s would spend half a minute per 2048³ run: predict from 1024³.
    predictFrom: n >= 2048 ? { case: `matmul ${n / 2}³`, factor: 8 } : undefined,
    variants,
  };
}

/** The matmul cases, 256³ to 2048³. */
export const matmulCases = (): Case[] => [256, 512, 1024, 2048].map(matmulCase);
