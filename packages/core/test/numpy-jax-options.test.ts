// JAX's options of np.interp (left/right arrays or "extrapolate", array periods, JAX's zero-width
// threshold), np.convolve/correlate (precision, preferredElementType), np.pad (linear_ramp,
// maximum/mean/median/minimum with statLength, reflectType "odd", empty) and np.where's
// one-argument form: values against numpy (testdata/numpy/jax-options/, generate.py there) and
// hand derivations, jit, vmap, gradients against finite differences, and argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, lax, jit, vmap, grad, ValueError, ShapeError, type Array, type DType, type IndexItem } from "linax-ts";
import { assertClose, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";

const REF = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/numpy/jax-options/jax-options.json", import.meta.url)), "utf8"),
);
const f32 = (v: number[] | number[][]): Array => np.array(v);

// ------------------------------------------------------------------ interp

test("interp: period as a number, a negative number and a (traced) array matches numpy", () => {
  const c = REF.interp_period;
  const [x, xp, fp] = [f32(c.x), f32(c.xp), f32(c.fp)];
  assertClose(np.interp(x, xp, fp, { period: c.period }), c.want, { rtol: 1e-5, atol: 1e-5 });
  assertClose(np.interp(x, xp, fp, { period: -c.period }), c.want_neg_period, { rtol: 1e-5, atol: 1e-5 });
  assertClose(np.interp(x, xp, fp, { period: np.array(c.period) }), c.want, { rtol: 1e-5, atol: 1e-5 });
  const jf = jit((p: Array) => np.interp(x, xp, fp, { period: p }));
  assertClose(jf(np.array(c.period)), c.want, { rtol: 1e-5, atol: 1e-5 });
  // vmap over periods equals the per-period calls.
  const ps = np.array([360, 200, 90]);
  const batched = vmap((p: Array) => np.interp(x, xp, fp, { period: p }))(ps);
  for (const [i, p] of [360, 200, 90].entries())
    assertClose(batched.get(i), np.interp(x, xp, fp, { period: p }), { rtol: 1e-6, atol: 1e-6 });
});

test("interp: left/right as numbers or scalar arrays (numpy), differentiable in the arrays", () => {
  const c = REF.interp_left_right;
  const [x, xp, fp] = [f32(c.x), f32(c.xp), f32(c.fp)];
  assertClose(np.interp(x, xp, fp, { left: c.left, right: c.right }), c.want, { rtol: 1e-6 });
  assertClose(np.interp(x, xp, fp, { left: np.array(c.left), right: np.array(c.right) }), c.want, { rtol: 1e-6 });
  // d/dleft Σ f = number of x below xp[0] (one: -1), d/dright = number above xp[-1] (one: 5.5).
  const [gl, gr] = grad((l: Array, r: Array) => np.sum(np.interp(x, xp, fp, { left: l, right: r })), {
    argnums: [0, 1],
  })(np.array(0), np.array(0)) as Array[];
  assert.equal(gl.item(), 1);
  assert.equal(gr.item(), 1);
  checkJit((l: Array, r: Array) => np.interp(x, xp, fp, { left: l, right: r }), [np.array(c.left), np.array(c.right)]);
  checkVmap((l: Array) => np.interp(x, xp, fp, { left: l }), [np.array([-7, 0, 3])]);
});

test('interp: left/right "extrapolate" continues the end segments (hand derivation)', () => {
  const c = REF.interp_left_right;
  const [x, xp, fp] = [f32(c.x), f32(c.xp), f32(c.fp)];
  // xp = [0, 1, 2, 4], fp = [1, 3, 2, 6]: first segment slope 2, last slope 2.
  // x = -1 → 1 + 2·(−1) = −1; x = 5.5 → 6 + 2·1.5 = 9; inside: numpy's values.
  const inside = np.interp(x, xp, fp).tolist() as number[];
  assertClose(np.interp(x, xp, fp, { left: "extrapolate", right: "extrapolate" }), [-1, ...inside.slice(1, 5), 9]);
  assertClose(np.interp(x, xp, fp, { left: "extrapolate" }), [-1, ...inside.slice(1)]);
  assertClose(np.interp(x, xp, fp, { right: "extrapolate", left: -7 }), [-7, ...inside.slice(1, 5), 9]);
  // The extrapolated values are differentiable in x (slope 2 on both ends) and in fp.
  const g = grad((xs: Array) => np.sum(np.interp(xs, xp, fp, { left: "extrapolate", right: "extrapolate" })))(
    np.array([-3, 7]),
  );
  assertClose(g, [2, 2]);
  checkGrads(
    (xs: Array, fs: Array) => np.interp(xs, xp, fs, { left: "extrapolate", right: "extrapolate" }),
    [np.array([-2.5, 0.3, 6.2]), fp],
  );
});

