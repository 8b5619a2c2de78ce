// np statistics (quantile family, average, cov, corrcoef, ptp, histogram, bincount, countNonzero,
// digitize) and the NaN-ignoring reductions: values against numpy references
// (testdata/numpy/, see numpy-reference-cases.ts) and hand derivations, vmap/jit, gradients
// against finite differences, and argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, jit, grad, ConcretizationError, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
type QuantileMethod = np.QuantileMethod;
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { caseNames, checkCase, inputs } from "./numpy-reference-cases.ts";

const METHODS: QuantileMethod[] = [
  "linear",
  "lower",
  "higher",
  "midpoint",
  "nearest",
  "inverted_cdf",
  "averaged_inverted_cdf",
  "closest_observation",
  "interpolated_inverted_cdf",
  "hazen",
  "weibull",
  "median_unbiased",
  "normal_unbiased",
];

test("quantile: every numpy method against numpy (odd and even counts), axes, keepdims, percentile, median with NaN", () => {
  for (const m of METHODS) {
    for (const name of [`quantile_${m}_axis1`, `quantile_${m}_even_axis1`]) {
      const { x, q } = inputs(name);
      checkCase(name, np.quantile(x, q, { axis: 1, method: m }), { rtol: 1e-5, atol: 1e-6 });
    }
  }
  assert.equal(caseNames("quantile_").filter((n) => n.endsWith("_axis1")).length, 2 * METHODS.length);
  checkCase("quantile_all", np.quantile(inputs("quantile_all").x, 0.3), { rtol: 1e-5 });
  const k = inputs("quantile_axis0_keepdims");
  checkCase("quantile_axis0_keepdims", np.quantile(k.x, k.q, { axis: 0, keepdims: true }), { rtol: 1e-5, atol: 1e-6 });
  checkCase("percentile_axes02", np.percentile(inputs("percentile_axes02").x, [10, 90], { axis: [0, 2] }), {
    rtol: 1e-5,
    atol: 1e-6,
  });
  checkCase("median_nan_axis1", np.median(inputs("median_nan_axis1").x, { axis: 1 }));
  checkCase("median_axis0", np.median(inputs("median_axis0").x, { axis: 0 }));
});

test("quantile by hand: [1, 2, 3, 4] (n = 4)", () => {
  const x = np.array([4, 1, 3, 2]);
  // linear: virtual index q·(n−1); q = 0.5 → 1.5 → 2.5; q = 0.1 → 0.3 → 1.3.
  assertClose(np.quantile(x, [0.1, 0.5]), [1.3, 2.5], { rtol: 1e-6 });
  // lower/higher/nearest at index 1.5: 2, 3, and round-half-even(1.5) = 2 → value 3.
  assertClose(np.quantile(x, 0.5, { method: "lower" }), [2]);
  assertClose(np.quantile(x, 0.5, { method: "higher" }), [3]);
  assertClose(np.quantile(x, 0.5, { method: "nearest" }), [3]);
  // q = 1/6: index 0.5 → round-half-even 0 → value 1 (JAX's "≤ 0.5 goes low" agrees here).
  assertClose(np.quantile(x, 1 / 6, { method: "nearest" }), [1]);
  // weibull (H&F 6): virtual index n·q + q − 1 = 5q − 1; q = 0.5 → 1.5 → 2.5; q = 0.1 → -0.5 → clamps to x[0] = 1.
  assertClose(np.quantile(x, [0.5, 0.1], { method: "weibull" }), [2.5, 1]);
  // inverted_cdf: n·q − 1 = 1 exactly at q = 0.5 → x[1] = 2; q = 0.6 → 1.4 → x[2] = 3.
  assertClose(np.quantile(x, [0.5, 0.6], { method: "inverted_cdf" }), [2, 3], { rtol: 1e-6 });
  assertClose(np.median(np.array([5, 1, 3])), [3]);
  assertClose(np.percentile(x, 50), [2.5]);
  assert.equal(np.median(np.array([1, 2, 3], { dtype: "int32" })).dtype, "float32");
});

