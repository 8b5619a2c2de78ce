/**
 * A property-based test of a scan with `@linax-ts/testing` and fast-check: for random lengths and
 * coefficients, the parallel prefix (`lax.associativeScan` of the linear-recurrence operator — the
 * core of S5) equals the sequential `lax.scan`, and its gradient passes `checkGrads` (jvp and vjp
 * against finite differences). A fixed seed makes it reproducible; a failure prints the seed and
 * the shrunk counterexample.
 *
 *   npx tsx examples/scan-property.ts     (EXAMPLES_TINY=1: fewer runs, for CI)
 */
import fc from "fast-check";
import { lax, np, type JaxArray } from "linax-ts";
import { checkGrads, checkScanEquivalence, fromValues } from "@linax-ts/testing";

const tiny = process.env.EXAMPLES_TINY === "1";

/** h_t = a_t·h_{t−1} + b_t in parallel: compose (a₁, b₁) then (a₂, b₂) = (a₁a₂, a₂b₁ + b₂). */
const parallel = (a: JaxArray, b: JaxArray): JaxArray =>
  lax.associativeScan(([a1, b1]: JaxArray[], [a2, b2]: JaxArray[]) => [a1.mul(a2), a2.mul(b1).add(b2)], [a, b])[1];
/** The same recurrence one step at a time. */
const sequential = (a: JaxArray, b: JaxArray): JaxArray =>
  lax.scan(
    (h: JaxArray, [at, bt]: JaxArray[]): [JaxArray, JaxArray] => {
      const h2 = at.mul(h).add(bt);
      return [h2, h2];
    },
    np.zeros(a.shape.slice(1)),
    [a, b],
  )[1];

const cases = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc
      .tuple(
        fc.array(fc.double({ min: -0.95, max: 0.95, noNaN: true }), { minLength: 2 * n, maxLength: 2 * n }),
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 2 * n, maxLength: 2 * n }),
      )
      .map(([a, b]) => ({ n, a, b })),
  );

fc.assert(
  fc.property(cases, ({ n, a, b }) => {
    const [A, B] = [fromValues(a, [n, 2], "float32"), fromValues(b, [n, 2], "float32")];
    // |a| < 1: rounding errors are forgotten geometrically, so float32 agrees to ~1e-5.
    checkScanEquivalence(parallel, sequential, [A, B], { rtol: 1e-5, atol: 3e-5 });
  }),
  { seed: 20261207, numRuns: tiny ? 5 : 100 },
);
console.log("associativeScan == scan on every case");

const A = fromValues([0.5, -0.3, 0.9, 0.1, 0.2, -0.7], [3, 2], "float32");
const B = fromValues([1, 2, -1, 0.5, 0.3, -0.2], [3, 2], "float32");
checkGrads((a: JaxArray, b: JaxArray) => np.sum(np.sin(parallel(a, b))), [A, B], { order: 1, modes: ["fwd", "rev"] });
console.log("checkGrads: the parallel scan's jvp and vjp match finite differences");