test("interp: one sample point honours left/right (numpy); JAX's zero-width threshold spacing(eps)", () => {
  const c = REF.interp_one_point;
  assertClose(np.interp(f32(c.x), f32(c.xp), f32(c.fp), { left: c.left, right: c.right }), c.want);
  assertClose(np.interp(f32(c.x), f32(c.xp), f32(c.fp)), [5, 5, 5]);
  // xp = [0, 1e-15, 1]: the first interval is narrower than float32's spacing(eps) = 2^-46, so JAX
  // treats it as zero-width and returns fp[0] inside it (numpy, in float64, would interpolate);
  // an interval of 1e-13 is interpolated.
  assertClose(np.interp(np.array([5e-16]), np.array([0, 1e-15, 1]), np.array([0, 10, 20])), [0]);
  assertClose(np.interp(np.array([5e-14]), np.array([0, 1e-13, 1]), np.array([0, 10, 20])), [5], { rtol: 1e-5 });
  // ... and gives no NaN gradient there.
  const g = grad((f: Array) => np.sum(np.interp(np.array([5e-16]), np.array([0, 1e-15, 1]), f)))(np.array([0, 10, 20]));
  assertClose(g, [1, 0, 0]);
});

test("interp: argument errors", () => {
  const xp = np.array([0, 1]);
  assert.throws(
    () => np.interp(0.5, xp, xp, { left: "linear" as "extrapolate" }),
    /np\.interp: the only valid string value of 'left' is 'extrapolate'; got 'linear'/,
  );
  assert.throws(
    () => np.interp(0.5, xp, xp, { right: np.array([1, 2]) }),
    (e: unknown) => e instanceof ShapeError && /'right' must be a scalar; got shape \[2\]/.test((e as Error).message),
  );
  assert.throws(
    () => np.interp(0.5, xp, xp, { period: np.array([1, 2]) }),
    /np\.interp: period must be a scalar; got shape \[2\]/,
  );
  assert.throws(
    () => np.interp(0.5, xp, xp, { period: 0 }),
    (e: unknown) => e instanceof ValueError && /period must be a non-zero value/.test((e as Error).message),
  );
});

// ------------------------------------------------------------------ convolve / correlate

const PRECISIONS = [
  null,
  "default",
  "high",
  "highest",
  "fastest",
  "bfloat16",
  "tensorfloat32",
  "float32",
  ["highest", "default"],
] as const;

test("convolve/correlate: every precision gives numpy's float values (float32 arithmetic, as XLA:CPU)", () => {
  const c = REF.convolve_float;
  for (const precision of PRECISIONS) {
    for (const mode of ["full", "same", "valid"] as const) {
      assertClose(np.convolve(f32(c.a), f32(c.v), { mode, precision }), c.convolve[mode], { rtol: 1e-6, atol: 1e-6 });
      assertClose(np.correlate(f32(c.a), f32(c.v), { mode, precision }), c.correlate[mode], { rtol: 1e-6, atol: 1e-6 });
    }
  }
  checkGrads((a: Array, v: Array) => np.convolve(a, v, { mode: "same", precision: "highest" }), [f32(c.a), f32(c.v)]);
  checkJit(
    (a: Array, v: Array) => np.correlate(a, v, { mode: "full", precision: ["high", "highest"] }),
    [f32(c.a), f32(c.v)],
  );
});

