/**
 * Comparisons of program outputs for the fuzz properties: bit-exact (any NaN equals any NaN,
 * otherwise Object.is, so -0 ≠ +0) or within a stated tolerance, with messages naming the output.
 */
import assert from "node:assert/strict";
import type { Array } from "linax-ts";

/**
 * Tolerance for float outputs computed through a dot product: the compiled matmul accumulates in
 * float32, the reference in float64. A K-term float32 sum is off by ≤ K·2⁻²⁴·Σ|terms|; with K ≤ 9
 * and the values' bounds that is < 1e-6 relative to the output's scale, and the ops after the dot
 * (bounded: tanh, sin, exp of |x| ≤ 6, products while the bound stays ≤ 1e4) amplify it by at most
 * a few hundred — 1e-4 of the output's largest magnitude (and 1e-4 relative) leaves headroom,
 * while any wrong index, missing term or wrong op is off by O(1) of that scale.
 */
export const DOT_TOL = { rtol: 1e-4, atol: 1e-4 };

/** Compare flat values: exact (NaN-aware) when `tol` is null, else |a−e| ≤ atol·scale + rtol·|e|. */
export function compareValues(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: { rtol: number; atol: number } | null,
  what: string,
): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, want ${want.length}`);
  let scale = 1;
  for (let i = 0; i < want.length; i++) if (Number.isFinite(want[i])) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const [a, e] = [got[i], want[i]];
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    if (tol === null || !Number.isFinite(e)) {
      if (!Object.is(a, e))
        assert.fail(
          `${what}: element ${i}: got ${a}, want ${e} (bit-exact)\n  got:  ${fmt(got)}\n  want: ${fmt(want)}`,
        );
      continue;
    }
    const bound = tol.atol * scale + tol.rtol * Math.abs(e);
    if (!(Math.abs(a - e) <= bound))
      assert.fail(
        `${what}: element ${i}: got ${a}, want ${e} (|diff| ${Math.abs(a - e)} > ${bound})\n  got:  ${fmt(got)}\n  want: ${fmt(want)}`,
      );
  }
}

function fmt(xs: ArrayLike<number>): string {
  return globalThis.Array.from(xs).slice(0, 24).join(", ") + (xs.length > 24 ? ", …" : "");
}

/** Compare two lists of output arrays: shapes, dtypes, then values (tolerance per output, null = exact). */
export function compareOutputs(
  got: readonly Array[],
  want: readonly Array[],
  tolOf: (i: number) => { rtol: number; atol: number } | null,
  what: string,
): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} outputs, want ${want.length}`);
  want.forEach((w, i) => {
    const g = got[i];
    assert.equal(g.dtype, w.dtype, `${what}: output ${i} dtype ${g.dtype}, want ${w.dtype}`);
    assert.deepEqual([...g.shape], [...w.shape], `${what}: output ${i} shape [${g.shape}], want [${w.shape}]`);
    const exact = w.dtype !== "float32" && w.dtype !== "complex64";
    compareValues(
      g.dataSync() as ArrayLike<number>,
      w.dataSync() as ArrayLike<number>,
      exact ? null : tolOf(i),
      `${what}: output ${i} (${w.dtype}[${w.shape}])`,
    );
  });
}
