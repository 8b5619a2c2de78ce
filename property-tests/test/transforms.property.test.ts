/**
 * Property tests of the transform rules on compositions of the primitives that exist in every
 * build: jit(f) == f, vmap(f) == stacked f, grad == finite differences, jvp/vjp dot-product test.
 */
import { test } from "node:test";
import fc from "fast-check";
import assert from "node:assert/strict";
import { np, lax, grad, jvp, vjp, treeFlatten, treeUnflatten, type Array } from "linax-ts";
import {
  arrays,
  shapes,
  broadcastableShapes,
  pytrees,
  fcParams,
  checkGrads,
  checkVmap,
  checkJit,
  assertClose,
  toFlat,
  realInner,
  hostConj,
} from "@linax-ts/testing";

const smooth = (x: Array, y: Array): Array => np.sum(np.tanh(x.mul(y)).add(np.sin(x).mul(np.cos(y))));

test("jit(f) == f on random shapes", () => {
  fc.assert(
    fc.property(arrays({ shape: shapes() }), (x) => {
      checkJit((a: Array) => np.exp(np.sin(a)).mul(a).sub(a.div(2)), [x]);
    }),
    fcParams(),
  );
});

test("vmap(f) == stacking f over axis 0", () => {
  fc.assert(
    fc.property(arrays({ shape: shapes({ minRank: 1, maxRank: 3 }) }), (x) => {
      checkVmap((a: Array) => np.sum(np.tanh(a).mul(a)), [x]);
      checkVmap((a: Array) => np.cos(a).add(np.sum(a)), [x]);
    }),
    fcParams(),
  );
});

test("grad == central finite differences, and jvp/vjp agree (dot-product test), incl. second order", () => {
  fc.assert(
    fc.property(arrays({ shape: [3] }), arrays({ shape: [3] }), (x, y) => {
      checkGrads(smooth, [x, y], { order: 2, modes: ["fwd", "rev"] });
    }),
    fcParams(15),
  );
});

test("binary ops broadcast: grad of sum(x*y) w.r.t. a broadcast operand sums over broadcast axes", () => {
  fc.assert(
    fc.property(
      broadcastableShapes().chain(([sa, sb]) =>
        fc.tuple(fc.constant(sb), arrays({ shape: sa }), arrays({ shape: sb })),
      ),
      ([sb, x, y]) => {
        const gy = grad((b: Array) => np.sum(x.mul(b)), {})(y) as Array;
        // Host reference: d/dy_j Σ_i x_i·y_{b(i)} = Σ over the elements of x that y_j broadcasts to.
        const out = x.mul(y).shape;
        const xb = toFlat(np.broadcastTo(x, out));
        const want = new Float64Array(y.size);
        const nd = out.length;
        const ys = [...globalThis.Array(nd - sb.length).fill(1), ...sb];
        for (let i = 0; i < xb.length; i++) {
          let rem = i;
          let j = 0;
          let stride = 1;
          const idx: number[] = [];
          for (let ax = nd - 1; ax >= 0; ax--) {
            idx[ax] = rem % out[ax];
            rem = Math.floor(rem / out[ax]);
          }
          for (let ax = nd - 1; ax >= 0; ax--) {
            j += (ys[ax] === 1 ? 0 : idx[ax]) * stride;
            stride *= ys[ax];
          }
          want[j] += xb[i];
        }
        assertClose(gy, globalThis.Array.from(want), { rtol: 1e-5, atol: 1e-5, shape: sb });
      },
    ),
    fcParams(),
  );
});

test("linear maps: <J v, w> == <v, Jᵀ w> for reshape/transpose/broadcast compositions", () => {
  fc.assert(
    fc.property(arrays({ shape: [2, 3] }), arrays({ shape: [3, 2] }), arrays({ shape: [2, 3] }), (x, w, v) => {
      const f = (a: Array) =>
        np
          .transpose(a)
          .mul(2)
          .add(np.reshape(a, [3, 2]));
      const [, jv] = jvp(f, [x], [v]);
      const [, pb] = vjp(f, x);
      const [jtw] = pb(w) as Array[];
      const lhs = np.sum((jv as Array).mul(w)).item();
      const rhs = np.sum(v.mul(jtw)).item();
      if (Math.abs(lhs - rhs) > 1e-4 * (1 + Math.abs(lhs))) throw new Error(`${lhs} != ${rhs}`);
    }),
    fcParams(),
  );
});

