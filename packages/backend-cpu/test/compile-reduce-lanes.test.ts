/**
 * Reductions rendered four outputs at a time (src/compile/render-reduce-simd.ts) equal the
 * reference kernels bit for bit: sums, maxes and mins over leading axes with the output axis
 * contiguous, fused prologues with per-output (x − m[o]) and broadcast operands, output extents
 * that leave a scalar tail, NaN/±inf/−0 inputs, and the kernel pool's split of the outputs
 * (threads on by default: these sizes pass LINAX_POOL_MIN_WORK). Each case asserts that the
 * four-wide path was really taken.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { config, jit, np, random, type Array } from "linax-ts";
import { outputLanesStats } from "../src/compile/render-reduce-simd.ts";

function sameBits(got: Array, want: Array, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    if (Number.isNaN(g[i]) && Number.isNaN(w[i])) continue;
    if (!Object.is(g[i], w[i])) assert.fail(`${what}: element ${i}: compiled ${g[i]}, reference ${w[i]}`);
  }
}

/** f jitted, compiled and interpreted; asserts equal bits and that `lanes` kernels were rendered four wide. */
function check(what: string, f: (...xs: Array[]) => Array, args: Array[], lanes = true): void {
  const before = outputLanesStats.kernels;
  const got = jit(f)(...args);
  if (lanes) assert.ok(outputLanesStats.kernels > before, `${what}: rendered four outputs at a time`);
  config.update("jitCompile", false);
  try {
    sameBits(got, jit(f)(...args), what);
  } finally {
    config.update("jitCompile", true);
  }
}

/** Values with every sign, scale and special in them (NaN, ±inf, −0 where `specials`). */
function values(key: number, shape: number[], specials: boolean): Array {
  const x = random.normal(random.key(key), shape).mul(np.exp(random.normal(random.key(key + 1), shape).mul(4)));
  if (!specials) return x;
  const n = shape.reduce((a, b) => a * b, 1);
  const mask = np.arange(n).reshape(shape);
  return np.where(
    np.equal(np.remainder(mask, 29), 3),
    NaN,
    np.where(np.equal(np.remainder(mask, 31), 5), Infinity, np.where(np.equal(np.remainder(mask, 37), 7), -0, x)),
  );
}

test("sum / max / min over the batch of [B, L, H] (the output axis contiguous), with and without specials", () => {
  for (const [B, L, H] of [
    [32, 28, 128],
    [5, 3, 7],
    [2, 1, 6],
    [9, 4, 13],
  ]) {
    for (const specials of [false, true]) {
      const x = values(B * 100 + H, [B, L, H], specials);
      const tag = `[${B},${L},${H}]${specials ? " specials" : ""}`;
      check(`sum ${tag}`, (a) => np.sum(a, 0), [x]);
      check(`max ${tag}`, (a) => np.max(a, 0), [x]);
      check(`min ${tag}`, (a) => np.min(a, 0), [x]);
      check(`sum over two leading axes ${tag}`, (a) => np.sum(a, { axis: [0, 1] }), [x]);
    }
  }
});

test("fused prologues: per-output operands, broadcast scalars, transcendental routines, a transposed output", () => {
  const x = values(7, [16, 6, 20], false);
  const m = values(8, [20], false);
  const s = values(9, [], false);
  check("Σ (x − m[o])²", (a, b) => np.sum(np.square(np.subtract(a, b)), 0), [x, m]);
  check("Σ tanh(x·s)", (a, c) => np.sum(np.tanh(np.multiply(a, c)), [0, 1]), [x, s]);
  check("max exp(x − m)", (a, b) => np.max(np.exp(np.subtract(a, b)), 0), [x, m]);
  check("Σ x·[x > 0]", (a) => np.sum(np.where(np.greater(a, 0), a, 0), 1), [x]);
  // Reducing the contiguous axis cannot take the four-wide path (its outputs are not contiguous in the input).
  check("Σ over the last axis", (a) => np.sum(a, -1), [x], false);
});

test("random shapes and axes: compiled == reference (fast-check)", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 19 }),
      fc.constantFrom("sum", "max", "min"),
      fc.integer({ min: 0, max: 1000 }),
      (a, b, c, op, seed) => {
        const x = values(seed, [a, b, c], seed % 2 === 0);
        const red = op === "sum" ? np.sum : op === "max" ? np.max : np.min;
        check(`${op} [${a},${b},${c}] axis 0`, (t) => red(t, 0), [x], c >= 4);
      },
    ),
    { numRuns: 40 },
  );
});
