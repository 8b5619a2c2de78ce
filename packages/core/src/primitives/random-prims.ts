/**
 * Primitives of the PRNG (`random` namespace), with all of their rules:
 *
 * - `threefry2x32` — JAX's `threefry2x32_p`: the Threefry-2x32 block cipher (20 rounds, Random123),
 *   hashing counter pairs `(x0, x1)` under keys `(k0, k1)`. Its `impl` is a composition of uint32
 *   lax ops (add, xor, shifts), so a backend without a kernel still runs it, bit for bit.
 * - `fma` — `x·y + z` rounded once (float32). JAX's `uniform` computes `f·(max−min) + min`, and
 *   XLA:CPU contracts that multiply-add into a fused one; reproducing JAX's samples bit for bit
 *   needs the single rounding, which `mul` then `add` (two roundings) cannot give.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, type BatchDim, type Primitive } from "../core/primitive.ts";
import { DTypeError, ShapeError } from "../errors.ts";
import { fmtShape, shapeEq } from "../shape.ts";
import { bdimToFront } from "./batching.ts";
import { add, checkIn, checkSameShapeDType, elementwiseBatch, fullLike, mul, REAL_FLOAT } from "./elementwise.ts";
import { bitwiseOr, bitwiseXor, shiftLeft, shiftRightLogical } from "./elementwise-logic.ts";
import { broadcastInDim, reshape } from "./shape-ops.ts";

// ------------------------------------------------------------------ threefry2x32

const THREEFRY_ARGS = ["k0", "k1", "x0", "x1"] as const;

/**
 * The common shape of the four operands: each is a scalar or has the common rank, and non-scalar
 * operands broadcast along size-1 axes (JAX's `threefry2x32_p` takes broadcasting operands too;
 * the usual call has scalar key words and full-shape counters).
 */
function threefryShape(avals: readonly ShapedArray[]): number[] {
  let out: number[] | null = null;
  for (const a of avals) {
    if (a.ndim === 0) continue;
    if (out === null) {
      out = [...a.shape];
      continue;
    }
    const o: number[] = out;
    const ok = a.ndim === o.length && a.shape.every((d, i) => d === o[i] || d === 1 || o[i] === 1);
    if (!ok) {
      throw new ShapeError(
        `threefry2x32: operands must be scalars or broadcast against each other along size-1 axes; got ${avals.map((x, i) => `${THREEFRY_ARGS[i]} ${fmtShape(x.shape)}`).join(", ")}`,
      );
    }
    out = o.map((d, i) => (d === 1 ? a.shape[i] : d));
  }
  return out ?? [];
}

/** Rotation amounts of Threefry-2x32's rounds: the two sets alternate every 4 rounds. */
export const THREEFRY_ROTATIONS: readonly (readonly number[])[] = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
];
/** Threefry's key-schedule parity constant (the third key word is k0 ^ k1 ^ this). */
export const THREEFRY_PARITY = 0x1bd11bda;

/** `v` rotated left by `d` bits (uint32): `(v << d) | (v >>> (32 - d))`. */
function rotl(v: Array, d: number): Array {
  return bitwiseOr(shiftLeft(v, fullLike(v, d)), shiftRightLogical(v, fullLike(v, 32 - d)));
}

/**
 * The cipher as uint32 lax ops, the fallback for backends without a kernel: 5 groups of 4 rounds
 * (`a += b; b = rotl(b, r) ^ a`), each followed by a key injection that adds the next key-schedule
 * words and the injection counter to the second word.
 */
function threefryImpl(args: readonly Array[]): Array[] {
  const shape = threefryShape(args.map((a) => a.aval));
  const full = args.map((a) =>
    shapeEq(a.shape, shape) ? a : broadcastInDim(a, shape, a.ndim === 0 ? [] : shape.map((_, i) => i)),
  );
  const [k0, k1, x0, x1] = full;
  const ks = [k0, k1, bitwiseXor(bitwiseXor(k0, k1), fullLike(k0, THREEFRY_PARITY))];
  let a = add(x0, ks[0]);
  let b = add(x1, ks[1]);
  for (let inj = 1; inj <= 5; inj++) {
    for (const r of THREEFRY_ROTATIONS[(inj - 1) % 2]) {
      a = add(a, b);
      b = bitwiseXor(rotl(b, r), a);
    }
    a = add(a, ks[inj % 3]);
    b = add(add(b, ks[(inj + 1) % 3]), fullLike(b, inj));
  }
  return [a, b];
}

