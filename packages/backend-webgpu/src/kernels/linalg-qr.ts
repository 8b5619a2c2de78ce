/**
 * WGSL kernel of `qr` (float32, complex64): Householder QR with LAPACK's sign convention, as the
 * CPU kernel (packages/backend-cpu/src/kernels/linalg.ts `qrKernel`, `makeReflector`):
 * reflector j maps column j to β·e₁ with β = −sign(Re a_jj)·‖a_j‖ (real, so R's diagonal is real
 * and may be negative), and a column whose below-diagonal part is zero and whose diagonal is real
 * is left untouched (τ = 0, keeping its sign). Because the convention is the same, Q and R agree
 * with the CPU's entry by entry up to f32 rounding (the factorization with a fixed sign rule is
 * unique for full-rank input), which is what `random.orthogonal` relies on.
 *
 * One workgroup per matrix (geqr2 + org2r):
 * - thread 0 builds reflector j (a serial O(m) scan of the column), storing v below the
 *   diagonal (v_j = 1 implicit) and τ_j; then each thread applies Hᴴ = I − conj(τ)·v·vᴴ to the
 *   columns it owns (c ≡ lid mod 64), so the update needs no atomics;
 * - R is the upper triangle of the reduced matrix;
 * - Q = H_0⋯H_{k−1}·I is formed directly in the q output, each thread owning whole columns, so
 *   this phase needs no barrier at all.
 * ‖x‖ is computed scaled by max|x_i| (as LAPACK's dnrm2), since f32 squares overflow above
 * ~1.8e19 and underflow below ~1e-19 where the CPU's f64 squares do not.
 */
import { registerKernel } from "../registry.ts";
import { declare, simpleProgram, type BufferDecl, type Program } from "../program.ts";
import type { lax } from "@linax-ts/core";
import { barrier, elemLib, LINALG_WG, matDims, perMatrix, planWork } from "./linalg-common.ts";

