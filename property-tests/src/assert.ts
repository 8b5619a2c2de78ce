/** Assertions on arrays for tests: values (with tolerances), shapes, dtypes. */
import assert from "node:assert/strict";
import { Array, decodeHostValues, type DType, type NestedList } from "@linax-ts/core";

export interface CloseOptions {
  rtol?: number;
  atol?: number;
  /** Require this dtype on the actual array. */
  dtype?: DType;
  /** Require this shape on the actual array. */
  shape?: readonly number[];
}

function flattenList(x: unknown, out: number[]): void {
  if (globalThis.Array.isArray(x)) for (const v of x) flattenList(v, out);
  else if (typeof x === "boolean") out.push(x ? 1 : 0);
  else out.push(x as number);
}

/** Flat numbers of an array (complex interleaved; float16/bfloat16 as their values) or nested list. */
export function toFlat(x: Array | NestedList | ArrayLike<number>): number[] {
  if (x instanceof Array) return globalThis.Array.from(decodeHostValues(x.dataSync(), x.dtype) as ArrayLike<number>);
  if (typeof x === "number" || typeof x === "boolean") return [Number(x)];
  if (ArrayBuffer.isView(x)) return globalThis.Array.from(x as ArrayLike<number>);
  const out: number[] = [];
  flattenList(x, out);
  return out;
}

/** Assert |actual - expected| <= atol + rtol·|expected| elementwise (NaNs must match). */
export function assertClose(
  actual: Array | NestedList | ArrayLike<number>,
  expected: Array | NestedList | ArrayLike<number>,
  opts: CloseOptions = {},
): void {
  const { rtol = 1e-6, atol = 1e-6 } = opts;
  if (actual instanceof Array) {
    if (opts.dtype !== undefined)
      assert.equal(actual.dtype, opts.dtype, `dtype: got ${actual.dtype}, want ${opts.dtype}`);
    if (opts.shape !== undefined)
      assert.deepEqual([...actual.shape], [...opts.shape], `shape: got [${actual.shape}], want [${opts.shape}]`);
  }
  if (expected instanceof Array && actual instanceof Array && opts.shape === undefined) {
    assert.deepEqual([...actual.shape], [...expected.shape], `shape: got [${actual.shape}], want [${expected.shape}]`);
  }
  const a = toFlat(actual);
  const e = toFlat(expected);
  assert.equal(a.length, e.length, `size: got ${a.length} values, want ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(e[i])) {
      assert.ok(Number.isNaN(a[i]), `element ${i}: got ${a[i]}, want NaN`);
      continue;
    }
    if (!Number.isFinite(e[i])) {
      assert.equal(a[i], e[i], `element ${i}: got ${a[i]}, want ${e[i]}`);
      continue;
    }
    const tol = atol + rtol * Math.abs(e[i]);
    assert.ok(
      Math.abs(a[i] - e[i]) <= tol,
      `element ${i}: got ${a[i]}, want ${e[i]} (|diff| ${Math.abs(a[i] - e[i])} > tol ${tol})\nactual:   ${a.slice(0, 20).join(", ")}\nexpected: ${e.slice(0, 20).join(", ")}`,
    );
  }
}

/** Assert exact equality of values, shape and (optionally) dtype. */
export function assertEqualArray(actual: Array, expected: NestedList | ArrayLike<number>, dtype?: DType): void {
  if (dtype !== undefined) assert.equal(actual.dtype, dtype);
  assert.deepEqual(toFlat(actual), toFlat(expected));
}
