import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, DTypeError, ShapeError, ValueError, type Array, type DType } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { arr, checkTranspose, checkVmap, fdGrad, flat, randint, randn, rng, strides } from "./host-tensor-checks.ts";

type Dims = [number[], number[]];

/** Naive host dotGeneral in float64 (complex: interleaved pairs). Layout: batch, lhs free, rhs free. */
function hostDot(
  l: readonly number[],
  ls: readonly number[],
  rr: readonly number[],
  rs: readonly number[],
  [lc, rc]: Dims,
  [lb, rb]: Dims,
  cplx = false,
): number[] {
  const free = (nd: number, a: number[], b: number[]) =>
    [...globalThis.Array(nd).keys()].filter((i) => !a.includes(i) && !b.includes(i));
  const lf = free(ls.length, lc, lb);
  const rf = free(rs.length, rc, rb);
  const lst = strides(ls);
  const rst = strides(rs);
  const outDims: [number, number, number][] = [
    ...lb.map((d, i): [number, number, number] => [ls[d], lst[d], rst[rb[i]]]),
    ...lf.map((d): [number, number, number] => [ls[d], lst[d], 0]),
    ...rf.map((d): [number, number, number] => [rs[d], 0, rst[d]]),
  ];
  const conDims = lc.map((d, i): [number, number, number] => [ls[d], lst[d], rst[rc[i]]]);
  const iter = (dims: [number, number, number][], fn: (lo: number, ro: number) => void) => {
    const n = dims.reduce((a, [s]) => a * s, 1);
    for (let k = 0; k < n; k++) {
      let rem = k;
      let lo = 0;
      let ro = 0;
      for (let d = dims.length - 1; d >= 0; d--) {
        const idx = rem % dims[d][0];
        rem = Math.floor(rem / dims[d][0]);
        lo += idx * dims[d][1];
        ro += idx * dims[d][2];
      }
      fn(lo, ro);
    }
  };
  const out: number[] = [];
  iter(outDims, (lo, ro) => {
    let re = 0;
    let im = 0;
    iter(conDims, (a, b) => {
      const u = lo + a;
      const v = ro + b;
      if (cplx) {
        re += l[2 * u] * rr[2 * v] - l[2 * u + 1] * rr[2 * v + 1];
        im += l[2 * u] * rr[2 * v + 1] + l[2 * u + 1] * rr[2 * v];
      } else re += l[u] * rr[v];
    });
    out.push(...(cplx ? [re, im] : [re]));
  });
  return out;
}

const r = rng(3);
const CASES: { ls: number[]; rs: number[]; c: Dims; b: Dims }[] = [
  { ls: [3, 4], rs: [4, 5], c: [[1], [0]], b: [[], []] },
  { ls: [4, 3], rs: [5, 4], c: [[0], [1]], b: [[], []] },
  { ls: [2, 3, 4], rs: [2, 4, 5], c: [[2], [1]], b: [[0], [0]] },
  { ls: [3, 2, 4], rs: [4, 5, 2], c: [[2], [0]], b: [[1], [2]] },
  {
    ls: [2, 3, 4, 2],
    rs: [4, 2, 3],
    c: [
      [2, 3],
      [0, 1],
    ],
    b: [[], []],
  },
  { ls: [3], rs: [4], c: [[], []], b: [[], []] },
  {
    ls: [2, 3, 2],
    rs: [3, 2, 2],
    c: [[1], [0]],
    b: [
      [0, 2],
      [1, 2],
    ],
  },
];

