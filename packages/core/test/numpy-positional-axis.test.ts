// numpy's positional `axis` (np.nansum(x, 0), np.quantile(a, q, 1), np.diff(a, 1, 0),
// np.trapezoid(y, x, dx, axis), np.average(a, axis, weights, returned)) for the NaN reductions,
// statistics and calculus functions: the positional and options spellings agree, both equal
// hand-derived values, and unknown keys / wrong kinds / doubled arguments raise ValueError.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";

// [[1, NaN, 3], [NaN, 5, 6]]: column sums ignoring NaN 1, 5, 9; row sums 4, 11; total 15.
const M = (): Array =>
  np.array([
    [1, NaN, 3],
    [NaN, 5, 6],
  ]);

test("NaN reductions take axis positionally, equal to the options form and to hand values", () => {
  const m = M();
  for (const [axis, want] of [
    [0, [1, 5, 9]],
    [-1, [4, 11]],
    [1, [4, 11]],
  ] as const) {
    assertClose(np.nansum(m, axis), want, { shape: [want.length] });
    assertClose(np.nansum(m, { axis }), want, { shape: [want.length] });
  }
  assertClose(np.nansum(m, 0, { keepdims: true }), [[1, 5, 9]], { shape: [1, 3] });
  assertClose(np.nansum(m, null), 15, { shape: [] });
  assertClose(np.nanprod(m, 0), [1, 5, 18]);
  assertClose(np.nanmean(m, 0), [1, 5, 4.5]);
  assertClose(np.nanmean(m, -1), [2, 5.5]);
  // Row 0 keeps {1, 3}: mean 2, variance 1; row 1 keeps {5, 6}: variance 0.25 (ddof 0) or 0.5 (ddof 1).
  assertClose(np.nanvar(m, 1), [1, 0.25]);
  assertClose(np.nanvar(m, 1, { ddof: 1 }), [2, 0.5]);
  assertClose(np.nanstd(m, -1), [1, 0.5]);
  assertClose(np.nanmax(m, 0), [1, 5, 6]);
  assertClose(np.nanmin(m, 1), [1, 5]);
  assertEqualArray(np.nanargmax(m, 1), [2, 2], "int32");
  assertEqualArray(np.nanargmin(m, 0), [0, 1, 0], "int32");
  assertEqualArray(np.nanargmin(m, { axis: 0 }), [0, 1, 0], "int32");
  assertClose(
    np.nancumsum(m, 1),
    [
      [1, 1, 4],
      [0, 5, 11],
    ],
    { shape: [2, 3] },
  );
  assertClose(
    np.nancumprod(m, 0),
    [
      [1, 1, 3],
      [1, 5, 18],
    ],
    { shape: [2, 3] },
  );
});

test("NaN reductions reject unknown options, wrong kinds and a doubled axis", () => {
  const m = M();
  assert.throws(
    () => np.nansum(m, { axsi: 0 } as never),
    (e: unknown) => e instanceof ValueError && /nansum: unknown option 'axsi'/.test(e.message),
  );
  assert.throws(
    () => np.nanmean(m, "0" as never),
    (e: unknown) => e instanceof ValueError && /nanmean: 'axis' must be/.test(e.message),
  );
  assert.throws(
    () => np.nanmax(m, 0, { axis: 1 } as never),
    (e: unknown) => e instanceof ValueError && /multiple values for 'axis'/.test(e.message),
  );
  assert.throws(
    () => np.nanargmax(m, [0, 1] as never),
    (e: unknown) => e instanceof ValueError && /nanargmax: 'axis' must be an integer axis or null/.test(e.message),
  );
  assert.throws(
    () => np.nanvar(m, 0, { ddof: "1" } as never),
    (e: unknown) => e instanceof ValueError && /'ddof' must be a number/.test(e.message),
  );
  assert.throws(
    () => np.nanToNum(m, { nann: 0 } as never),
    (e: unknown) => e instanceof ValueError && /nanToNum: unknown option 'nann'/.test(e.message),
  );
});

