import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, makeJaxpr, ShapeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

// The SSM linear recurrence h_t = a_t·h_{t-1} + b_t as an associative scan over pairs (a, b):
//   (a1, b1) ∘ (a2, b2) = (a2·a1, a2·b1 + b2)
type Pair = [Array, Array];
const combine = ([a1, b1]: Pair, [a2, b2]: Pair): Pair => [lax.mul(a2, a1), lax.add(lax.mul(a2, b1), b2)];
const viaAssoc = (a: Array, b: Array, reverse = false) => lax.associativeScan(combine, [a, b] as Pair, { reverse })[1];
const viaScan = (a: Array, b: Array, reverse = false) =>
  lax.scan(
    (h: Array, [at, bt]: Pair) => {
      const n = lax.add(lax.mul(at, h), bt);
      return [n, n] as [Array, Array];
    },
    lax.sub(
      lax.reshape(lax.sliceInDim(b, 0, 1), b.shape.slice(1)),
      lax.reshape(lax.sliceInDim(b, 0, 1), b.shape.slice(1)),
    ),
    [a, b] as Pair,
    { reverse },
  )[1];

type C = [number, number];
const cmul = (x: C, y: C): C => [x[0] * y[0] - x[1] * y[1], x[0] * y[1] + x[1] * y[0]];
const cadd = (x: C, y: C): C => [x[0] + y[0], x[1] + y[1]];
/** h_t over [n][d] complex (real data has zero imaginary parts), in float64 on the host. */
function hostRecurrence(a: C[][], b: C[][], reverse: boolean): C[][] {
  const n = a.length;
  const d = a[0].length;
  const out: C[][] = new globalThis.Array(n);
  let h: C[] = globalThis.Array.from({ length: d }, () => [0, 0] as C);
  for (let k = 0; k < n; k++) {
    const t = reverse ? n - 1 - k : k;
    h = h.map((hv, j) => cadd(cmul(a[t][j], hv), b[t][j]));
    out[t] = h;
  }
  return out;
}
const D = 2;
function data(n: number, complex: boolean): { a: C[][]; b: C[][] } {
  const a = globalThis.Array.from({ length: n }, (_, t) =>
    globalThis.Array.from({ length: D }, (_, j) => {
      const mag = 0.6 + 0.39 * Math.abs(Math.sin(1.7 * t + j));
      const ang = complex ? 0.8 * Math.cos(0.9 * t + 2 * j) : 0;
      return [mag * Math.cos(ang), mag * Math.sin(ang)] as C;
    }),
  );
  const b = globalThis.Array.from({ length: n }, (_, t) =>
    globalThis.Array.from({ length: D }, (_, j) => [Math.cos(0.3 * t - j), complex ? Math.sin(0.5 * t + j) : 0] as C),
  );
  return { a, b };
}
const toArray = (x: C[][], complex: boolean): Array =>
  complex
    ? lax.complex(np.array(x.map((r) => r.map((c) => c[0]))), np.array(x.map((r) => r.map((c) => c[1]))))
    : np.array(x.map((r) => r.map((c) => c[0])));
const flatHost = (x: C[][], complex: boolean): number[] =>
  x.flatMap((r) => r.flatMap((c) => (complex ? [c[0], c[1]] : [c[0]])));

const LENGTHS = [1, 2, 3, 5, 7, 8, 13, 64, 100];

for (const complex of [false, true]) {
  test(`associativeScan == sequential scan == host loop for ${complex ? "complex" : "real"} linear recurrences`, () => {
    for (const n of LENGTHS) {
      const { a, b } = data(n, complex);
      const A = toArray(a, complex);
      const B = toArray(b, complex);
      for (const reverse of [false, true]) {
        const want = flatHost(hostRecurrence(a, b, reverse), complex);
        const got = viaAssoc(A, B, reverse);
        assert.equal(got.dtype, complex ? "complex64" : "float32");
        assertClose(got, want, { rtol: 2e-5, atol: 2e-5, shape: [n, D] });
        assertClose(viaScan(A, B, reverse), want, { rtol: 2e-5, atol: 2e-5 });
      }
    }
  });
}

test("associativeScan of addition is a cumulative sum; the combine may close over values; axis option", () => {
  const x = np.array([3, 1, 4, 1, 5, 9, 2]);
  assertClose(
    lax.associativeScan((p: Array, q: Array) => lax.add(p, q), x),
    [3, 4, 8, 9, 14, 23, 25],
  );
  assertClose(
    lax.associativeScan((p: Array, q: Array) => lax.add(p, q), x, { reverse: true }),
    [25, 22, 21, 17, 16, 11, 2],
  );
  const m = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  assertClose(
    lax.associativeScan((p: Array, q: Array) => lax.add(p, q), m, { axis: 1 }),
    [1, 3, 6, 4, 9, 15],
  );
  assertClose(
    lax.associativeScan((p: Array, q: Array) => lax.add(p, q), m, { axis: -2 }),
    [1, 2, 3, 5, 7, 9],
  );
  // A max-plus combine with a closed-over offset w (associative for any w).
  const w = np.array(0.5);
  const mx = lax.associativeScan((p: Array, q: Array) => lax.max(lax.add(p, w), q), np.array([1, 0, 3, 0, 0]));
  assertClose(mx, [1, 1.5, 3, 3.5, 4]);
});