test("dotGeneral matches a naive host loop for every dtype and dimension-number layout", () => {
  for (const { ls, rs, c, b } of CASES) {
    const nl = ls.reduce((a, v) => a * v, 1);
    const nr = rs.reduce((a, v) => a * v, 1);
    const fl = randn(r, nl);
    const fr = randn(r, nr);
    assertClose(
      lax.dotGeneral(arr(fl, ls), arr(fr, rs), { contractingDims: c, batchDims: b }),
      hostDot(fl, ls, fr, rs, c, b),
      {
        rtol: 1e-5,
        atol: 1e-6,
        dtype: "float32",
      },
    );
    const il = randint(r, nl);
    const ir = randint(r, nr);
    assertClose(
      lax.dotGeneral(arr(il, ls, "int32"), arr(ir, rs, "int32"), { contractingDims: c, batchDims: b }),
      hostDot(il, ls, ir, rs, c, b),
      {
        dtype: "int32",
      },
    );
    const ul = il.map((v) => v + 3);
    const ur = ir.map((v) => v + 3);
    assertClose(
      lax.dotGeneral(arr(ul, ls, "uint32"), arr(ur, rs, "uint32"), { contractingDims: c, batchDims: b }),
      hostDot(ul, ls, ur, rs, c, b),
      {
        dtype: "uint32",
      },
    );
    const cl = randn(r, 2 * nl);
    const cr = randn(r, 2 * nr);
    assertClose(
      lax.dotGeneral(arr(cl, ls, "complex64"), arr(cr, rs, "complex64"), { contractingDims: c, batchDims: b }),
      hostDot(cl, ls, cr, rs, c, b, true),
      {
        rtol: 1e-5,
        atol: 1e-6,
        dtype: "complex64",
      },
    );
    const bl = il.map((v) => (v > 0 ? 1 : 0));
    const br = ir.map((v) => (v > 0 ? 1 : 0));
    assertEqualArray(
      lax.dotGeneral(arr(bl, ls, "bool"), arr(br, rs, "bool"), { contractingDims: c, batchDims: b }),
      hostDot(bl, ls, br, rs, c, b).map((v) => (v > 0 ? 1 : 0)),
      "bool",
    );
  }
});

test("int32 matmul wraps; preferredElementType float32 accumulates int operands exactly", () => {
  const a = arr([65536, 1], [1, 2], "int32");
  const b = arr([65536, 5], [2, 1], "int32");
  assertEqualArray(lax.dotGeneral(a, b, { contractingDims: [[1], [0]] }), [5], "int32");
  assertClose(lax.dotGeneral(a, b, { contractingDims: [[1], [0]], preferredElementType: "float32" }), [2 ** 32 + 5], {
    dtype: "float32",
  });
  assertClose(np.matmul(arr([1, 2, 3, 4], [2, 2], "int32"), arr([1, 1], [2], "int32")), [3, 7], { dtype: "int32" });
});

test("dotGeneral errors name both shapes and the offending dims", () => {
  const a = arr(randn(r, 6), [2, 3]);
  const b = arr(randn(r, 8), [4, 2]);
  assert.throws(
    () => lax.dotGeneral(a, b, { contractingDims: [[1], [0]] }),
    (e: Error) =>
      e instanceof ShapeError &&
      /contracting/.test(e.message) &&
      /\[2, 3\]/.test(e.message) &&
      /\[4, 2\]/.test(e.message) &&
      /lhs dim 1 has size 3/.test(e.message),
  );
  assert.throws(
    () => lax.dotGeneral(a, b, { contractingDims: [[], []], batchDims: [[1], [0]] }),
    (e: Error) => e instanceof ShapeError && /batch dimension sizes differ/.test(e.message),
  );
  assert.throws(
    () => lax.dotGeneral(a, b, { contractingDims: [[2], [0]] }),
    (e: Error) => e instanceof ShapeError && /out of range/.test(e.message),
  );
  assert.throws(
    () =>
      lax.dotGeneral(a, b, {
        contractingDims: [
          [0, 0],
          [1, 1],
        ],
      }),
    (e: Error) => e instanceof ShapeError && /more than once/.test(e.message),
  );
  assert.throws(() => lax.dotGeneral(a, b, { contractingDims: [[0], []] }), ShapeError);
  assert.throws(
    () => lax.dotGeneral(a, arr([1, 2], [2, 1], "int32"), { contractingDims: [[0], [0]] }),
    (e: Error) => e instanceof DTypeError && /float32/.test(e.message) && /int32/.test(e.message),
  );
  assert.throws(() => lax.dotGeneral(a, a, { contractingDims: [[0], [0]], preferredElementType: "int32" }), DTypeError);
  assert.throws(
    () => np.matmul(a, b),
    (e: Error) => e instanceof ShapeError && /matmul/.test(e.message),
  );
  assert.throws(
    () => np.matmul(arr(randn(r, 12), [2, 2, 3]), arr(randn(r, 9), [3, 3, 1])),
    (e: Error) => e instanceof ShapeError && /batch/.test(e.message),
  );
  assert.throws(() => np.matmul(np.array(2), a), ValueError);
  assert.throws(() => np.dot(a, arr(randn(r, 4), [2, 2])), ShapeError);
  assert.throws(() => np.tensordot(a, b, [[0], [0, 1]]), ShapeError);
});

