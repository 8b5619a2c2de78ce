/**
 * associativeScan (parallel prefix) vs lax.scan (sequential) vs a float64 host loop on the linear
 * recurrence h_t = a_t·h_{t−1} + b_t (h_{−1} = 0) — the SSM workhorse — for float32 and complex64,
 * lengths 1..200 (primes, powers of two and their neighbours included), both directions, several
 * pytree layouts of the elements and a random scanned axis; gradients through the two agree.
 *
 * Tolerances: with |a| ≤ 0.95 the recurrence forgets rounding errors geometrically, so each h_t
 * carries at most ~u·(#ops per step)·Σ_k |a|^k·|b| ≈ 2⁻²⁴·4·20·2 ≈ 1e-5 absolute error in float32
 * (either evaluation order); 3e-5 absolute + 1e-5 relative covers that with a margin.
 */
import { test } from "node:test";
import fc from "fast-check";
import { lax, grad, type Array, type DType } from "linax-ts";
import {
  assertClose,
  checkScanEquivalence,
  checkGrads,
  fcParams,
  fromValues,
  hostValues,
  randomLike,
  mulberry32,
} from "@linax-ts/testing";

const TOL = { rtol: 1e-5, atol: 3e-5 };

/** Lengths: anything in 1..200, with the edge cases (1, primes, 2^k and 2^k ± 1) drawn often. */
const lengths = fc.oneof(
  fc.integer({ min: 1, max: 200 }),
  fc.constantFrom(1, 2, 3, 5, 7, 31, 63, 64, 65, 97, 127, 128, 129, 199, 200),
);

type Layout = "list" | "dict" | "nested";
interface Case {
  n: number;
  d: number;
  dtype: DType;
  reverse: boolean;
  layout: Layout;
  /** The scanned axis of the elements given to associativeScan (0 or 1: [n, d] or [d, n]). */
  axis: number;
  a: Array;
  b: Array;
}

/** Coefficients with |a| ≤ 0.95 (complex: random phase) and drives in [-1, 1], shape [n, d]. */
function coefficients(n: number, d: number, dtype: DType): fc.Arbitrary<[Array, Array]> {
  const w = dtype === "complex64" ? 2 : 1;
  const size = n * d;
  return fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.double({ min: 0, max: 0.95, noNaN: true }),
          fc.double({ min: -Math.PI, max: Math.PI, noNaN: true }),
        ),
        {
          minLength: size,
          maxLength: size,
        },
      ),
      fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: size * w, maxLength: size * w }),
    )
    .map(([polar, bs]) => {
      const a = polar.flatMap(([r, th]) => (w === 2 ? [r * Math.cos(th), r * Math.sin(th)] : [th < 0 ? -r : r]));
      return [fromValues(a, [n, d], dtype), fromValues(bs, [n, d], dtype)];
    });
}

const cases: fc.Arbitrary<Case> = fc
  .record({
    n: lengths,
    d: fc.integer({ min: 1, max: 3 }),
    dtype: fc.constantFrom<DType>("float32", "complex64"),
    reverse: fc.boolean(),
    layout: fc.constantFrom<Layout>("list", "dict", "nested"),
    axis: fc.integer({ min: 0, max: 1 }),
  })
  .chain((c) => coefficients(c.n, c.d, c.dtype).map(([a, b]) => ({ ...c, a, b })));

/** The float64 host loop (complex arithmetic on (re, im) pairs). */
function hostRecurrence(c: Case): number[] {
  const a = hostValues(c.a);
  const b = hostValues(c.b);
  const w = c.dtype === "complex64" ? 2 : 1;
  const out = new globalThis.Array<number>(a.length).fill(0);
  for (let j = 0; j < c.d; j++) {
    let hr = 0;
    let hi = 0;
    for (let s = 0; s < c.n; s++) {
      const t = c.reverse ? c.n - 1 - s : s;
      const k = (t * c.d + j) * w;
      const [ar, ai] = [a[k], w === 2 ? a[k + 1] : 0];
      const [br, bi] = [b[k], w === 2 ? b[k + 1] : 0];
      [hr, hi] = [ar * hr - ai * hi + br, ar * hi + ai * hr + bi];
      out[k] = hr;
      if (w === 2) out[k + 1] = hi;
    }
  }
  return out;
}