test("convolve/correlate: preferredElementType keeps integer inputs integer (numpy's int results) or sets the result dtype", () => {
  const a = np.array([1, 2, 3, -1, 4], { dtype: "int32" });
  const v = np.array([0, 1, 5], { dtype: "int32" });
  for (const mode of ["full", "same", "valid"] as const) {
    const ci = np.convolve(a, v, { mode, preferredElementType: "int32" });
    assert.equal(ci.dtype, "int32");
    assert.deepEqual(ci.tolist(), REF.convolve_int[mode]);
    const cr = np.correlate(a, v, { mode, preferredElementType: "int32" });
    assert.deepEqual(cr.tolist(), REF.convolve_int && REF.correlate_int[mode]);
    const cf = np.convolve(a, v, { mode, preferredElementType: "float32" });
    assert.equal(cf.dtype, "float32");
    assert.deepEqual(cf.tolist(), REF.convolve_int[mode]);
  }
  // Without it, integers are promoted to float (numpy's convolve result values, float dtype).
  assert.equal(np.convolve(a, v).dtype, "float32");
  checkVmap(
    (x: Array) => np.convolve(x, v, { preferredElementType: "int32" }),
    [
      np.array(
        [
          [1, 2, 3, -1, 4],
          [0, 0, 1, 0, 0],
        ],
        { dtype: "int32" },
      ),
    ],
  );
});

test("convolve/correlate: bad precision or preferredElementType values are errors naming the op", () => {
  const a = np.array([1, 2, 3]);
  assert.throws(
    () => np.convolve(a, a, { precision: "low" as "high" }),
    /^ValueError: np\.convolve: precision must be null, one of 'default'.*got "low"/,
  );
  assert.throws(
    () => np.correlate(a, a, { precision: ["high"] as unknown as "high" }),
    /np\.correlate: precision must be/,
  );
  assert.throws(
    () => np.convolve(a, a, { preferredElementType: "bool" as DType }),
    /preferredElementType bool is not allowed for float32 operands/,
  );
});

// ------------------------------------------------------------------ pad

interface PadCase {
  name: string;
  x: number[] | number[][];
  dtype: DType;
  width: number | number[][];
  mode: np.PadMode;
  kw: Record<string, unknown>;
  shape: number[];
  want: number[];
}
const CAMEL: Record<string, string> = {
  end_values: "endValues",
  stat_length: "statLength",
  reflect_type: "reflectType",
};
const padOpts = (c: PadCase): np.PadOptions => {
  const o: Record<string, unknown> = { mode: c.mode };
  for (const [k, v] of Object.entries(c.kw)) o[CAMEL[k]] = v;
  return o as np.PadOptions;
};

test("pad: linear_ramp, maximum/mean/median/minimum (statLength), reflect/symmetric odd equal numpy (float32 and int32)", () => {
  const cases = REF.pad as PadCase[];
  assert.ok(cases.length >= 40);
  for (const c of cases) {
    const y = np.pad(np.array(c.x, { dtype: c.dtype }), c.width, padOpts(c));
    assert.equal(y.dtype, c.dtype, c.name);
    assertClose(y, c.want, { shape: c.shape, rtol: 1e-6, atol: 1e-6 });
    if (c.dtype === "int32") assert.deepEqual(globalThis.Array.from(y.dataSync() as Int32Array), c.want, c.name);
  }
});

test('pad: mode "empty" gives zeros (JAX); the mode may go positionally', () => {
  assert.deepEqual(np.pad(np.array([1, 2]), [1, 2], "empty").tolist(), [0, 1, 2, 0, 0]);
  assert.deepEqual(np.pad(np.array([1, 2]), 1, "median").tolist(), [1.5, 1, 2, 1.5]);
  assert.deepEqual(np.pad(np.array([1, 2, 4]), 2, "reflect", { reflectType: "odd" }).tolist(), [-2, 0, 1, 2, 4, 6, 7]);
});