/** Host float64 reference for f(x, W) = Σ tanh(x W)² and its gradients. */
function tanhLoss(
  x: number[],
  w: number[],
  n: number,
  k: number,
  m: number,
): { f: number; gx: number[]; gw: number[] } {
  const z = new globalThis.Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) for (let q = 0; q < k; q++) z[i * m + j] += x[i * k + q] * w[q * m + j];
  const t = z.map(Math.tanh);
  const dz = t.map((v) => 2 * v * (1 - v * v));
  const gx = new globalThis.Array<number>(n * k).fill(0);
  const gw = new globalThis.Array<number>(k * m).fill(0);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++)
      for (let q = 0; q < k; q++) {
        gx[i * k + q] += dz[i * m + j] * w[q * m + j];
        gw[q * m + j] += x[i * k + q] * dz[i * m + j];
      }
  return { f: t.reduce((s, v) => s + v * v, 0), gx, gw };
}

test("known values: gradient of Σ tanh(x @ W)² at a fixed input vs host-derived numbers", () => {
  const x = [0.1, -0.2, 0.3, 0.4, 0.5, -0.6];
  const w = [0.7, -0.1, 0.2, 0.3, 0.5, -0.4, 0.9, 0.05, -0.3, 0.6, 0.1, -0.2];
  const ref = tanhLoss(x, w, 2, 3, 4);
  const f = (a: Array, b: Array) => np.sum(np.tanh(np.matmul(a, b)).mul(np.tanh(np.matmul(a, b))));
  const [gx, gw] = grad(f, { argnums: [0, 1] })(arr(x, [2, 3]), arr(w, [3, 4])) as Array[];
  assertClose(f(arr(x, [2, 3]), arr(w, [3, 4])), ref.f, { rtol: 1e-6 });
  assertClose(gx, ref.gx, { rtol: 1e-5, atol: 1e-7 });
  assertClose(gw, ref.gw, { rtol: 1e-5, atol: 1e-7 });
  // and central differences of the host function agree with the host gradient (sanity of the reference)
  assertClose(
    ref.gw,
    fdGrad((v) => tanhLoss(x, v, 2, 3, 4).f, w),
    { rtol: 1e-6, atol: 1e-8 },
  );
  // jit of the gradient gives the same numbers
  const [jx] = jit(grad(f, { argnums: [0, 1] }))(arr(x, [2, 3]), arr(w, [3, 4])) as Array[];
  assertClose(jx, ref.gx, { rtol: 1e-5, atol: 1e-7 });
});

test("grad of a batched dotGeneral vs central differences of the host loop", () => {
  const { ls, rs, c, b } = CASES[3];
  const fl = randn(r, 24);
  const fr = randn(r, 40);
  const wOut = randn(r, 2 * 3 * 5);
  const host = (l: number[]) => hostDot(l, ls, fr, rs, c, b).reduce((s, v, i) => s + v * wOut[i], 0);
  const g = grad((u: Array) =>
    np.sum(lax.dotGeneral(u, arr(fr, rs), { contractingDims: c, batchDims: b }).mul(arr(wOut, [2, 3, 5]))),
  )(arr(fl, ls)) as Array;
  assertClose(g, fdGrad(host, fl), { rtol: 1e-4, atol: 1e-5 });
  const hostR = (rr: number[]) => hostDot(fl, ls, rr, rs, c, b).reduce((s, v, i) => s + v * wOut[i], 0);
  const gr = grad((u: Array) =>
    np.sum(lax.dotGeneral(arr(fl, ls), u, { contractingDims: c, batchDims: b }).mul(arr(wOut, [2, 3, 5]))),
  )(arr(fr, rs)) as Array;
  assertClose(gr, fdGrad(hostR, fr), { rtol: 1e-4, atol: 1e-5 });
});

