/**
 * Property tests of the transform rules on compositions of the primitives that exist in every
 * build: jit(f) == f, vmap(f) == stacked f, grad == finite differences, jvp/vjp dot-product test.
 */
import { test } from "node:test";
import fc from "fast-check";
import { np, grad, jvp, vjp, type Array } from "linax-ts";
import { arrays, shapes, broadcastableShapes, fcParams, checkGrads, checkVmap, checkJit, assertClose, toFlat } from "@linax-ts/testing";

const smooth = (x: Array, y: Array): Array => np.sum(np.tanh(x.mul(y)).add(np.sin(x).mul(np.cos(y))));

test("jit(f) == f on random shapes", () => {
  fc.assert(
    fc.property(shapes(), (s) => {
      const x = fc.sample(arrays({ shape: s }), { seed: s.length, numRuns: 1 })[0];
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
    fc.property(broadcastableShapes(), ([sa, sb]) => {
      const [x] = fc.sample(arrays({ shape: sa }), { seed: 1, numRuns: 1 });
      const [y] = fc.sample(arrays({ shape: sb }), { seed: 2, numRuns: 1 });
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
    }),
    fcParams(),
  );
});

test("linear maps: <J v, w> == <v, Jᵀ w> for reshape/transpose/broadcast compositions", () => {
  fc.assert(
    fc.property(arrays({ shape: [2, 3] }), arrays({ shape: [3, 2] }), arrays({ shape: [2, 3] }), (x, w, v) => {
      const f = (a: Array) => np.transpose(a).mul(2).add(np.reshape(a, [3, 2]));
      const [, jv] = jvp(f, [x], [v]);
      const [, pb] = vjp(f, x);
      const [jtw] = pb(w) as Array[];
      const lhs = np.sum((jv as Array).mul(w)).item() as number;
      const rhs = np.sum(v.mul(jtw)).item() as number;
      if (Math.abs(lhs - rhs) > 1e-4 * (1 + Math.abs(lhs))) throw new Error(`${lhs} != ${rhs}`);
    }),
    fcParams(),
  );
});