/**
 * Batch rule: the batch axis goes to the front of every batched operand. Scalars that are not
 * batched stay scalars (they broadcast); every other operand gets rank `1 + core rank`, with a
 * size-1 axis where it is not batched or where a batched scalar meets non-scalar counters, so
 * the operands broadcast without materializing copies.
 */
function threefryBatch(
  args: readonly Array[],
  dims: readonly BatchDim[],
  _p: Record<string, never>,
  axis: { size: number },
): [Array[], BatchDim[]] {
  const coreRank = Math.max(...args.map((a, i) => a.ndim - (dims[i] === null ? 0 : 1)));
  const moved = args.map((a, i) => {
    const d = dims[i];
    if (d === null) return a.ndim === 0 ? a : reshape(a, [1, ...a.shape]);
    const front = bdimToFront(a, d, axis.size);
    return front.ndim === 1 && coreRank > 0
      ? reshape(front, [axis.size, ...new globalThis.Array<number>(coreRank).fill(1)])
      : front;
  });
  const outs = threefry2x32P.bind(moved, {});
  return [outs, [0, 0]];
}

export const threefry2x32P: Primitive<Record<string, never>> = definePrimitive<Record<string, never>>("threefry2x32", {
  abstractEval(avals) {
    if (avals.length !== 4)
      throw new ShapeError(`threefry2x32: takes 4 operands (k0, k1, x0, x1); got ${avals.length}`);
    avals.forEach((a, i) => {
      if (a.dtype !== "uint32")
        throw new DTypeError(
          `threefry2x32: operand '${THREEFRY_ARGS[i]}' has dtype ${a.dtype}; all operands must be uint32`,
        );
    });
    const shape = threefryShape(avals);
    return [new ShapedArray(shape, "uint32"), new ShapedArray(shape, "uint32")];
  },
  impl: (args) => threefryImpl(args),
  // The outputs are integers: no tangent flows through the hash.
  jvp(primals) {
    return [threefry2x32P.bind(primals, {}), [null, null]];
  },
  batch: threefryBatch,
});

/**
 * `threefry2x32_p.bind(k0, k1, x0, x1)`: the Threefry-2x32 hash of the counter pairs `(x0, x1)`
 * under the key `(k0, k1)`; uint32 operands that are scalars or broadcast along size-1 axes.
 * Returns the two output words `[y0, y1]`.
 */
export function threefry2x32Hash(k0: Array, k1: Array, x0: Array, x1: Array): [Array, Array] {
  const [y0, y1] = threefry2x32P.bind([k0, k1, x0, x1], {});
  return [y0, y1];
}

// ------------------------------------------------------------------ fma

/**
 * `fma(x, y, z) = x·y + z` with a single rounding (float32, equal shapes). The composite `impl`
 * (for backends without a kernel) rounds twice and can differ by an ulp; the CPU kernel is exact.
 * JVP: `dx·y + x·dy + dz`, through `mul`/`add`, so reverse mode needs no transpose rule here.
 */
export const fmaP: Primitive = definePrimitive("fma", {
  abstractEval(avals) {
    if (avals.length !== 3) throw new ShapeError(`fma: takes 3 operands (x, y, z); got ${avals.length}`);
    checkSameShapeDType("fma", avals);
    checkIn("fma", REAL_FLOAT, avals[0], "x");
    const [x, y, z] = avals;
    return [new ShapedArray(x.shape, x.dtype, x.weakType && y.weakType && z.weakType)];
  },
  impl: ([x, y, z]) => [add(mul(x, y), z)],
  jvpWithZeros([x, y, z], [dx, dy, dz]) {
    const out = fmaP.bind1([x, y, z], {});
    const parts: Array[] = [];
    if (dx !== null) parts.push(mul(dx, y));
    if (dy !== null) parts.push(mul(x, dy));
    if (dz !== null) parts.push(dz);
    return [[out], [parts.length === 0 ? null : parts.reduce((p, q) => add(p, q))]];
  },
  batch: (args, dims, params, axis) => elementwiseBatch(fmaP)(args, dims, params, axis),
});

/** `x·y + z` rounded once (float32 operands of equal shape). */
export function fma(x: Array, y: Array, z: Array): Array {
  return fmaP.bind1([x, y, z], {});
}