test("pad: the new modes under jit and vmap, and differentiated (finite differences)", () => {
  const x = np.array([
    [1, 2, 3.5],
    [4, -1, 0.5],
  ]);
  const fs: ((a: Array) => Array)[] = [
    (a) =>
      np.pad(
        a,
        [
          [1, 2],
          [2, 1],
        ],
        {
          mode: "linear_ramp",
          endValues: [
            [1, -2],
            [0, 3],
          ],
        },
      ),
    (a) =>
      np.pad(
        a,
        [
          [1, 2],
          [2, 1],
        ],
        { mode: "mean", statLength: 2 },
      ),
    (a) =>
      np.pad(
        a,
        [
          [1, 1],
          [1, 2],
        ],
        { mode: "maximum" },
      ),
    (a) =>
      np.pad(
        a,
        [
          [1, 1],
          [1, 2],
        ],
        {
          mode: "minimum",
          statLength: [
            [1, 2],
            [2, 1],
          ],
        },
      ),
    (a) =>
      np.pad(
        a,
        [
          [3, 2],
          [4, 5],
        ],
        { mode: "reflect", reflectType: "odd" },
      ),
    (a) =>
      np.pad(
        a,
        [
          [3, 2],
          [4, 5],
        ],
        { mode: "symmetric", reflectType: "odd" },
      ),
  ];
  for (const f of fs) {
    checkJit(f, [x]);
    checkVmap(f, [np.stack([x, np.multiply(x, 2)])]);
    checkGrads(f, [x]);
  }
  // The median's gradient: in [3, 1, 2] the median is 2, so d/dx of its padding flows to x[2] only.
  const g = grad((a: Array) => np.sum(np.pad(a, [2, 0], { mode: "median" })))(np.array([3, 1, 2]));
  assertClose(g, [1, 1, 3]);
});