test("quantile: vmap, jit, gradients with respect to the data and to q", () => {
  const x = np.array([0.3, -1.2, 2.5, 0.9, -0.4, 1.7, 0.05]);
  const xs = np.stack([x, np.flip(x), np.multiply(x, 2)]);
  for (const m of ["linear", "midpoint", "hazen", "nearest"] as const) {
    checkVmap((v: Array) => np.quantile(v, np.array([0.2, 0.5, 0.9]), { method: m }), [xs]);
    checkJit((v: Array) => np.quantile(v, np.array([0.2, 0.5, 0.9]), { method: m }), [x]);
  }
  checkJit((v: Array) => np.median(v, { axis: 1 }), [xs]);
  checkGrads((v: Array) => np.quantile(v, np.array([0.2, 0.5, 0.9])), [x]);
  checkGrads((v: Array) => np.median(v), [x]);
  // d/dq quantile_linear = (x_(hi) − x_(lo))·(n − 1) between order statistics: sorted x is
  // [-1.2, -0.4, 0.05, 0.3, 0.9, 1.7, 2.5]; q = 0.4 → index 2.4 → slope (0.3 − 0.05)·6 = 1.5.
  const g = grad((q: Array) => np.quantile(x, q))(np.array(0.4)) as Array;
  assertClose(g, [1.5], { rtol: 1e-4 });
  // A batched q.
  checkVmap(
    (q: Array) => np.quantile(x, q, { method: "hazen" }),
    [
      np.array([
        [0.1, 0.6],
        [0.5, 0.99],
      ]),
    ],
  );
  // Traced q inside jit.
  assertClose(jit((q: Array) => np.quantile(x, q))(np.array(0.4)), np.quantile(x, 0.4), { rtol: 1e-6 });
});

test("quantile errors", () => {
  assert.throws(
    () => np.quantile(np.array([1, 2]), 1.5),
    (e: Error) => e instanceof ValueError && /quantiles must be in the range \[0, 1\]; got 1.5/.test(e.message),
  );
  assert.throws(() => np.percentile(np.array([1, 2]), 101), /range \[0, 100\]; got 101/);
  assert.throws(
    () => np.quantile(np.array([1, 2]), 0.5, { method: "bogus" as QuantileMethod }),
    /unknown method 'bogus'/,
  );
  assert.throws(() => np.quantile(np.zeros([0]), 0.5), /empty reduction/);
  assert.throws(() => np.quantile(np.array([1, 2]), 0.5, { axis: 2 }), ShapeError);
});

test("average, cov, corrcoef, ptp against numpy and by hand", () => {
  const a = inputs("average_weights1d_axis1");
  checkCase("average_weights1d_axis1", np.average(a.x, { axis: 1, weights: a.w, returned: true }), {
    rtol: 1e-5,
    atol: 1e-6,
  });
  const b = inputs("average_weights_full");
  checkCase("average_weights_full", np.average(b.x, { weights: b.w }), { rtol: 1e-5, atol: 1e-6 });
  // (1·1 + 2·3) / (1 + 3) = 7/4.
  assertClose(np.average(np.array([1, 2]), { weights: np.array([1, 3]) }), [1.75]);
  const [m, s] = np.average(
    np.array([
      [1, 2],
      [3, 4],
    ]),
    { axis: 0, returned: true },
  );
  assertClose(m, [2, 3]);
  assertClose(s, [2, 2]);
  const X = inputs("cov").x;
  checkCase("cov", np.cov(X), { rtol: 1e-5, atol: 1e-6 });
  checkCase("cov_rowvar_false_bias", np.cov(X, { rowvar: false, bias: true }), { rtol: 1e-5, atol: 1e-6 });
  const cw = inputs("cov_weights");
  checkCase("cov_weights", np.cov(cw.x, { fweights: cw.fw, aweights: cw.aw }), { rtol: 1e-5, atol: 1e-6 });
  const cy = inputs("cov_y_ddof0");
  checkCase("cov_y_ddof0", np.cov(cy.x, { y: cy.y, ddof: 0 }), { rtol: 1e-5, atol: 1e-6 });
  checkCase("corrcoef", np.corrcoef(inputs("corrcoef").x), { rtol: 1e-5, atol: 1e-6 });
  // cov of [0, 1, 2] and [2, 1, 0]: variances 1, covariance -1; correlation -1.
  assertClose(
    np.cov(
      np.array([
        [0, 1, 2],
        [2, 1, 0],
      ]),
    ),
    [1, -1, -1, 1],
    { shape: [2, 2] },
  );
  assertClose(np.cov(np.array([1, 2, 4])), [7 / 3], { shape: [], rtol: 1e-6 });
  assertClose(
    np.corrcoef(
      np.array([
        [0, 1, 2],
        [2, 1, 0],
      ]),
    ),
    [1, -1, -1, 1],
  );
  checkCase("ptp_axis0", np.ptp(inputs("ptp_axis0").x, { axis: 0 }), { rtol: 1e-6 });
  assertEqualArray(
    np.countNonzero(
      np.array([
        [0, 1, 2],
        [0, 0, 3],
      ]),
      { axis: 1 },
    ),
    [2, 1],
    "int32",
  );
  assertEqualArray(
    np.countNonzero(
      np.array([
        [true, false],
        [true, true],
      ]),
    ),
    [3],
    "int32",
  );
  assert.throws(() => np.average(np.zeros([2, 3]), { weights: np.ones([3]) }), /axis must be given/);
  assert.throws(
    () => np.average(np.zeros([2, 3]), { axis: 1, weights: np.ones([2]) }),
    /length of weights \(2\) differs/,
  );
  assert.throws(() => np.cov(np.zeros([2, 2, 2])), /more than 2 dimensions/);
  assert.throws(() => np.cov(np.zeros([2, 3]), { fweights: np.array([1, 2]) }), /one weight per observation \(3\)/);
});