registerKernel("qr", ([aa], _outs, params): Program => {
  const { fullMatrices } = params as unknown as lax.QrParams;
  const complex = aa.dtype === "complex64";
  const { batch, m, n } = matDims(aa);
  const k = Math.min(m, n);
  const rRows = fullMatrices ? m : k;
  const qCols = fullMatrices ? m : k;
  if (batch === 0 || m === 0) return { passes: [] };
  // n = 0: Q is the identity (full) or empty, and nothing else may be bound (empty buffers are
  // smaller than one complex64 element).
  if (n === 0) {
    const body = `  q[i] = select(${complex ? "vec2<f32>()" : "0.0f"}, ${complex ? "vec2<f32>(1.0f, 0.0f)" : "1.0f"}, (i % ${m * m}u) / ${m}u == i % ${m}u);`;
    return qCols === 0
      ? { passes: [] }
      : simpleProgram([{ name: "q", slot: { out: 0 }, type: aa.dtype, write: true }], batch * m * m, body);
  }
  const plan = planWork(
    [
      { name: "a", size: m * n },
      { name: "tau", size: k },
    ],
    complex,
    batch,
  );
  const A = (r: string, c: string): string => plan.at("a", `(${r}) * ${n}u + (${c})`);
  const tau = (j: string): string => plan.at("tau", j);
  const bar = barrier(plan);
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: aa.dtype },
    { name: "q", slot: { out: 0 }, type: aa.dtype, write: true },
    { name: "r", slot: { out: 1 }, type: aa.dtype, write: true },
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  const Q = (r: string, c: string): string => `q[mat * ${m * qCols}u + (${r}) * ${qCols}u + (${c})]`;
  const code = `${wgsl}
${elemLib(complex)}
${plan.decls}
${header}
  let base: u32 = mat * ${m * n}u;
  for (var e: u32 = lid; e < ${m * n}u; e += ${LINALG_WG}u) { ${plan.at("a", "e")} = src[base + e]; }
  ${bar}
  for (var j: u32 = 0u; j < ${k}u; j++) {
    if (lid == 0u) {
      // LAPACK larfg on x = A[j.., j] (see the CPU's makeReflector).
      let alpha: T = ${A("j", "j")};
      var tmax: f32 = 0.0f;
      for (var i: u32 = j + 1u; i < ${m}u; i++) { tmax = max(tmax, tmaxabs(${A("i", "j")})); }
      if (tmax == 0.0f && tim(alpha) == 0.0f) {
        ${tau("j")} = T(); // H = I: the column keeps its sign
      } else {
        let sc: f32 = max(tmax, tmaxabs(alpha));
        var ss: f32 = 0.0f;
        for (var i: u32 = j; i < ${m}u; i++) { ss = ss + tabs2(tscale(${A("i", "j")}, 1.0f / sc)); }
        let norm: f32 = sc * sqrt(ss);
        let beta: f32 = select(norm, -norm, tre(alpha) >= 0.0f);
        ${tau("j")} = tmk(divF32(beta - tre(alpha), beta), divF32(-tim(alpha), beta));
        // Scale the tail by 1/(α − β) so that v_j = 1.
        let d: T = alpha - tmk(beta, 0.0f);
        for (var i: u32 = j + 1u; i < ${m}u; i++) { ${A("i", "j")} = tdiv(${A("i", "j")}, d); }
        ${A("j", "j")} = tmk(beta, 0.0f);
      }
    }
    ${bar}
    // Hᴴ = I − conj(τ)·v·vᴴ on columns j+1 … n−1, each thread on its own columns.
    let ct: T = tconj(${tau("j")});
    if (tre(ct) != 0.0f || tim(ct) != 0.0f) {
      for (var c: u32 = j + 1u + lid; c < ${n}u; c += ${LINALG_WG}u) {
        var w: T = ${A("j", "c")};
        for (var i: u32 = j + 1u; i < ${m}u; i++) { w = w + tmul(tconj(${A("i", "j")}), ${A("i", "c")}); }
        let f: T = tmul(ct, w);
        ${A("j", "c")} = ${A("j", "c")} - f;
        for (var i: u32 = j + 1u; i < ${m}u; i++) { ${A("i", "c")} = ${A("i", "c")} - tmul(${A("i", "j")}, f); }
      }
    }
    ${bar}
  }
  // R: the upper triangle, exact zeros below.
  for (var e: u32 = lid; e < ${rRows * n}u; e += ${LINALG_WG}u) {
    // (max(n, 1): with n = 0 this loop never runs, but a constant zero divisor does not compile.)
    let i: u32 = e / ${Math.max(n, 1)}u;
    let c: u32 = e % ${Math.max(n, 1)}u;
    var v: T = T();
    if (c >= i) { v = ${A("i", "c")}; }
    r[mat * ${rRows * n}u + e] = v;
  }
  // Q = H_0·H_1⋯H_{k−1}·I (org2r), one thread per column; reflector j touches rows ≥ j only.
  for (var c: u32 = lid; c < ${qCols}u; c += ${LINALG_WG}u) {
    for (var i: u32 = 0u; i < ${m}u; i++) { ${Q("i", "c")} = select(T(), tmk(1.0f, 0.0f), i == c); }
    for (var jj: u32 = 0u; jj < ${k}u; jj++) {
      let j: u32 = ${Math.max(k - 1, 0)}u - jj;
      let t: T = ${tau("j")};
      if (c >= j && (tre(t) != 0.0f || tim(t) != 0.0f)) {
        var w: T = ${Q("j", "c")};
        for (var i: u32 = j + 1u; i < ${m}u; i++) { w = w + tmul(tconj(${A("i", "j")}), ${Q("i", "c")}); }
        let f: T = tmul(t, w);
        ${Q("j", "c")} = ${Q("j", "c")} - f;
        for (var i: u32 = j + 1u; i < ${m}u; i++) { ${Q("i", "c")} = ${Q("i", "c")} - tmul(${A("i", "j")}, f); }
      }
    }
  }
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