test("dot-product test (jvp vs vjp) for dotGeneral in both operands, real and complex", () => {
  for (const { ls, rs, c, b } of CASES) {
    const f = (u: Array, v: Array) => lax.dotGeneral(u, v, { contractingDims: c, batchDims: b });
    const nl = ls.reduce((a, v) => a * v, 1);
    const nr = rs.reduce((a, v) => a * v, 1);
    checkTranspose(f, [arr(randn(r, nl), ls), arr(randn(r, nr), rs)], r);
    checkTranspose(f, [arr(randn(r, 2 * nl), ls, "complex64"), arr(randn(r, 2 * nr), rs, "complex64")], r);
  }
});

test("vmap of dotGeneral over the lhs, the rhs or both equals stacking", () => {
  for (const { ls, rs, c, b } of CASES) {
    const f = (u: Array, v: Array) => lax.dotGeneral(u, v, { contractingDims: c, batchDims: b });
    const nl = ls.reduce((a, v) => a * v, 1);
    const nr = rs.reduce((a, v) => a * v, 1);
    for (let bl = 0; bl <= ls.length; bl++) {
      const lB = [...ls];
      lB.splice(bl, 0, 2);
      checkVmap(f, [arr(randn(r, 2 * nl), lB), arr(randn(r, nr), rs)], [bl, null]);
      for (const brr of [0, rs.length]) {
        const rB = [...rs];
        rB.splice(brr, 0, 2);
        checkVmap(f, [arr(randn(r, 2 * nl), lB), arr(randn(r, 2 * nr), rB)], [bl, brr]);
        checkVmap(f, [arr(randn(r, nl), ls), arr(randn(r, 2 * nr), rB)], [null, brr]);
      }
    }
  }
  // vmap of grad of a matmul loss
  const w = arr(randn(r, 12), [3, 4]);
  const g = (xb: Array) => grad((u: Array) => np.sum(np.tanh(np.matmul(u, w))))(xb) as Array;
  checkVmap(g, [arr(randn(r, 12), [2, 2, 3])], [0], 1e-5);
});

test("jit(f) == f for dotGeneral and matmul", () => {
  const a = arr(randn(r, 24), [2, 3, 4]);
  const b = arr(randn(r, 40), [2, 4, 5]);
  const f = (u: Array, v: Array) => np.matmul(u, v).mul(2);
  assertClose(jit(f)(a, b), f(a, b), { rtol: 1e-6 });
  const dg = (u: Array, v: Array) => lax.dotGeneral(u, v, { contractingDims: [[1], [0]], batchDims: [[], []] });
  const m = arr(randn(r, 6), [2, 3]);
  const n = arr(randn(r, 12), [3, 4]);
  assertClose(jit(dg)(m, n), dg(m, n), { rtol: 1e-6 });
});

test("np.matmul: 1-D promotion, batch broadcasting (incl. size-1 and missing batch dims), method", () => {
  const A = randn(r, 2 * 1 * 3 * 4);
  const B = randn(r, 5 * 4 * 2);
  const a = arr(A, [2, 1, 3, 4]);
  const b = arr(B, [5, 4, 2]);
  const out = np.matmul(a, b);
  assert.deepEqual([...out.shape], [2, 5, 3, 2]);
  const o = flat(out);
  for (let i = 0; i < 2; i++)
    for (let j = 0; j < 5; j++)
      for (let p = 0; p < 3; p++)
        for (let q = 0; q < 2; q++) {
          let s = 0;
          for (let k = 0; k < 4; k++) s += A[(i * 3 + p) * 4 + k] * B[(j * 4 + k) * 2 + q];
          assert.ok(Math.abs(o[((i * 5 + j) * 3 + p) * 2 + q] - s) < 1e-5);
        }
  const v = arr([1, 2, 3, 4], [4]);
  assertClose(np.matmul(v, v), 30, { shape: [] });
  const m = arr([1, 0, 0, 1, 1, 1, 2, 0], [2, 4]);
  assertClose(np.matmul(m, v), [5, 9], { shape: [2] });
  assertClose(np.matmul(v, np.transpose(m)), [5, 9], { shape: [2] });
  assertClose(
    np.matmul(
      v,
      arr(
        randn(r, 24).map(() => 1),
        [3, 4, 2],
      ),
    ),
    new globalThis.Array(6).fill(10),
    { shape: [3, 2] },
  );
  assertClose(m.matmul(v), [5, 9]);
  // dtype promotion: int32 @ float32 → float32
  assertClose(np.matmul(arr([1, 2], [1, 2], "int32"), arr([0.5, 0.25], [2, 1])), [1], { dtype: "float32" });
});