test("pad: keywords of other modes, bad stat lengths and unknown modes are errors", () => {
  const x = np.array([1, 2, 3]);
  assert.throws(
    () => np.pad(x, 1, { mode: "edge", statLength: 1 }),
    /^ValueError: pad: unsupported keyword arguments for mode 'edge': statLength/,
  );
  assert.throws(
    () => np.pad(x, 1, { mode: "mean", endValues: 1 }),
    /unsupported keyword arguments for mode 'mean': endValues/,
  );
  assert.throws(
    () => np.pad(x, 1, { mode: "constant", reflectType: "odd" }),
    /unsupported keyword arguments for mode 'constant': reflectType/,
  );
  assert.throws(
    () => np.pad(x, 1, { mode: "reflect", reflectType: "even-ish" as "odd" }),
    /'reflectType' must be one of "even", "odd"/,
  );
  assert.throws(() => np.pad(x, 1, { mode: "mean", statLength: 0 }), /stat_length of 0 yields no value for padding/);
  assert.throws(() => np.pad(x, 1, { mode: "mean", statLength: -1 }), /stat_length must be non-negative integers/);
  assert.throws(
    () => np.pad(x, 1, "circular" as np.PadMode),
    /pad: unsupported mode 'circular'; expected one of constant, edge, linear_ramp/,
  );
  assert.throws(() => np.pad(np.zeros([0]), 1, "maximum"), /can't extend empty axis 0 using mode 'maximum'/);
});

// ------------------------------------------------------------------ where(cond)

test("where(cond, { size, fillValue }) is nonzero and works under jit", () => {
  const c = np.array([
    [true, false, true],
    [false, true, false],
  ]);
  assert.deepEqual(
    np.where(c).map((a) => a.tolist()),
    [
      [0, 0, 1],
      [0, 2, 1],
    ],
  );
  const jf = jit((m: Array) => np.where(m, { size: 4, fillValue: 9 }));
  assert.deepEqual(
    jf(c).map((a) => a.tolist()),
    [
      [0, 0, 1, 9],
      [0, 2, 1, 9],
    ],
  );
  assert.throws(
    () => np.where(c, { sizes: 2 } as np.NonzeroOptions),
    /np\.where: unknown option 'sizes'; the options are size, fillValue/,
  );
});

test("precision in the products (matmul, dot, vdot, inner, tensordot, lax.dotGeneral, lax.convGeneralDilated): accepted, float32 values unchanged, bad values rejected", () => {
  const a = np.array([
    [1.5, -2, 0.25],
    [3, 0.5, -1],
  ]);
  const b = np.array([
    [2, 1],
    [-0.5, 4],
    [1, -3],
  ]);
  const want = np.matmul(a, b).tolist() as number[][];
  for (const precision of PRECISIONS) {
    assert.deepEqual(np.matmul(a, b, { precision }).tolist(), want);
    assert.deepEqual(np.dot(a, b, { precision }).tolist(), want);
    assert.deepEqual(np.tensordot(a, b, 1, { precision }).tolist(), want);
    assert.deepEqual(lax.dotGeneral(a, b, { contractingDims: [[1], [0]], precision }).tolist(), want);
    assert.equal(np.vdot(a, a, { precision }).item(), np.vdot(a, a).item());
    assert.deepEqual(np.inner(a, a, { precision }).tolist(), np.inner(a, a).tolist());
    const lhs = np.reshape(a, [2, 1, 3]);
    const rhs = np.reshape(np.array([1, -1]), [1, 1, 2]);
    assert.deepEqual(
      lax.convGeneralDilated(lhs, rhs, { precision }).tolist(),
      lax.convGeneralDilated(lhs, rhs).tolist(),
    );
  }
  // Hand value of one entry: [1.5, -2, 0.25]·[2, -0.5, 1] = 3 + 1 + 0.25.
  assert.equal(want[0][0], 4.25);
  const bad = "medium" as "high";
  assert.throws(() => np.matmul(a, b, { precision: bad }), /^ValueError: matmul: precision must be null, one of/);
  assert.throws(() => np.tensordot(a, b, 1, { precision: bad }), /tensordot: precision must be/);
  assert.throws(
    () => lax.dotGeneral(a, b, { contractingDims: [[1], [0]], precision: bad }),
    /dotGeneral: precision must be/,
  );
  assert.throws(
    () => lax.convGeneralDilated(np.ones([1, 1, 3]), np.ones([1, 1, 2]), { precision: bad }),
    /convGeneralDilated: precision must be/,
  );
});

// ------------------------------------------------------------------ complex order: searchsorted, intersect1d, setdiff1d

const cplx = (pairs: [number, number][]): Array => np.array(new Float32Array(pairs.flat()), { dtype: "complex64" });

test("searchsorted on complex arrays: lexicographic (real, imag) order, both sides (numpy, NaN-free), under jit and vmap", () => {
  const c = REF.complex_searchsorted;
  const [a, v] = [cplx(c.a), cplx(c.v)];
  assert.deepEqual(np.searchsorted(a, v).tolist(), c.left);
  assert.deepEqual(np.searchsorted(a, v, { side: "right" }).tolist(), c.right);
  assert.deepEqual(jit((q: Array) => np.searchsorted(a, q, { side: "right" }))(v).tolist(), c.right);
  const vb = np.stack([v, v]);
  assert.deepEqual(vmap((q: Array) => np.searchsorted(a, q))(vb).tolist(), [c.left, c.left]);
  // NaN parts sort last within their part (JAX's and lax.sort's order; numpy differs): in
  // a = [1+2j, 1+nanj, 2+0j, nan+1j, nan+nanj], 1+nanj goes after 1+2j and before 2+0j.
  const an = cplx([
    [1, 2],
    [1, NaN],
    [2, 0],
    [NaN, 1],
    [NaN, NaN],
  ]);
  assert.deepEqual(
    np
      .searchsorted(
        an,
        cplx([
          [1, NaN],
          [1, 3],
          [2, -1],
          [NaN, 0],
          [NaN, NaN],
          [5, 5],
        ]),
      )
      .tolist(),
    [1, 1, 2, 3, 4, 3],
  );
  assert.deepEqual(
    np
      .searchsorted(
        an,
        cplx([
          [1, NaN],
          [NaN, 1],
          [NaN, NaN],
        ]),
        { side: "right" },
      )
      .tolist(),
    [2, 4, 5],
  );
  // ... which is the order lax.sort gives.
  assert.deepEqual(
    lax
      .sort(
        cplx([
          [NaN, NaN],
          [2, 0],
          [1, NaN],
          [NaN, 1],
          [1, 2],
        ]),
      )
      .tolist(),
    an.tolist(),
  );
});

test("intersect1d and setdiff1d on complex arrays equal numpy's", () => {
  const c = REF.complex_sets;
  const [x, y] = [cplx(c.ar1), cplx(c.ar2)];
  assert.deepEqual(np.intersect1d(x, y).tolist(), c.intersect1d);
  assert.deepEqual(np.setdiff1d(x, y).tolist(), c.setdiff1d);
});

// ------------------------------------------------------------------ sum / prod initial

test("sum and prod take JAX's initial (numpy's values), also with axis, keepdims, where; mean does not", () => {
  const x = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  // numpy: np.sum(x, initial=10) = 31; np.sum(x, axis=0, initial=10) = [15, 17, 19];
  // np.prod(x, axis=1, initial=2) = [12, 240]; np.sum(x, where=[True, False, True], initial=1) = 15.
  assert.equal(np.sum(x, { initial: 10 }).item(), 31);
  assert.deepEqual(np.sum(x, 0, { initial: 10 }).tolist(), [15, 17, 19]);
  assert.deepEqual(np.sum(x, { axis: 1, keepdims: true, initial: -1 }).tolist(), [[5], [14]]);
  assert.deepEqual(np.prod(x, 1, { initial: 2 }).tolist(), [12, 240]);
  assert.equal(np.sum(x, { where: np.array([true, false, true]), initial: 1 }).item(), 15);
  // JAX converts initial to the accumulator dtype: int32 truncates 2.7 to 2, so 21 + 2.
  assert.equal(np.sum(np.array([1, 2, 3, 4, 5, 6], { dtype: "int32" }), { initial: 2.7 }).item(), 23);
  // An empty reduction gives initial.
  assert.equal(np.prod(np.zeros([0]), { initial: 3 }).item(), 3);
  checkJit((a: Array) => np.sum(a, 0, { initial: 10 }), [x]);
  checkVmap((a: Array) => np.prod(a, { initial: 2 }), [x]);
  assertClose(grad((a: Array) => np.prod(a, { initial: 2 }))(np.array([1, 2, 3])), [12, 6, 4]);
  assert.throws(() => np.mean(x, { initial: 1 }), /^ValueError: mean: unknown option 'initial'/);
});

// ------------------------------------------------------------------ 0-d boolean indices

type RefItem = string | number | number[];
const toItem = (t: RefItem): IndexItem => (t === "T" ? np.array(true) : t === "F" ? np.array(false) : t);

test("0-d boolean indices (x[True], x[..., False], mixed with ints, slices and arrays) get and set as numpy", () => {
  const c = REF.scalar_bool_index;
  const x = np.reshape(np.arange(24, { dtype: "int32" }), c.shape);
  for (const g of c.get as { index: RefItem[]; shape: number[]; want: number[] }[]) {
    const y = x.get(...g.index.map(toItem));
    assert.deepEqual([...y.shape], g.shape, JSON.stringify(g.index));
    assert.deepEqual(globalThis.Array.from(y.dataSync() as Int32Array), g.want, JSON.stringify(g.index));
  }
  for (const u of c.set as { index: RefItem[]; value: number; want: number[] }[]) {
    const y = x.at(...u.index.map(toItem)).set(u.value);
    assert.deepEqual([...y.shape], c.shape);
    assert.deepEqual(globalThis.Array.from(y.dataSync() as Int32Array), u.want, `set ${JSON.stringify(u.index)}`);
  }
  // Under jit and vmap (the boolean is a concrete constant), and differentiated.
  const xf = np.reshape(np.arange(6, { dtype: "float32" }), [2, 3]);
  checkJit((a: Array) => a.get(np.array(true), 1), [xf]);
  checkVmap((a: Array) => a.get(np.array(true), "...", 0), [xf]);
  assertClose(grad((a: Array) => np.sum(a.get(":", np.array(true), [0, 2])))(xf), [
    [1, 0, 1],
    [1, 0, 1],
  ]);
  // A traced 0-d boolean would make the shape data-dependent: a clear error.
  assert.throws(
    () => jit((a: Array, b: Array) => a.get(b))(xf, np.array(true)),
    (e: unknown) => e instanceof Error && /0-d boolean index must be concrete/.test((e as Error).message),
  );
});