const moveTo = (x: Array, axis: number): Array => (axis === 0 ? x : lax.transpose(x, [1, 0]));

/** associativeScan of the recurrence with the elements packed in the case's pytree layout; returns h as [n, d]. */
function parallel(c: Case): (a: Array, b: Array) => Array {
  const combineAB = ([a1, b1]: Array[], [a2, b2]: Array[]): Array[] => [lax.mul(a2, a1), lax.add(lax.mul(a2, b1), b2)];
  return (a, b) => {
    const [A, B] = [moveTo(a, c.axis), moveTo(b, c.axis)];
    const opts = { reverse: c.reverse, axis: c.axis };
    if (c.layout === "list") return moveTo(lax.associativeScan(combineAB, [A, B], opts)[1], c.axis);
    if (c.layout === "dict") {
      const out = lax.associativeScan(
        (x: { a: Array; b: Array }, y: { a: Array; b: Array }) => {
          const [na, nb] = combineAB([x.a, x.b], [y.a, y.b]);
          return { a: na, b: nb };
        },
        { a: A, b: B },
        opts,
      );
      return moveTo(out.b, c.axis);
    }
    type Nested = { coef: Array; drive: [Array] };
    const out = lax.associativeScan(
      (x: Nested, y: Nested): Nested => {
        const [na, nb] = combineAB([x.coef, x.drive[0]], [y.coef, y.drive[0]]);
        return { coef: na, drive: [nb] };
      },
      { coef: A, drive: [B] } as Nested,
      opts,
    );
    return moveTo(out.drive[0], c.axis);
  };
}

/** lax.scan of the recurrence over axis 0, stacking h. */
function sequential(c: Case): (a: Array, b: Array) => Array {
  return (a, b) => {
    const init = fromValues(new Float64Array(c.d * (c.dtype === "complex64" ? 2 : 1)), [c.d], c.dtype);
    return lax.scan(
      (h: Array, [at, bt]: Array[]) => {
        const hn = lax.add(lax.mul(at, h), bt);
        return [hn, hn] as [Array, Array];
      },
      init,
      [a, b],
      { reverse: c.reverse },
    )[1];
  };
}

test("associativeScan == lax.scan == float64 host loop for linear recurrences (real, complex; both directions; pytrees)", () => {
  fc.assert(
    fc.property(cases, (c) => {
      checkScanEquivalence(parallel(c), sequential(c), [c.a, c.b], TOL);
      const want = hostRecurrence(c);
      assertClose(parallel(c)(c.a, c.b), want, TOL);
      assertClose(sequential(c)(c.a, c.b), want, TOL);
    }),
    fcParams(40),
  );
});

test("grad through associativeScan equals grad through lax.scan (and finite differences on short sequences)", () => {
  fc.assert(
    fc.property(cases, (c) => {
      // L = Σ ⟨h, w⟩ (real inner product on (re, im)), w fixed random.
      const w = randomLike(c.a, mulberry32(c.n * 31 + c.d));
      const loss = (scanFn: (a: Array, b: Array) => Array) => (a: Array, b: Array) => {
        const h = scanFn(a, b);
        const prod =
          c.dtype === "complex64"
            ? lax.add(lax.mul(lax.real(h), lax.real(w)), lax.mul(lax.imag(h), lax.imag(w)))
            : lax.mul(h, w);
        return lax.reduceSum(prod, [0, 1]);
      };
      const gp = grad(loss(parallel(c)), { argnums: [0, 1] })(c.a, c.b) as Array[];
      const gs = grad(loss(sequential(c)), { argnums: [0, 1] })(c.a, c.b) as Array[];
      // The adjoint recurrence runs backwards through the same contraction: same error bound.
      gp.forEach((g, i) => assertClose(g, gs[i], { rtol: 1e-4, atol: 1e-4 }));
      if (c.n <= 12) checkGrads(parallel(c), [c.a, c.b], { modes: ["fwd", "rev"] });
    }),
    fcParams(20),
  );
});
