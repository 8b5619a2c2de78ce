/**
 * Eager per-op overhead: a chain of K adds of [4] arrays (`y = y + b`), each intermediate
 * released, the last one waited for — the time per op is almost all dispatch, not arithmetic.
 */
import { np } from "linax-ts";
import type { Case } from "../harness.ts";
import { linaxRunner } from "../peers/linax.ts";
import { tfjsRunner } from "../peers/tfjs.ts";
import { jaxjsRunner } from "../peers/jaxjs.ts";

const K = 1000;
const A = [1, 2, 3, 4];
const B = [0.5, -1, 2, 0.25];

export const overheadCases = (): Case[] => [
  {
    name: "eager add [4]+[4]",
    group: "overhead",
    opsPerRun: K,
    work: { amount: K, unit: "op" },
    note: `chain of ${K} adds, µs per op`,
    variants: [
      {
        impl: "linax-eager",
        setup() {
          const a = np.array(A);
          const b = np.array(B);
          return linaxRunner(() => {
            let y = np.add(a, b);
            for (let i = 1; i < K; i++) {
              const z = np.add(y, b);
              y.dispose();
              y = z;
            }
            return y;
          }, [a, b]);
        },
      },
      ...(["wasm", "cpu"] as const).map((be) => ({
        impl: be === "wasm" ? ("tfjs-wasm" as const) : ("tfjs-cpu" as const),
        setup: () =>
          tfjsRunner(be, (tf) => {
            const a = tf.tensor1d(A);
            const b = tf.tensor1d(B);
            return {
              run() {
                let y = tf.add(a, b);
                for (let i = 1; i < K; i++) {
                  const z = tf.add(y, b);
                  y.dispose();
                  y = z;
                }
                y.dispose();
              },
              inputs: [a, b],
            };
          }),
      })),
      {
        impl: "jaxjs-wasm",
        setup: () =>
          jaxjsRunner((jax) => {
            const np = jax.numpy;
            const a = np.array(A);
            const b = np.array(B);
            return {
              run() {
                let y = np.add(a.ref, b.ref);
                for (let i = 1; i < K; i++) y = np.add(y, b.ref); // consumes the previous y
                return y;
              },
              inputs: [a, b],
            };
          }),
      },
    ],
  },
];