// A = [[1, 2, 3], [4, 5, 6], [7, 8, 10]]: column medians 4, 5, 6; row medians 2, 5, 8.
const A = (): Array =>
  np.array([
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 10],
  ]);

test("quantile / percentile / median take axis right after the data", () => {
  const a = A();
  assertClose(np.median(a, 0), [4, 5, 6]);
  assertClose(np.median(a, { axis: 0 }), [4, 5, 6]);
  assertClose(np.median(a, -1), [2, 5, 8]);
  assertClose(np.median(a, 1, { keepdims: true }), [[2], [5], [8]], { shape: [3, 1] });
  assertClose(np.quantile(a, 0.5, 1), [2, 5, 8]);
  // [1, 2, 3, 4], q = 0.25, linear: index 3·0.25 = 0.75 → 1.75; "lower" takes index 0 → 1.
  const v = np.array([[1], [2], [3], [4]]);
  assertClose(np.quantile(v, 0.25, 0), [1.75], { shape: [1] });
  assertClose(np.quantile(v, 0.25, 0, { method: "lower" }), [1], { shape: [1] });
  assertClose(np.quantile(v, 0.25, { axis: 0, method: "lower" }), [1], { shape: [1] });
  assertClose(np.percentile(v, 50, 0), [2.5], { shape: [1] });
  assertClose(np.percentile(v, [25, 50], 0), [[1.75], [2.5]], { shape: [2, 1] });
  assert.throws(
    () => np.median(a, { method: "linear" } as never),
    (e: unknown) => e instanceof ValueError && /median: unknown option 'method'/.test(e.message),
  );
  assert.throws(
    () => np.quantile(a, 0.5, 1, { axis: 0 } as never),
    (e: unknown) => e instanceof ValueError && /multiple values for 'axis'/.test(e.message),
  );
  assert.throws(
    () => np.percentile(a, 50, { keepdim: true } as never),
    (e: unknown) => e instanceof ValueError && /percentile: unknown option 'keepdim'/.test(e.message),
  );
});