/**
 * Complex maps: which dot-product identity holds. Our (JAX's) transpose rules transpose with
 * respect to the bilinear pairing Re Σ aᵢbᵢ, so with the real inner product ⟨a, b⟩ on (re, im)
 * pairs the identity is ⟨J v, w⟩ = ⟨v, conj(vjp(conj w))⟩ — for holomorphic and
 * non-holomorphic maps alike — while the naive ⟨J v, w⟩ = ⟨v, vjp(w)⟩ fails as soon as a
 * complex coefficient is involved. grad of a real function of z returns conj(∂f/∂x + i·∂f/∂y)
 * (so |z|² gives 2·conj(z), JAX's convention).
 */
test("complex maps: ⟨J v, w⟩ = ⟨v, conj(vjp(conj w))⟩ holds (JAX's convention); the naive identity does not", () => {
  const cplx = arrays({ dtype: "complex64", shape: [3], min: -2, max: 2 });
  const maps: [string, (c: Array) => (z: Array) => Array][] = [
    ["c·z (holomorphic)", (c) => (z) => lax.mul(c, z)],
    ["c·conj(z)", (c) => (z) => lax.mul(c, lax.conj(z))],
    [
      "c·real(z) + imag(z)",
      (c) => (z) =>
        lax.add(
          lax.mul(c, lax.complex(lax.real(z), lax.mul(lax.real(z), lax.real(c)))),
          lax.complex(lax.imag(z), lax.real(z)),
        ),
    ],
    ["exp(c·z)·z", (c) => (z) => lax.mul(lax.exp(lax.mul(c, z)), z)],
  ];
  let naiveFailures = 0;
  fc.assert(
    fc.property(cplx, cplx, cplx, cplx, (c, z, v, w) => {
      for (const [name, m] of maps) {
        const f = m(c);
        const [, jv] = jvp(f, [z], [v]) as [Array, Array];
        const [, pb] = vjp(f, z);
        const lhs = realInner([jv], [w]);
        const conjRule = realInner([v], [hostConj((pb(hostConj(w)) as Array[])[0])]);
        const tol = 1e-4 * (1 + lhs.scale + conjRule.scale);
        if (Math.abs(lhs.value - conjRule.value) > tol)
          throw new Error(`${name}: ⟨Jv, w⟩ = ${lhs.value} but ⟨v, conj(vjp(conj w))⟩ = ${conjRule.value}`);
        const naive = realInner([v], [(pb(w) as Array[])[0]]);
        if (Math.abs(lhs.value - naive.value) > tol) naiveFailures++;
        checkGrads(f, [z], { order: 2 });
      }
    }),
    fcParams(10),
  );
  if (naiveFailures === 0)
    throw new Error(
      "the naive identity ⟨Jv, w⟩ = ⟨v, vjp(w)⟩ held on every case: the complex convention test is not discriminating",
    );
});

test("grad of a real function of complex input is conj(∂f/∂x + i·∂f/∂y): grad |z|² = 2·conj(z)", () => {
  fc.assert(
    fc.property(arrays({ dtype: "complex64", shape: [4] }), (z) => {
      const g = grad((u: Array) => lax.reduceSum(lax.real(lax.mul(u, lax.conj(u))), [0]))(z) as Array;
      const zv = toFlat(z);
      assertClose(
        g,
        zv.map((v, i) => (i % 2 === 0 ? 2 * v : -2 * v)),
        { rtol: 1e-6, atol: 1e-6 },
      );
    }),
    fcParams(),
  );
});

test("pytree outputs: jit and vmap keep the structure; grad returns the argument's structure", () => {
  // Leaves share a leading axis of 2 (the vmapped one); structures are random lists/dicts.
  const batchedLeaf = arrays({ shape: shapes({ minRank: 0, maxRank: 2 }).map((s) => [2, ...s]) });
  fc.assert(
    fc.property(pytrees({ leaf: batchedLeaf }), (tree) => {
      const [leaves, def] = treeFlatten(tree);
      const f = (...xs: Array[]) =>
        treeUnflatten(
          def,
          xs.map((x, i) => (i % 2 === 0 ? np.sin(x) : x.mul(x))),
        );
      checkJit(f, leaves as Array[]);
      checkVmap(f, leaves as Array[], { inAxes: 0, outAxes: -1 });
      const g = grad((t: unknown) =>
        (treeFlatten(t)[0] as Array[]).map((l) => np.sum(np.sin(l))).reduce((a, b) => a.add(b)),
      )(tree);
      assert.ok(treeFlatten(g)[1].equals(def), `grad structure ${treeFlatten(g)[1]} != ${def}`);
      (treeFlatten(g)[0] as Array[]).forEach((gl, i) =>
        assertClose(gl, toFlat(np.cos(leaves[i] as Array)), { rtol: 1e-5, atol: 1e-6 }),
      );
    }),
    fcParams(),
  );
});
