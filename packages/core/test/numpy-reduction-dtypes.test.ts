// Accumulator and result dtypes of np.sum / np.prod (JAX's promoteIntegers, dtype "bool"),
// np.cumsum / np.cumprod (dtype "bool") and np.cumulativeSum / np.cumulativeProd (includeInitial):
// values against numpy (testdata/numpy/reduction-dtypes/, generate.py there), dtypes against JAX's
// documented rule with x64 disabled (bool → int32, int32 / uint32 unchanged: numpy's int64 is
// JAX's int32 here), jit and vmap, and argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, jit, grad, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkJit, checkVmap } from "@linax-ts/testing";

const REF = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../../../testdata/numpy/reduction-dtypes/reduction-dtypes.json", import.meta.url)),
    "utf8",
  ),
);
const b = np.array(REF.b as number[][], { dtype: "bool" });
const i = np.array(REF.i as number[][], { dtype: "int32" });
const u = np.array(REF.u as number[], { dtype: "uint32" });
const w = np.array(REF.w as number[][], { dtype: "bool" });

test("sum / prod: bool accumulates in int32 whatever promoteIntegers says (JAX's numeric pre-conversion)", () => {
  for (const promoteIntegers of [undefined, true, false]) {
    const opts = promoteIntegers === undefined ? {} : { promoteIntegers };
    assertEqualArray(np.sum(b, opts), [REF.sum_b], "int32");
    assertEqualArray(np.sum(b, 0, opts), REF.sum_b_axis0, "int32");
    assertEqualArray(np.prod(b, 1, opts), REF.prod_b_axis1, "int32");
  }
});

test("sum / prod: int32 and uint32 keep their dtype (already the default width; uint32 wraps mod 2^32)", () => {
  for (const promoteIntegers of [true, false]) {
    assertEqualArray(np.sum(u, { promoteIntegers }), [REF.sum_u], "uint32");
    assertEqualArray(np.sum(i, 1, { promoteIntegers }), [9, 4, 4], "int32");
    assert.equal(np.prod(i, { axis: 0, promoteIntegers }).dtype, "int32");
  }
  // Floats are untouched by the option; half sums stay half.
  assert.equal(np.sum(np.array([1, 2], { dtype: "float16" }), { promoteIntegers: false }).dtype, "float16");
  assert.equal(np.sum(np.array([1.5, 2])).dtype, "float32");
  // promoteIntegers is ignored when dtype is given (JAX's rule).
  assertClose(np.sum(b, 1, { dtype: "float32", promoteIntegers: false }), REF.sum_b_float, { dtype: "float32" });
});

test("sum / prod with dtype bool reduce with logical or / and (numpy's bool add / multiply)", () => {
  assertEqualArray(np.sum(i, 1, { dtype: "bool" }), REF.sum_i_bool_axis1, "bool");
  assertEqualArray(np.sum(i, 0, { dtype: "bool" }), REF.sum_i_bool_axis0, "bool");
  assertEqualArray(np.prod(i, 0, { dtype: "bool" }), REF.prod_i_bool_axis0, "bool");
  assertEqualArray(np.prod(i, 1, { dtype: "bool" }), REF.prod_i_bool_axis1, "bool");
  assertEqualArray(np.sum(i, 1, { dtype: "bool", where: w }), REF.sum_i_bool_where_axis1, "bool");
  // keepdims and an empty reduction: or of nothing is false, and of nothing is true.
  assertEqualArray(np.sum(i, 1, { dtype: "bool", keepdims: true }), [[1], [1], [1]], "bool");
  assert.deepEqual(np.sum(i, 1, { dtype: "bool", keepdims: true }).shape, [3, 1]);
  const empty = np.zeros([0, 2], { dtype: "int32" });
  assertEqualArray(np.sum(empty, 0, { dtype: "bool" }), [0, 0], "bool");
  assertEqualArray(np.prod(empty, 0, { dtype: "bool" }), [1, 1], "bool");
  // initial in the bool accumulator: or/and with bool(initial).
  assertEqualArray(np.sum(empty, 0, { dtype: "bool", initial: 1 }), [1, 1], "bool");
  assertEqualArray(np.prod(i, 1, { dtype: "bool", initial: 0 }), [0, 0, 0], "bool");
  // where + initial in int32 (bool input): numpy's values.
  assertEqualArray(np.prod(b, 1, { where: w, initial: 2 }), REF.prod_b_where_initial_axis1, "int32");
});

