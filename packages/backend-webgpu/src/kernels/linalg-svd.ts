/**
 * WGSL kernel of `svd` (float32, complex64): one-sided Jacobi, one workgroup per matrix — the
 * CPU kernel's algorithm (packages/backend-cpu/src/kernels/svd.ts), with the pairs of a sweep
 * scheduled as in the eigh kernel: a round-robin "tournament" of C' − 1 rounds (C' = the column
 * count rounded up to even), each rotating C'/2 disjoint column pairs at once.
 *
 * W is A (tall, m ≥ n) or Aᴴ (wide), R × C column-major, scaled by 1/max|a_ij| so that f32
 * squares cannot overflow; V starts as I. Per round each pair (p, q) gets α = ‖w_p‖², β = ‖w_q‖²,
 * γ = w_pᴴ·w_q, the phase g = γ/|γ| and the real rotation (c, s) that makes the pair orthogonal;
 * then all rows of W and V are updated (w_p ← c·w_p − s·conj(g)·w_q, w_q ← s·w_p + c·conj(g)·w_q).
 * Sweeps stop when a sweep rotates nothing (|γ| ≤ 2⁻²¹·√(αβ) for every pair), at most MAX_SWEEPS.
 * Then s_j = ‖w_j‖ (a stable descending rank sort), u_j = w_j/s_j; columns of the tall factor
 * for zero singular values and the extra columns of complete factors are completed by thread 0
 * with Gram–Schmidt (twice) on unit vectors, as on the CPU. Non-finite input gives NaN.
 * Singular vectors of repeated singular values are, as on the CPU, any basis of their space.
 */
import { registerKernel } from "../registry.ts";
import { declare, simpleProgram, type BufferDecl, type Pass, type Program } from "../program.ts";
import type { lax } from "@linax-ts/core";
import { barrier, elemLib, LINALG_WG, matDims, perMatrix, planWork } from "./linalg-common.ts";

const MAX_SWEEPS = 40;
/** Column count served: its per-pair tables live in workgroup memory (~24·C bytes). */
const MAX_C = 256;