test("average, cov, corrcoef, ptp: vmap, jit, gradients", () => {
  const X = inputs("cov").x;
  const w = np.array([0.5, 1, 2, 1, 0.3, 1.1, 0.9]);
  checkGrads((v: Array) => np.cov(v), [X]);
  checkGrads((v: Array) => np.corrcoef(v), [X]);
  checkGrads((v: Array, ww: Array) => np.average(v, { axis: 1, weights: ww }), [X, w]);
  checkGrads((v: Array) => np.ptp(v, { axis: 1 }), [X]);
  const batch = np.stack([X, np.multiply(X, 0.5), np.flip(X, 1)]);
  checkVmap((v: Array) => np.cov(v), [batch], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((v: Array) => np.corrcoef(v), [batch], { rtol: 1e-5, atol: 1e-5 });
  checkJit((v: Array) => np.cov(v, { aweights: w }), [X], { rtol: 1e-5, atol: 1e-6 });
  checkJit((v: Array) => np.average(v, { axis: 0, weights: np.ones([4]) }), [X]);
});

test("histogram, bincount, digitize against numpy; histogram and digitize under jit/vmap", () => {
  const h = inputs("histogram_10").x;
  checkCase("histogram_10", np.histogram(h), { rtol: 1e-5, atol: 1e-6 });
  checkCase("histogram_range_density", np.histogram(h, { bins: 7, range: [-1, 1.5], density: true }), {
    rtol: 1e-5,
    atol: 1e-6,
  });
  const hw = inputs("histogram_edges_weights");
  checkCase("histogram_edges_weights", np.histogram(hw.x, { bins: np.array([-2, -0.5, 0, 0.25, 2]), weights: hw.w }), {
    rtol: 1e-5,
    atol: 1e-6,
  });
  // By hand: edges 0, 1, 2, 3 over [0, 3]; the last bin includes 3.
  const [cnt, edges] = np.histogram(np.array([0, 0.5, 1, 2.9, 3]), { bins: 3 });
  assertClose(cnt, [2, 1, 2]);
  assertClose(edges, [0, 1, 2, 3]);
  // A constant input widens to [v − 0.5, v + 0.5].
  assertClose(np.histogram(np.array([2, 2]), { bins: 2 })[1], [1.5, 2, 2.5]);
  checkJit((v: Array) => np.histogram(v, { bins: 5 })[0], [h]);
  checkVmap((v: Array) => np.histogram(v, { bins: 4, range: [-2, 2] })[0], [np.reshape(h, [5, 10])]);
  const bc = inputs("bincount").x;
  checkCase("bincount", np.bincount(bc));
  const bw = inputs("bincount_weights_minlength");
  checkCase("bincount_weights_minlength", np.bincount(bw.x, { weights: bw.w, minlength: 12 }), { rtol: 1e-6 });
  assertEqualArray(
    jit((v: Array) => np.bincount(v, { length: 4 }))(np.array([0, 1, 1, 3, 7], { dtype: "int32" })),
    [1, 2, 0, 1],
    "int32",
  );
  assert.throws(
    () => jit((v: Array) => np.bincount(v))(bc),
    (e: Error) => e instanceof ConcretizationError && /pass a static length/.test(e.message),
  );
  assert.throws(() => np.bincount(np.array([1, -1], { dtype: "int32" })), /negative/);
  assert.throws(() => np.bincount(np.array([1.5])), DTypeError);
  for (const name of ["digitize", "digitize_right", "digitize_decreasing", "digitize_decreasing_right"]) {
    const { x, bins } = inputs(name);
    checkCase(name, np.digitize(x, bins, { right: name.endsWith("right") }));
  }
  const d = inputs("digitize");
  checkJit((v: Array, b: Array) => np.digitize(v, b), [d.x, d.bins]);
  assert.throws(() => np.digitize(np.array([1]), np.array([1, 3, 2])), /monotonically increasing or decreasing/);
  assert.throws(() => np.histogram(np.array([1]), { bins: np.array([1, 0]) }), /increase monotonically/);
});

test("nan-reductions against numpy; all-NaN slices", () => {
  for (const fn of ["nansum", "nanprod", "nanmean", "nanmax", "nanmin"] as const) {
    const f = np[fn] as (x: Array, o?: { axis?: number }) => Array;
    const x = inputs(`${fn}_axis1`).x;
    checkCase(`${fn}_axis1`, f(x, { axis: 1 }), { rtol: 1e-5, atol: 1e-6 });
    checkCase(`${fn}_axis0`, f(x, { axis: 0 }), { rtol: 1e-5, atol: 1e-6 });
    checkCase(`${fn}_all`, f(x), { rtol: 1e-5, atol: 1e-6 });
  }
  const x = inputs("nanvar_axis1_ddof1").x;
  checkCase("nanvar_axis1_ddof1", np.nanvar(x, { axis: 1, ddof: 1 }), { rtol: 1e-5, atol: 1e-6 });
  checkCase("nanstd_axis0", np.nanstd(x, { axis: 0 }), { rtol: 1e-5, atol: 1e-6 });
  const r = inputs("nanargmax_axis1").x;
  checkCase("nanargmax_axis1", np.nanargmax(r, { axis: 1 }));
  checkCase("nanargmin_axis0", np.nanargmin(r, { axis: 0 }));
  checkCase("nancumsum_axis1", np.nancumsum(x, { axis: 1 }), { rtol: 1e-5, atol: 1e-6 });
  checkCase("nancumprod", np.nancumprod(x), { rtol: 1e-5, atol: 1e-6 });
  const t = inputs("nan_to_num").x;
  checkCase("nan_to_num", np.nanToNum(t));
  checkCase("nan_to_num_values", np.nanToNum(t, { nan: 7, posinf: 9, neginf: -9 }));
  // JAX's conventions where numpy raises or warns: all-NaN argmax is -1, mean NaN.
  assertEqualArray(
    np.nanargmax(
      np.array([
        [NaN, NaN],
        [1, NaN],
      ]),
      { axis: 1 },
    ),
    [-1, 0],
    "int32",
  );
  assertClose(np.nanmean(np.array([NaN, NaN])), [NaN]);
  assertClose(np.nanvar(np.array([1, NaN]), { ddof: 1 }), [NaN]);
  assertEqualArray(np.nansum(np.array([1, 2], { dtype: "int32" })), [3], "int32");
  const z = np.nanToNum(np.array(new Float32Array([NaN, Infinity, 0, -Infinity]), { dtype: "complex64" }));
  assertClose(z, [0, 3.4028234663852886e38, 0, -3.4028234663852886e38], { rtol: 1e-7 });
});

test("nan-reductions: gradients skip NaNs; vmap and jit", () => {
  const x = np.array([0.5, NaN, -1.5, 2, NaN, 0.25]);
  assertClose(grad((v: Array) => np.nansum(v))(x) as Array, [1, 0, 1, 1, 0, 1]);
  // d nanmean / dx_i = 1/4 for the four non-NaN entries.
  assertClose(grad((v: Array) => np.nanmean(v))(x) as Array, [0.25, 0, 0.25, 0.25, 0, 0.25]);
  assertClose(grad((v: Array) => np.nanmax(v))(x) as Array, [0, 0, 0, 1, 0, 0]);
  const clean = np.array([0.5, 0.7, -1.5, 2, 1.1, 0.25]);
  checkGrads((v: Array) => np.nanvar(v), [clean]);
  checkGrads((v: Array) => np.nanstd(v, { ddof: 1 }), [clean]);
  const m = inputs("nansum_axis1").x;
  for (const f of [np.nansum, np.nanmean, np.nanmax, np.nanmin, np.nanvar, np.nanargmax, np.nanargmin] as ((
    v: Array,
    o?: { axis?: number },
  ) => Array)[]) {
    checkVmap((v: Array) => f(v, { axis: 0 }), [m]);
    checkJit((v: Array) => f(v, { axis: 1 }), [m]);
  }
  checkJit((v: Array) => np.nanToNum(v, { nan: 3 }), [x]);
});