test("grad through associativeScan matches float64 central differences (real and complex)", () => {
  const n = 13;
  for (const complex of [false, true]) {
    const { a, b } = data(n, complex);
    // L = Σ_t Σ_j c_tj·|h_tj|²
    const coef = (t: number, j: number) => 1 + 0.1 * t - 0.3 * j;
    const loss = (A: Array, B: Array) => {
      const h = viaAssoc(A, B);
      const mag = complex
        ? lax.add(lax.mul(lax.real(h), lax.real(h)), lax.mul(lax.imag(h), lax.imag(h)))
        : lax.mul(h, h);
      return np.sum(
        lax.mul(
          mag,
          np.array(
            globalThis.Array.from({ length: n }, (_, t) => globalThis.Array.from({ length: D }, (_, j) => coef(t, j))),
          ),
        ),
      );
    };
    const hostLoss = (aa: C[][], bb: C[][]) =>
      hostRecurrence(aa, bb, false).reduce(
        (s, r, t) => s + r.reduce((u, c, j) => u + coef(t, j) * (c[0] * c[0] + c[1] * c[1]), 0),
        0,
      );
    const [gA, gB] = grad(loss, { argnums: [0, 1] })(toArray(a, complex), toArray(b, complex)) as Array[];
    // JAX's convention for real losses of complex inputs: grad = ∂L/∂re − i·∂L/∂im.
    const fd = (which: "a" | "b"): number[] => {
      const out: number[] = [];
      const eps = 1e-6;
      for (let t = 0; t < n; t++)
        for (let j = 0; j < D; j++)
          for (let part = 0; part < (complex ? 2 : 1); part++) {
            const bump = (s: number) => {
              const aa = a.map((r) => r.map((c) => [...c] as C));
              const bb = b.map((r) => r.map((c) => [...c] as C));
              (which === "a" ? aa : bb)[t][j][part] += s;
              return hostLoss(aa, bb);
            };
            const d = (bump(eps) - bump(-eps)) / (2 * eps);
            out.push(part === 1 ? -d : d);
          }
      return out;
    };
    assertClose(gA, fd("a"), { rtol: 1e-3, atol: 1e-3 });
    assertClose(gB, fd("b"), { rtol: 1e-3, atol: 1e-3 });
  }
});

test("reverse mode inlines the composition: the linear part has slices and pads, no associativeScan", () => {
  const { a, b } = data(8, false);
  // A combine other than the linear-recurrence operator (here, a product): the composition.
  const prodLoss = (B: Array) => np.sum(lax.associativeScan((x: Array, y: Array) => lax.mul(x, y), B));
  const sp = String(makeJaxpr(grad(prodLoss))(toArray(b, false)));
  assert.ok(!/associativeScan/.test(sp), sp);
  assert.match(sp, /pad\[/);
  // linax's linear-recurrence operator: the recurrences' own rules (associative-linear.ts) — the
  // cotangent of b is one reverse (transposed) linearRecurrence, no composition.
  const loss = (B: Array) => np.sum(viaAssoc(toArray(a, false), B));
  const s = String(makeJaxpr(grad(loss))(toArray(b, false)));
  assert.ok(!/associativeScan|pad\[/.test(s), s);
  assert.match(s, /linearRecurrence\[axis=0 reverse=true transposed=true\]/);
  // Forward mode keeps the primitive (an associative scan over primal/tangent pairs).
  const sj = String(makeJaxpr((B: Array) => jvp(loss, [B], [B])[1])(toArray(b, false)));
  assert.match(sj, /associativeScan\[/);
});

test("jvp through associativeScan matches the host derivative", () => {
  const { a, b } = data(5, false);
  const A = toArray(a, false);
  const B = toArray(b, false);
  const [, t] = jvp((x: Array) => viaAssoc(A, x), [B], [np.ones([5, D])]);
  // Linear in b: the tangent is the recurrence driven by the ones.
  const ones = b.map((r) => r.map(() => [1, 0] as C));
  assertClose(t, flatHost(hostRecurrence(a, ones, false), false), { rtol: 1e-5 });
});

test("vmap of associativeScan equals stacking; jit equals eager", () => {
  const runs = [data(6, false), data(6, true)].map(({ a, b }) => [toArray(a, false), toArray(b, false)]);
  const As = np.stack([runs[0][0], runs[1][0]]);
  const Bs = np.stack([runs[0][1], runs[1][1]]);
  const out = vmap((a: Array, b: Array) => viaAssoc(a, b))(As, Bs);
  const want = runs.flatMap(([A, B]) => globalThis.Array.from(viaAssoc(A, B).dataSync()));
  assertClose(out, want, { rtol: 1e-6, shape: [2, 6, D] });
  // Unbatched a, batched b (batch axis 1).
  const out2 = vmap((b: Array) => viaAssoc(runs[0][0], b), { inAxes: 1 })(lax.transpose(Bs, [1, 0, 2]));
  assertClose(
    out2,
    runs.flatMap(([, B]) => globalThis.Array.from(viaAssoc(runs[0][0], B).dataSync())),
    { rtol: 1e-6 },
  );
  const [A, B] = runs[1];
  assertClose(jit(viaAssoc)(A, B), viaAssoc(A, B), { rtol: 1e-6 });
  assertClose(
    grad((x: Array) => np.sum(jit(viaAssoc)(A, x)))(B) as Array,
    grad((x: Array) => np.sum(viaAssoc(A, x)))(B) as Array,
    { rtol: 1e-6 },
  );
});

test("associativeScan errors: mismatched lengths, a combine that changes the element type", () => {
  assert.throws(
    () => lax.associativeScan(combine, [np.array([1, 2]), np.array([1, 2, 3])] as Pair),
    (e: unknown) => e instanceof ShapeError && /same length along axis 0/.test(e.message),
  );
  assert.throws(
    () =>
      lax.associativeScan(
        (p: Array) => lax.reduceSum(lax.broadcastInDim(p, [2], []), [0]).reshape([1]) as Array,
        np.array([1, 2]),
      ),
    /same structure and types/,
  );
});