registerKernel("svd", ([aa], _outs, params): Program | undefined => {
  const { fullMatrices, computeUv } = params as unknown as lax.SvdParams;
  const complex = aa.dtype === "complex64";
  const { batch, m, n } = matDims(aa);
  const k = Math.min(m, n);
  const uc = fullMatrices ? m : k;
  const vr = fullMatrices ? n : k;
  if (batch === 0) return { passes: [] };
  if (k === 0) {
    // No singular values; complete factors are identities (nothing else may be bound: empty buffers).
    if (!computeUv) return { passes: [] };
    const one = complex ? "vec2<f32>(1.0f, 0.0f)" : "1.0f";
    const zero = complex ? "vec2<f32>()" : "0.0f";
    const passes: Pass[] = [];
    if (uc > 0)
      passes.push(
        ...simpleProgram(
          [{ name: "u", slot: { out: 1 }, type: aa.dtype, write: true }],
          batch * m * uc,
          `  u[i] = select(${zero}, ${one}, (i % ${m * uc}u) / ${uc}u == i % ${uc}u);`,
        ).passes,
      );
    if (vr > 0)
      passes.push(
        ...simpleProgram(
          [{ name: "vh", slot: { out: 2 }, type: aa.dtype, write: true }],
          batch * vr * n,
          `  vh[i] = select(${zero}, ${one}, (i % ${vr * n}u) / ${n}u == i % ${n}u);`,
        ).passes,
      );
    return { passes };
  }
  const tall = m >= n;
  const R = tall ? m : n;
  const C = k;
  if (C > MAX_C) return undefined;
  // Columns of the tall factor (from W): U's for tall input, Vᴴ's rows for wide input.
  const qc = tall ? uc : vr;
  const np = C + (C % 2);
  const pairs = np / 2;
  const plan = planWork(
    [
      { name: "w", size: R * C },
      { name: "v", size: C * C },
    ],
    complex,
    batch,
  );
  const W = (row: string, col: string): string => plan.at("w", `(${col}) * ${R}u + (${row})`);
  const V = (row: string, col: string): string => plan.at("v", `(${col}) * ${C}u + (${row})`);
  const bar = barrier(plan);
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: aa.dtype },
    { name: "sout", slot: { out: 0 }, type: "float32", write: true },
    ...(computeUv
      ? [
          { name: "uout", slot: { out: 1 }, type: aa.dtype, write: true },
          { name: "vhout", slot: { out: 2 }, type: aa.dtype, write: true },
        ]
      : []),
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  const uAt = (i: string, j: string): string => `uout[mat * ${m * uc}u + (${i}) * ${uc}u + (${j})]`;
  const vhAt = (i: string, j: string): string => `vhout[mat * ${vr * n}u + (${i}) * ${n}u + (${j})]`;
  // The tall factor Q (R × qc): U (tall) or Vᴴ conjugate-transposed (wide); and the C × C factor.
  const qGet = (i: string, j: string): string => (tall ? uAt(i, j) : `tconj(${vhAt(j, i)})`);
  const qSet = (i: string, j: string, x: string): string =>
    tall ? `${uAt(i, j)} = ${x};` : `${vhAt(j, i)} = tconj(${x});`;
  const smallSet = (i: string, j: string, x: string): string =>
    tall ? `${vhAt(j, i)} = tconj(${x});` : `${uAt(i, j)} = ${x};`;
  const srcAt = (row: string, col: string): string =>
    tall ? `src[base + (${row}) * ${n}u + (${col})]` : `tconj(src[base + (${col}) * ${n}u + (${row})])`;
  const offMag = complex ? "length(gm)" : "abs(gm)";
  const phase = complex ? "gm / gabs" : "sign(gm)";
  const nanFill = computeUv
    ? `for (var e: u32 = lid; e < ${m * uc}u; e += ${LINALG_WG}u) { uout[mat * ${m * uc}u + e] = tmk(nan, nan); }
    for (var e: u32 = lid; e < ${vr * n}u; e += ${LINALG_WG}u) { vhout[mat * ${vr * n}u + e] = tmk(nan, nan); }`
    : "";
  const code = `${wgsl}
${elemLib(complex)}
${plan.decls}
var<workgroup> rp: array<u32, ${pairs}>;
var<workgroup> rq: array<u32, ${pairs}>;
var<workgroup> rc: array<f32, ${pairs}>;
var<workgroup> rs: array<f32, ${pairs}>;
var<workgroup> rg: array<T, ${pairs}>;
var<workgroup> sn: array<f32, ${C}>;
var<workgroup> ss: array<f32, ${C}>;
var<workgroup> flag: u32;
var<workgroup> moved: u32;
var<workgroup> amaxW: f32;
${header}
  let base: u32 = mat * ${m * n}u;
  if (lid == 0u) {
    var bad: u32 = 0u;
    var amax: f32 = 0.0f;
    for (var e: u32 = 0u; e < ${m * n}u; e++) {
      if (tnonfinite(src[base + e])) { bad = 1u; }
      amax = max(amax, tmaxabs(src[base + e]));
    }
    flag = bad;
    amaxW = amax;
  }
  if (workgroupUniformLoad(&flag) != 0u) {
    var nanBits: u32 = 0x7fc00000u;
    let nan: f32 = bitcast<f32>(nanBits);
    for (var e: u32 = lid; e < ${C}u; e += ${LINALG_WG}u) { sout[mat * ${C}u + e] = nan; }
    ${nanFill}
    return;
  }
  let amax: f32 = workgroupUniformLoad(&amaxW);
  let inv: f32 = select(1.0f, 1.0f / amax, amax > 0.0f);
  for (var e: u32 = lid; e < ${R * C}u; e += ${LINALG_WG}u) {
    let col: u32 = e / ${R}u;
    let row: u32 = e % ${R}u;
    ${W("row", "col")} = tscale(${srcAt("row", "col")}, inv);
  }
  for (var e: u32 = lid; e < ${C * C}u; e += ${LINALG_WG}u) {
    ${plan.at("v", "e")} = select(T(), tmk(1.0f, 0.0f), e / ${C}u == e % ${C}u);
  }
  ${bar}
  for (var sweep: u32 = 0u; sweep < ${MAX_SWEEPS}u; sweep++) {
    if (lid == 0u) { moved = 0u; }
    for (var round: u32 = 0u; round < ${np - 1}u; round++) {
      for (var kk: u32 = lid; kk < ${pairs}u; kk += ${LINALG_WG}u) {
        var x: u32 = ${np - 1}u;
        var y: u32 = round;
        if (kk > 0u) {
          x = (round + kk) % ${np - 1}u;
          y = (round + ${np - 1}u - kk) % ${np - 1}u;
        }
        let p: u32 = min(x, y);
        let q: u32 = max(x, y);
        rp[kk] = p;
        rq[kk] = q;
        var c: f32 = 1.0f;
        var s: f32 = 0.0f;
        var g: T = tmk(1.0f, 0.0f);
        if (q < ${C}u) {
          var alpha: f32 = 0.0f;
          var beta: f32 = 0.0f;
          var gm: T = T();
          for (var i: u32 = 0u; i < ${R}u; i++) {
            let wp: T = ${W("i", "p")};
            let wq: T = ${W("i", "q")};
            alpha = alpha + tabs2(wp);
            beta = beta + tabs2(wq);
            gm = gm + tmul(tconj(wp), wq);
          }
          let gabs: f32 = ${offMag};
          if (gabs > 4.7683716e-7f * sqrt(alpha) * sqrt(beta)) {
            g = ${phase};
            let zeta: f32 = (beta - alpha) / (2.0f * gabs);
            var t: f32 = 0.5f / zeta;
            if (abs(zeta) < 1e18f) { t = select(-1.0f, 1.0f, zeta >= 0.0f) / (abs(zeta) + sqrt(zeta * zeta + 1.0f)); }
            c = 1.0f / sqrt(t * t + 1.0f);
            s = t * c;
          }
        }
        rc[kk] = c;
        rs[kk] = s;
        rg[kk] = g;
      }
      ${bar}
      for (var e: u32 = lid; e < ${pairs * (R + C)}u; e += ${LINALG_WG}u) {
        let kk: u32 = e / ${R + C}u;
        let r: u32 = e % ${R + C}u;
        let p: u32 = rp[kk];
        let q: u32 = rq[kk];
        if (q < ${C}u && rs[kk] != 0.0f) {
          if (r < ${R}u) {
            let x: T = ${W("r", "p")};
            let y: T = tmul(${W("r", "q")}, tconj(rg[kk]));
            ${W("r", "p")} = tscale(x, rc[kk]) - tscale(y, rs[kk]);
            ${W("r", "q")} = tscale(x, rs[kk]) + tscale(y, rc[kk]);
          } else {
            let rr: u32 = r - ${R}u;
            let x: T = ${V("rr", "p")};
            let y: T = tmul(${V("rr", "q")}, tconj(rg[kk]));
            ${V("rr", "p")} = tscale(x, rc[kk]) - tscale(y, rs[kk]);
            ${V("rr", "q")} = tscale(x, rs[kk]) + tscale(y, rc[kk]);
          }
        }
      }
      if (lid == 0u) {
        for (var kk: u32 = 0u; kk < ${pairs}u; kk++) { if (rs[kk] != 0.0f) { moved = 1u; } }
      }
      ${bar}
    }
    if (workgroupUniformLoad(&moved) == 0u) { break; }
  }
  for (var j: u32 = lid; j < ${C}u; j += ${LINALG_WG}u) {
    var acc: f32 = 0.0f;
    for (var i: u32 = 0u; i < ${R}u; i++) { acc = acc + tabs2(${W("i", "j")}); }
    sn[j] = sqrt(acc);
  }
  ${bar}
  for (var kk: u32 = lid; kk < ${C}u; kk += ${LINALG_WG}u) {
    let sig: f32 = sn[kk];
    var rank: u32 = 0u;
    for (var j: u32 = 0u; j < ${C}u; j++) {
      if (sn[j] > sig || (sn[j] == sig && j < kk)) { rank++; }
    }
    ss[rank] = sig;
    sout[mat * ${C}u + rank] = sig * amax;
    ${
      computeUv
        ? `let rinv: f32 = select(0.0f, 1.0f / sig, sig > 0.0f);
    for (var i: u32 = 0u; i < ${R}u; i++) { ${qSet("i", "rank", `tscale(${W("i", "kk")}, rinv)`)} }
    for (var i: u32 = 0u; i < ${C}u; i++) { ${smallSet("i", "rank", V("i", "kk"))} }`
        : ""
    }
  }
  ${
    computeUv
      ? `workgroupBarrier(); storageBarrier();
  if (lid == 0u) {
    // Complete the tall factor: columns j with s_j = 0, and the extra columns of a complete one.
    var unit: u32 = 0u;
    for (var j: u32 = 0u; j < ${qc}u; j++) {
      if (j < ${C}u && ss[j] > 0.0f) { continue; }
      loop {
        if (unit >= ${R}u) { break; }
        for (var i: u32 = 0u; i < ${R}u; i++) { ${qSet("i", "j", "select(T(), tmk(1.0f, 0.0f), i == unit)")} }
        unit++;
        for (var gs: u32 = 0u; gs < 2u; gs++) {
          for (var kc: u32 = 0u; kc < ${qc}u; kc++) {
            // Done columns: those with s > 0, and the ones completed before j.
            if (kc == j || !(kc < j || (kc < ${C}u && ss[kc] > 0.0f))) { continue; }
            var d: T = T();
            for (var i: u32 = 0u; i < ${R}u; i++) { d = d + tmul(tconj(${qGet("i", "kc")}), ${qGet("i", "j")}); }
            for (var i: u32 = 0u; i < ${R}u; i++) { ${qSet("i", "j", `${qGet("i", "j")} - tmul(d, ${qGet("i", "kc")})`)} }
          }
        }
        var nrm: f32 = 0.0f;
        for (var i: u32 = 0u; i < ${R}u; i++) { nrm = nrm + tabs2(${qGet("i", "j")}); }
        nrm = sqrt(nrm);
        if (nrm >= 0.5f) {
          for (var i: u32 = 0u; i < ${R}u; i++) { ${qSet("i", "j", `tscale(${qGet("i", "j")}, 1.0f / nrm)`)} }
          break;
        }
      }
    }
  }`
      : ""
  }
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