test("sum / prod dtype handling under jit and vmap equals eager", () => {
  checkJit((x: Array) => np.sum(x, 1, { dtype: "bool" }), [i]);
  checkJit((x: Array) => np.prod(x, 0, { promoteIntegers: false }), [b]);
  checkJit((x: Array) => np.sum(x, { promoteIntegers: true }), [u]);
  checkVmap((x: Array) => np.sum(x, { dtype: "bool" }), [i]);
  checkVmap((x: Array) => np.prod(x, { dtype: "bool", where: np.array([true, false, true, true]) }), [i]);
  assertEqualArray(jit((x: Array) => np.sum(x))(b), [REF.sum_b], "int32");
  // The float path is still differentiable: d/dx Σ x = 1.
  assertClose(grad((x: Array) => np.sum(x, { promoteIntegers: false }))(np.array([1, 2, 3])), [1, 1, 1]);
});

test("cumsum / cumprod: bool input counts in int32; dtype bool is a running or / and", () => {
  assertEqualArray(np.cumsum(b), REF.cumsum_b, "int32");
  assertEqualArray(np.cumprod(b, 0), REF.cumprod_b_axis0, "int32");
  assertEqualArray(np.cumsum(i, 1, { dtype: "bool" }), REF.cumsum_i_bool_axis1, "bool");
  assertEqualArray(np.cumprod(i, 1, { dtype: "bool" }), REF.cumprod_i_bool_axis1, "bool");
  assertEqualArray(
    np.cumsum(b, { axis: 1, dtype: "bool" }),
    [
      [1, 1, 1, 1],
      [0, 0, 1, 1],
      [1, 1, 1, 1],
    ],
    "bool",
  );
  checkJit((x: Array) => np.cumsum(x, 1, { dtype: "bool" }), [i]);
  checkVmap((x: Array) => np.cumprod(x, { dtype: "bool" }), [i]);
});

test("cumulativeSum / cumulativeProd: numpy 2's values, includeInitial, bool → int32", () => {
  assertEqualArray(np.cumulativeSum(i, { axis: 1, includeInitial: true }), REF.cumulative_sum_i_axis1_initial, "int32");
  assertEqualArray(np.cumulativeSum(b, { axis: 0 }), REF.cumulative_sum_b_axis0, "int32");
  assertEqualArray(
    np.cumulativeProd(i, { axis: 0, includeInitial: true }),
    REF.cumulative_prod_i_axis0_initial,
    "int32",
  );
  assert.deepEqual(np.cumulativeProd(i, { axis: 0, includeInitial: true }).shape, [4, 4]);
  assertClose(np.cumulativeSum(np.array([1.5, -2, 4.25])), REF.cumulative_sum_1d, { dtype: "float32" });
  assertClose(np.cumulativeSum(np.array([1.5, -2, 4.25]), { includeInitial: true, axis: -1 }), [
    0,
    ...REF.cumulative_sum_1d,
  ]);
  assertEqualArray(np.cumulativeSum(i, { axis: 1, dtype: "bool" }), REF.cumsum_i_bool_axis1, "bool");
  checkJit((x: Array) => np.cumulativeSum(x, { axis: 1, includeInitial: true }), [i]);
  checkVmap(
    (x: Array) => np.cumulativeProd(x, { includeInitial: true }),
    [
      np.array([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ],
  );
  // d/dx_j Σ_k cumsum(x)_k = n - j.
  assertClose(
    grad((x: Array) => np.sum(np.cumulativeSum(x, { includeInitial: true })))(np.array([1, 2, 3, 4])),
    [4, 3, 2, 1],
  );
});

test("reduction dtype options: bad arguments raise clear errors", () => {
  assert.throws(
    () => np.sum(b, { promoteIntegers: 1 as unknown as boolean }),
    /sum: 'promoteIntegers' must be a boolean/,
  );
  assert.throws(() => np.mean(b, { promoteIntegers: true } as never), /mean: unknown option 'promoteIntegers'/);
  assert.throws(() => np.cumsum(b, { promoteIntegers: true } as never), /cumsum: unknown option 'promoteIntegers'/);
  assert.throws(
    () => np.cumulativeSum(i),
    (e: Error) =>
      e instanceof ValueError && /2 dimensions.*'axis' may be left out only for a 1-d input/.test(e.message),
  );
  assert.throws(() => np.cumulativeSum(np.array(3)), /np.cumulativeSum: the input must not be a scalar/);
  assert.throws(() => np.cumulativeProd(i, { axis: 2 }), /axis 2 is out of bounds|axis/);
  assert.throws(() => np.cumulativeSum(i, { axis: 0, initial: 1 } as never), /unknown option 'initial'/);
});
