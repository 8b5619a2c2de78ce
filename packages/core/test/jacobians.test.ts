import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, vmap, jacfwd, jacrev, hessian, DTypeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

// f(x) = [x0·x1, sin(x0), x1²·x2]; J = [[x1, x0, 0], [cos x0, 0, 0], [0, 2 x1 x2, x1²]].
const f = (x: Array) => {
  const [x0, x1, x2] = [0, 1, 2].map((i) => lax.reshape(lax.sliceInDim(x, i, i + 1), []));
  return np.stack([lax.mul(x0, x1), lax.sin(x0), lax.mul(lax.mul(x1, x1), x2)]);
};
const xv = [0.5, -1.5, 2];
const J = [
  [xv[1], xv[0], 0],
  [Math.cos(xv[0]), 0, 0],
  [0, 2 * xv[1] * xv[2], xv[1] * xv[1]],
];

test("jacfwd == jacrev == the hand-derived Jacobian", () => {
  const x = np.array(xv);
  assertClose(jacfwd(f)(x), J.flat(), { rtol: 1e-6, shape: [3, 3] });
  assertClose(jacrev(f)(x), J.flat(), { rtol: 1e-6, shape: [3, 3] });
  assertClose(jit(jacfwd(f))(x), J.flat(), { rtol: 1e-6 });
  assertClose(jacrev(jit(f))(x), J.flat(), { rtol: 1e-6 });
  // vmap of a Jacobian: one per row.
  const xs = np.array([xv, [1, 2, 3]]);
  const Js = vmap(jacrev(f))(xs);
  assertClose(Js, [...J.flat(), 2, 1, 0, Math.cos(1), 0, 0, 0, 12, 4], { rtol: 1e-6, shape: [2, 3, 3] });
});

test("Jacobians over pytrees, argnums lists, scalar and matrix shapes, hasAux", () => {
  // g({a, b}, c) = {u: a·b (elementwise, [2]), v: Σ a·c (scalar)}
  const g = (p: { a: Array; b: Array }, c: Array) => ({ u: lax.mul(p.a, p.b), v: np.sum(lax.mul(p.a, c)) });
  const p = { a: np.array([1, 2]), b: np.array([3, 4]) };
  const c = np.array([5, 6]);
  // One signature for both (typed from g: no casts below).
  const jacs: (typeof jacfwd)[] = [jacfwd, jacrev];
  for (const jac of jacs) {
    const r = jac(g)(p, c);
    assertClose(r.u.a, [3, 0, 0, 4], { shape: [2, 2] });
    assertClose(r.u.b, [1, 0, 0, 2], { shape: [2, 2] });
    assertClose(r.v.a, [5, 6], { shape: [2] });
    assertClose(r.v.b, [0, 0], { shape: [2] });
    const [ja, jc] = jac(g, { argnums: [0, 1] })(p, c).v;
    assertClose(ja.a, [5, 6]);
    assertClose(jc, [1, 2]);
    // Matrix input, matrix output: blocks of shape [...out, ...in].
    const m = jac((x: Array) => lax.mul(x, x))(
      np.array([
        [1, 2],
        [3, 4],
      ]),
    );
    assert.deepEqual([...m.shape], [2, 2, 2, 2]);
    assertClose(lax.reshape(m, [4, 4]), [2, 0, 0, 0, 0, 4, 0, 0, 0, 0, 6, 0, 0, 0, 0, 8]);
    const [jv, aux] = jac((x: Array) => [lax.sin(x), lax.cos(x)], { hasAux: true })(np.array(0.3));
    assertClose(jv, Math.cos(0.3), { rtol: 1e-6, shape: [] });
    assertClose(aux, Math.cos(0.3), { rtol: 1e-6 });
  }
  assert.throws(() => jacfwd(f)(np.array([1, 2, 3], { dtype: "int32" })), DTypeError);
});

test("hessian of x·Ax is A + Aᵀ", () => {
  const Ah = [
    [1, 2, 0],
    [-1, 3, 4],
    [0.5, 0, 2],
  ];
  const A = np.array(Ah);
  const q = (x: Array) => np.sum(lax.mul(x, np.matmul(A, x)));
  const H = hessian(q)(np.array([0.3, -0.2, 0.9]));
  assertClose(
    H,
    Ah.flatMap((row, i) => row.map((v, j) => v + Ah[j][i])),
    { rtol: 1e-6, shape: [3, 3] },
  );
  // Hessian of a non-quadratic function: Σ sin(x_i)·x_j  ⇒  H_ij = cos x_i + cos x_j − δ_ij·sin(x_i)·Σx.
  const s = (x: Array) => lax.mul(np.sum(lax.sin(x)), np.sum(x));
  const xh = [0.4, 1.1];
  const tot = xh[0] + xh[1];
  const Hs = hessian(s)(np.array(xh));
  assertClose(
    Hs,
    xh.flatMap((a, i) => xh.map((b, j) => Math.cos(a) + Math.cos(b) - (i === j ? Math.sin(a) * tot : 0))),
    { rtol: 1e-5 },
  );
});

test("hessian over a pytree: H.w.w, H.w.b, H.b.w, H.b.b (typed like the parameters twice)", () => {
  // f({w, b}) = Σ w²·b  ⇒  ∂²/∂w² = 2b, ∂²/∂w∂b = 2w, ∂²/∂b² = 0 (w = 3, b = 5, shapes [1]).
  const fq = (q: { w: Array; b: Array }) => np.sum(lax.mul(lax.mul(q.w, q.w), q.b));
  const H = hessian(fq)({ w: np.array([3]), b: np.array([5]) });
  assertClose(H.w.w, [10], { shape: [1, 1] });
  assertClose(H.w.b, [6], { shape: [1, 1] });
  assertClose(H.b.w, [6], { shape: [1, 1] });
  assertClose(H.b.b, [0], { shape: [1, 1] });
});