test("average(a, axis, weights, returned), ptp(a, axis), countNonzero(a, axis)", () => {
  const a = A();
  assertClose(np.average(a, 1), [2, 5, 25 / 3]);
  assertClose(np.average(a, { axis: 1 }), [2, 5, 25 / 3]);
  // [[1, 2], [3, 4]] with weights [1, 3] along axis 1: (1 + 6)/4 = 1.75, (3 + 12)/4 = 3.75.
  const b = np.array([
    [1, 2],
    [3, 4],
  ]);
  assertClose(np.average(b, 1, [1, 3]), [1.75, 3.75]);
  assertClose(np.average(b, 1, { weights: [1, 3] }), [1.75, 3.75]);
  assertClose(np.average(b, { axis: 1, weights: [1, 3] }), [1.75, 3.75]);
  const [avg, wsum] = np.average(b, 1, [1, 3], true);
  assertClose(avg, [1.75, 3.75]);
  assertClose(wsum, [4, 4]);
  const [avg2, wsum2] = np.average(b, 0, null, true, { keepdims: true });
  assertClose(avg2, [[2, 3]], { shape: [1, 2] });
  assertClose(wsum2, [[2, 2]], { shape: [1, 2] });
  assert.throws(
    () => np.average(b, 1, [1, 3], "yes" as never),
    (e: unknown) => e instanceof ValueError && /average: 'returned' must be a boolean/.test(e.message),
  );
  assert.throws(
    () => np.average(b, 1, { axis: 0 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'axis'/.test(e.message),
  );
  assert.throws(
    () => np.average(b, { wieghts: [1, 3] } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'wieghts'/.test(e.message),
  );

  assertClose(np.ptp(a, 0), [6, 6, 7]);
  assertClose(np.ptp(a, -1), [2, 2, 3]);
  assertClose(np.ptp(a, { axis: -1 }), [2, 2, 3]);
  assert.throws(
    () => np.ptp(a, 0.5 as never),
    (e: unknown) => e instanceof ValueError && /ptp: 'axis' must be/.test(e.message),
  );
  const z = np.array([
    [0, 1, 2],
    [0, 0, 3],
  ]);
  assertEqualArray(np.countNonzero(z, 0), [0, 1, 2], "int32");
  assertEqualArray(np.countNonzero(z, -1), [2, 1], "int32");
  assertEqualArray(np.countNonzero(z, { axis: -1 }), [2, 1], "int32");
  assert.throws(
    () => np.countNonzero(z, { keepdim: true } as never),
    (e: unknown) => e instanceof ValueError && /countNonzero: unknown option 'keepdim'/.test(e.message),
  );
});

test("diff(a, n, axis) and trapezoid(y, x, dx, axis) in numpy's positional order", () => {
  const x = np.array([
    [1, 3, 6],
    [2, 2, 9],
  ]);
  assertClose(np.diff(x, 1, 0), [[1, -1, 3]], { shape: [1, 3] });
  assertClose(np.diff(x, 1, { axis: 0 }), [[1, -1, 3]], { shape: [1, 3] });
  assertClose(
    np.diff(x, 1, -1),
    [
      [2, 3],
      [0, 7],
    ],
    { shape: [2, 2] },
  );
  assertClose(np.diff(x, 2), [[1], [7]], { shape: [2, 1] });
  assertClose(np.diff(x, { n: 2 }), [[1], [7]], { shape: [2, 1] });
  assertClose(np.diff(x, { axis: 0 }), [[1, -1, 3]], { shape: [1, 3] });
  // A prepended zero row along axis 0: [[1, 3, 6], [1, -1, 3]].
  assertClose(
    np.diff(x, 1, 0, { prepend: 0 }),
    [
      [1, 3, 6],
      [1, -1, 3],
    ],
    { shape: [2, 3] },
  );
  assert.throws(
    () => np.diff(x, 1.5),
    (e: unknown) => e instanceof ValueError && /'n' must be an integer/.test(e.message),
  );
  assert.throws(
    () => np.diff(x, 1, "0" as never),
    (e: unknown) => e instanceof ValueError && /'axis' must be/.test(e.message),
  );
  assert.throws(
    () => np.diff(x, { axsi: 0 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'axsi'/.test(e.message),
  );
  assert.throws(
    () => np.diff(x, { n: 1 }, 0 as never),
    (e: unknown) => e instanceof ValueError && /no arguments may follow/.test(e.message),
  );

  // y = [1, 2, 3]: unit spacing 1.5 + 2.5 = 4; dx = 2 doubles it; x = [0, 1, 3]: 1.5·1 + 2.5·2 = 6.5.
  const y = np.array([1, 2, 3]);
  assertClose(np.trapezoid(y), 4, { shape: [] });
  assertClose(np.trapezoid(y, null, 2), 8);
  assertClose(np.trapezoid(y, { dx: 2 }), 8);
  assertClose(np.trapezoid(y, [0, 1, 3]), 6.5);
  assertClose(np.trapezoid(y, { x: [0, 1, 3] }), 6.5);
  const y2 = np.array([
    [1, 2],
    [3, 4],
  ]);
  assertClose(np.trapezoid(y2, null, 1, 0), [2, 3]);
  assertClose(np.trapezoid(y2, null, 1, -1), [1.5, 3.5]);
  assertClose(np.trapezoid(y2, null, { axis: 0 }), [2, 3]);
  assertClose(np.trapezoid(y2, undefined, undefined, 0), [2, 3]);
  assertClose(np.trapezoid(y2, [0, 2], null, 0), [4, 6]);
  assert.throws(
    () => np.trapezoid(y, null, "2" as never),
    (e: unknown) => e instanceof ValueError && /trapezoid: 'dx' must be a number/.test(e.message),
  );
  assert.throws(
    () => np.trapezoid(y, { dx: 1 }, 2 as never),
    (e: unknown) => e instanceof ValueError && /no arguments may follow/.test(e.message),
  );
  assert.throws(
    () => np.trapezoid(y, null, { x: [0, 1, 2] } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'x'/.test(e.message),
  );
  assert.throws(
    () => np.trapezoid(y, { dX: 1 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'dX'/.test(e.message),
  );
});

test("append(arr, values, axis) and rot90(m, k, axes) positionally", () => {
  const a = np.array([
    [1, 2],
    [3, 4],
  ]);
  assertClose(
    np.append(a, [[5, 6]], 0),
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    { shape: [3, 2] },
  );
  assertClose(
    np.append(a, [[5, 6]], { axis: 0 }),
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    { shape: [3, 2] },
  );
  assertClose(
    np.append(a, [[5], [6]], -1),
    [
      [1, 2, 5],
      [3, 4, 6],
    ],
    { shape: [2, 3] },
  );
  assertClose(np.append(a, [5], null), [1, 2, 3, 4, 5], { shape: [5] });
  assert.throws(
    () => np.append(a, [[5, 6]], { axsi: 0 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'axsi'/.test(e.message),
  );
  // rot90 once in the (0, 1) plane: [[1, 2], [3, 4]] → [[2, 4], [1, 3]]; in the (1, 0) plane the other way.
  assertClose(
    np.rot90(a),
    [
      [2, 4],
      [1, 3],
    ],
    { shape: [2, 2] },
  );
  assertClose(
    np.rot90(a, 1, [1, 0]),
    [
      [3, 1],
      [4, 2],
    ],
    { shape: [2, 2] },
  );
  assertClose(
    np.rot90(a, 1, { axes: [1, 0] }),
    [
      [3, 1],
      [4, 2],
    ],
    { shape: [2, 2] },
  );
  assertClose(
    np.rot90(a, { k: 3 }),
    [
      [3, 1],
      [4, 2],
    ],
    { shape: [2, 2] },
  );
  assert.throws(
    () => np.rot90(a, 1.5),
    (e: unknown) => e instanceof ValueError && /rot90: 'k' must be an integer/.test(e.message),
  );
  assert.throws(
    () => np.rot90(a, { kk: 1 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'kk'/.test(e.message),
  );
});

test("cross(a, b, axisa, axisb, axisc, axis) positionally", () => {
  // Vectors along axis 0: columns (1,0,0)×(0,1,0) = (0,0,1) and (0,1,0)×(0,0,1) = (1,0,0).
  const a = np.array([
    [1, 0],
    [0, 1],
    [0, 0],
  ]);
  const b = np.array([
    [0, 0],
    [1, 0],
    [0, 1],
  ]);
  const rows = [
    [0, 0, 1],
    [1, 0, 0],
  ];
  const cols = [
    [0, 1],
    [0, 0],
    [1, 0],
  ];
  assertClose(np.cross(a, b, 0, 0), rows, { shape: [2, 3] });
  assertClose(np.cross(a, b, { axisa: 0, axisb: 0 }), rows, { shape: [2, 3] });
  assertClose(np.cross(a, b, 0, { axisb: 0 }), rows, { shape: [2, 3] });
  assertClose(np.cross(a, b, 0, 0, 0), cols, { shape: [3, 2] });
  assertClose(np.cross(a, b, -1, -1, -1, 0), cols, { shape: [3, 2] });
  assertClose(np.cross(a, b, { axis: 0 }), cols, { shape: [3, 2] });
  assert.throws(
    () => np.cross(a, b, 0, { axisa: 1 }),
    (e: unknown) => e instanceof ValueError && /cross: unknown option 'axisa'/.test(e.message),
  );
  assert.throws(
    () => np.cross(a, b, "0" as never),
    (e: unknown) => e instanceof ValueError && /cross: 'axisa' must be an integer/.test(e.message),
  );
  assert.throws(
    () => np.cross(a, b, { axsi: 0 } as never),
    (e: unknown) => e instanceof ValueError && /unknown option 'axsi'/.test(e.message),
  );
});