test("np.dot / vdot / inner / outer / tensordot", () => {
  const a = arr([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = arr([1, 0, 2, 1, 0, 1], [3, 2]);
  assertClose(np.dot(a, b), [5, 5, 14, 11]);
  assertClose(np.dot(a, arr([1, 1, 1], [3])), [6, 15]);
  assertClose(np.dot(2, a), [2, 4, 6, 8, 10, 12]);
  // N-D: dot(a3, b3)[i, j, k, m] = Σ a3[i, j, :]·b3[k, :, m]
  const a3 = arr(randn(r, 12), [2, 2, 3]);
  const b3 = arr(randn(r, 12), [2, 3, 2]);
  const d = np.dot(a3, b3);
  assert.deepEqual([...d.shape], [2, 2, 2, 2]);
  assertClose(d, np.einsum("ijx,kxm->ijkm", a3, b3), { rtol: 1e-5 });
  // vdot conjugates the first operand: (1 − 2i)(3 + 1i) + (0 − 1i)(1 + 0i) = 5 − 5i − i = 5 − 6i
  assertClose(np.vdot(arr([1, 2, 0, 1], [2], "complex64"), arr([3, 1, 1, 0], [2], "complex64")), [5, -6]);
  assertClose(np.vdot(a, a), 91);
  assertClose(np.inner(arr([1, 2, 3], [3]), arr([0, 1, 0, 1, 0, 1], [2, 3])), [2, 4]);
  assertClose(np.outer(arr([1, 2], [2]), arr([3, 4, 5], [3])), [3, 4, 5, 6, 8, 10], { shape: [2, 3] });
  assertClose(np.tensordot(a, b, 1), [5, 5, 14, 11]);
  assertClose(np.tensordot(a, a, 2), 91, { shape: [] });
  // Σ_ij a[i, j]·b[j, i] = 1·1 + 2·2 + 3·0 + 4·0 + 5·1 + 6·1
  assertClose(
    np.tensordot(a, b, [
      [1, 0],
      [0, 1],
    ]),
    16,
    { shape: [] },
  );
  assertClose(np.tensordot(a, a, [0, 0]), [17, 22, 27, 22, 29, 36, 27, 36, 45]);
});

test("matmul dtypes: bool, complex", () => {
  assertEqualArray(
    np.matmul(arr([1, 0, 0, 0], [2, 2], "bool"), arr([0, 1, 1, 0], [2, 2], "bool")),
    [0, 1, 0, 0],
    "bool",
  );
  // [[i]] @ [[i]] = [[-1]]
  assertClose(np.matmul(arr([0, 1], [1, 1], "complex64"), arr([0, 1], [1, 1], "complex64")), [-1, 0], {
    dtype: "complex64" as DType,
  });
  // grad of a real loss through a complex matmul: Re Σ (a b) with respect to a gives conj-free transpose: Σ_j b_kj
  const g = grad((u: Array) => np.real(np.sum(np.matmul(u, arr([1, 1, 0, 2], [2, 1], "complex64")))))(
    arr([1, 0, 0, 0], [1, 2], "complex64"),
  ) as Array;
  assertClose(g, [1, 1, 0, 2]);
});
