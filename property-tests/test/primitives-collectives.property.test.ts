/**
 * Properties of the named-axis collectives (psum, pmax, pmin, axisIndex), which the generic
 * table cannot state — their meaning is defined by the vmapped axis, so "vmap == stacked loop"
 * does not apply. Instead, over random shapes, batch sizes and in/out axes:
 *   vmap(f, {axisName}) equals a host reduction over the batch · jit inside and outside the vmap
 *   changes nothing · grad of a function of the whole batch matches finite differences (checkGrads)
 *   · vmap(grad) through psum follows JAX's convention (psum transposes to psum).
 */
import { test } from "node:test";
import fc from "fast-check";
import { lax, grad, jit, vmap, type Array } from "linax-ts";
import { assertClose, checkGrads, fcParams, hostValues, takeAlong, stackAlong, fromValues } from "@linax-ts/testing";
import { distinct } from "./specs/reduce.ts";
import { smallShape } from "./specs/types.ts";

interface Case {
  batch: Array;
  inAxis: number;
  outAxis: number;
  n: number;
}

/** A batch of n elements of a random shape, stacked on the host along a random axis; values distinct (pmax/pmin differentiable). */
const cases: fc.Arbitrary<Case> = fc
  .record({ shape: smallShape(0, 2, 3), n: fc.integer({ min: 1, max: 4 }), a: fc.nat(), b: fc.nat() })
  .chain(({ shape, n, a, b }) =>
    distinct("float32", [n, ...shape]).map((x) => {
      const inAxis = a % (shape.length + 1);
      const rows = globalThis.Array.from({ length: n }, (_, i) => takeAlong(x, 0, i));
      return { batch: stackAlong(rows, inAxis), inAxis, outAxis: b % (shape.length + 1), n };
    }),
  );

/** Host reduction over the batch: element-wise along the in-axis. */
function hostReduce(c: Case, op: (vals: number[]) => number): number[] {
  const rows = globalThis.Array.from({ length: c.n }, (_, i) => hostValues(takeAlong(c.batch, c.inAxis, i)));
  return rows[0].map((_, k) => op(rows.map((r) => r[k])));
}

const COLLECTIVES: [string, (x: Array) => Array, (v: number[]) => number][] = [
  ["psum", (x) => lax.psum(x, "i"), (v) => v.reduce((a, b) => a + b, 0)],
  ["pmax", (x) => lax.pmax(x, "i"), (v) => Math.max(...v)],
  ["pmin", (x) => lax.pmin(x, "i"), (v) => Math.min(...v)],
];

for (const [name, op, host] of COLLECTIVES) {
  test(`${name}: vmap with an axis name == host reduction over the batch, with jit inside and outside`, () => {
    fc.assert(
      fc.property(cases, (c) => {
        const want = hostReduce(c, host);
        const f = (x: Array) => lax.mul(op(x), x);
        const variants = [
          vmap(f, { axisName: "i", inAxes: c.inAxis, outAxes: c.outAxis }),
          vmap(jit(f), { axisName: "i", inAxes: c.inAxis, outAxes: c.outAxis }),
          jit(vmap(f, { axisName: "i", inAxes: c.inAxis, outAxes: c.outAxis })),
        ];
        for (const g of variants) {
          const out = g(c.batch);
          for (let i = 0; i < c.n; i++) {
            const xi = hostValues(takeAlong(c.batch, c.inAxis, i));
            assertClose(
              takeAlong(out, c.outAxis, i),
              xi.map((v, k) => Math.fround(want[k]) * v),
              { rtol: 1e-5, atol: 1e-5 },
            );
          }
        }
      }),
      fcParams(15),
    );
  });

  test(`${name}: grad through the collective matches finite differences (order 2), and vmap(grad) the host derivative`, () => {
    fc.assert(
      fc.property(cases, (c) => {
        // F(X) = Σ_b x_b · op(x)_b — a function of the whole batch.
        const F = (x: Array) =>
          vmap((v: Array) => lax.mul(v, op(v)), { axisName: "i", inAxes: c.inAxis, outAxes: c.inAxis })(x);
        checkGrads(F, [c.batch], { order: 2 });
      }),
      fcParams(10),
    );
  });
}

test("psum: vmap(grad) of a per-element loss through psum is 2·S (JAX: psum transposes to psum)", () => {
  fc.assert(
    fc.property(cases, (c) => {
      // L_b = Σ_k psum(x)_k · x_b,k. Under vmap, grad transposes the psum into a psum of the
      // cotangents, so each element gets d(Σ_b L_b)/dx_b = S + S = 2S, as in JAX.
      const S = hostReduce(c, (v) => v.reduce((a, b) => a + b, 0));
      const L = (x: Array) =>
        lax.reduceSum(
          lax.mul(lax.psum(x, "i"), x),
          x.shape.map((_, k) => k),
        );
      const g = vmap(grad(L) as (x: Array) => Array, { axisName: "i", inAxes: c.inAxis, outAxes: c.inAxis })(c.batch);
      for (let i = 0; i < c.n; i++)
        assertClose(
          takeAlong(g, c.inAxis, i),
          S.map((v) => 2 * v),
          { rtol: 1e-5, atol: 1e-5 },
        );
    }),
    fcParams(10),
  );
});

test("axisIndex: the element's position along the named axis, under jit and nested vmaps", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), (n, m) => {
      const x = fromValues(
        globalThis.Array.from({ length: n * m }, (_, k) => k),
        [n, m],
        "float32",
      );
      const f = () => lax.add(lax.mul(lax.axisIndex("outer"), fromValues([10], [], "int32")), lax.axisIndex("inner"));
      const inner = (_row: Array) => vmap((_v: Array) => f(), { axisName: "inner" })(_row);
      for (const g of [
        vmap(inner, { axisName: "outer" }),
        jit(vmap(inner, { axisName: "outer" })),
        vmap(jit(inner), { axisName: "outer" }),
      ]) {
        const out = g(x);
        assertClose(
          out,
          globalThis.Array.from({ length: n * m }, (_, k) => 10 * Math.floor(k / m) + (k % m)),
          { rtol: 0, atol: 0, shape: [n, m] },
        );
      }
    }),
    fcParams(10),
  );
});
