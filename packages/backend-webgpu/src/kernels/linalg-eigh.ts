/**
 * WGSL kernel of `eigh` (float32, complex64): parallel cyclic Jacobi, one workgroup per matrix.
 * The CPU kernel (packages/backend-cpu/src/kernels/eigh.ts) tridiagonalizes and runs QL, which
 * is serial; Jacobi instead applies n/2 disjoint rotations at once (a round-robin "tournament"
 * ordering, n'−1 rounds per sweep, n' = n rounded up to even), which suits a workgroup.
 *
 * Per round: each pair (p, q) gets the rotation J (c, s and, for complex data, the phase
 * g = conj(a_pq)/|a_pq|) that zeroes a_pq of the 2×2 Hermitian block; then rows are rotated
 * (A ← Jᴴ·A), then columns (A ← A·J, V ← V·J), with barriers between. Sweeps repeat until the
 * off-diagonal Frobenius norm is below 3.8e-7·‖A‖_F (≈ 3 ulp; a uniform decision read with
 * workgroupUniformLoad), at most MAX_SWEEPS.
 *
 * Output conventions are the CPU's, so results agree with it up to f32 accuracy: eigenvalues
 * ascending (a stable rank sort), each eigenvector normalized to unit 2-norm with its largest
 * component (first one within a relative 1e-6 in |·|² of the largest) real and positive; the
 * triangle named by `lower` is read (the diagonal's real part only); a matrix holding NaN or ±Inf
 * gives all-NaN v and w. Eigenvectors of repeated eigenvalues are, as on the CPU, an arbitrary
 * basis of their eigenspace.
 */
import { registerKernel } from "../registry.ts";
import { declare, type BufferDecl, type Program } from "../program.ts";
import type { lax } from "@linax-ts/core";
import { barrier, elemLib, LINALG_WG, matDims, perMatrix, planWork } from "./linalg-common.ts";

/** Jacobi converges quadratically; 6–10 sweeps are typical, so 30 only bounds pathologies. */
const MAX_SWEEPS = 30;

/**
 * Largest order served: the per-round rotation tables and eigenvalues live in workgroup memory
 * (~20·n bytes next to the working matrices), which must stay within WebGPU's guaranteed 16 KiB.
 * Larger matrices are declined (undefined: core reports that the backend lacks the case).
 */
const MAX_N = 700;

registerKernel("eigh", ([aa], _outs, params): Program | undefined => {
  const { lower } = params as unknown as lax.EighParams;
  const complex = aa.dtype === "complex64";
  const { batch, n } = matDims(aa);
  if (batch * n === 0) return { passes: [] };
  if (n > MAX_N) return undefined;
  const nn = n * n;
  const np = n + (n % 2); // players of the round-robin (a dummy one when n is odd)
  const pairs = np / 2;
  const plan = planWork(
    [
      { name: "a", size: nn },
      { name: "v", size: nn },
    ],
    complex,
    batch,
  );
  const A = (r: string, c: string): string => plan.at("a", `(${r}) * ${n}u + (${c})`);
  const V = (r: string, c: string): string => plan.at("v", `(${r}) * ${n}u + (${c})`);
  const bar = barrier(plan);
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: aa.dtype },
    { name: "vout", slot: { out: 0 }, type: aa.dtype, write: true },
    { name: "wout", slot: { out: 1 }, type: "float32", write: true },
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  // Real data: the signed a_pq plays |a_pq| and the phase is 1; complex: |a_pq| and conj(a_pq)/|a_pq|.
  const offMag = complex ? "length(b)" : "b";
  const phase = complex ? "select(vec2<f32>(1.0f, 0.0f), tconj(b) / bb, bb != 0.0f)" : "1.0f";
  const code = `${wgsl}
${elemLib(complex)}
${plan.decls}
var<workgroup> rp: array<u32, ${pairs}>;
var<workgroup> rq: array<u32, ${pairs}>;
var<workgroup> rc: array<f32, ${pairs}>;
var<workgroup> rs: array<f32, ${pairs}>;
var<workgroup> rg: array<T, ${pairs}>;
var<workgroup> rdp: array<f32, ${pairs}>;
var<workgroup> rdq: array<f32, ${pairs}>;
var<workgroup> flag: u32;
var<workgroup> ev: array<f32, ${n}>;
${header}
  let base: u32 = mat * ${nn}u;
  if (lid == 0u) {
    var bad: u32 = 0u;
    for (var e: u32 = 0u; e < ${nn}u; e++) {
      if (tnonfinite(src[base + e])) { bad = 1u; }
    }
    flag = bad;
  }
  if (workgroupUniformLoad(&flag) != 0u) {
    var nanBits: u32 = 0x7fc00000u; // a var: bitcast of a NaN const-expression is a WGSL error
    let nan: f32 = bitcast<f32>(nanBits);
    for (var e: u32 = lid; e < ${nn}u; e += ${LINALG_WG}u) { vout[base + e] = tmk(nan, nan); }
    for (var e: u32 = lid; e < ${n}u; e += ${LINALG_WG}u) { wout[mat * ${n}u + e] = nan; }
    return;
  }
  // Full Hermitian matrix from the ${lower ? "lower" : "upper"} triangle; V = I.
  for (var e: u32 = lid; e < ${nn}u; e += ${LINALG_WG}u) {
    let r: u32 = e / ${n}u;
    let c: u32 = e % ${n}u;
    var x: T;
    if (r == c) { x = tmk(tre(src[base + e]), 0.0f); }
    else if ((c < r) == ${lower}) { x = src[base + e]; }
    else { x = tconj(src[base + c * ${n}u + r]); }
    ${plan.at("a", "e")} = x;
    ${plan.at("v", "e")} = select(T(), tmk(1.0f, 0.0f), r == c);
  }
  ${bar}
  for (var sweep: u32 = 0u; sweep < ${MAX_SWEEPS}u; sweep++) {
    for (var round: u32 = 0u; round < ${np - 1}u; round++) {
      for (var k: u32 = lid; k < ${pairs}u; k += ${LINALG_WG}u) {
        // Circle method: player np−1 is fixed, the others rotate by one each round.
        var x: u32 = ${np - 1}u;
        var y: u32 = round;
        if (k > 0u) {
          x = (round + k) % ${np - 1}u;
          y = (round + ${np - 1}u - k) % ${np - 1}u;
        }
        let p: u32 = min(x, y);
        let q: u32 = max(x, y);
        rp[k] = p;
        rq[k] = q;
        var c: f32 = 1.0f;
        var s: f32 = 0.0f;
        var g: T = tmk(1.0f, 0.0f);
        var dp: f32 = 0.0f;
        var dq: f32 = 0.0f;
        if (q < ${n}u) {
          dp = tre(${A("p", "p")});
          dq = tre(${A("q", "q")});
          let b: T = ${A("p", "q")};
          let bb: f32 = ${offMag};
          if (bb != 0.0f) {
            g = ${phase};
            // Rutishauser: t = sign(θ)/(|θ| + √(θ²+1)), the smaller root; 1/(2θ) when θ² overflows.
            let theta: f32 = (tre(${A("q", "q")}) - tre(${A("p", "p")})) / (2.0f * bb);
            var t: f32 = 0.5f / theta;
            if (abs(theta) < 1e18f) { t = select(-1.0f, 1.0f, theta >= 0.0f) / (abs(theta) + sqrt(theta * theta + 1.0f)); }
            c = 1.0f / sqrt(t * t + 1.0f);
            s = t * c;
            // The new diagonal by Rutishauser's update (one rounding of a small correction)
            // rather than through the two rotation passes (several roundings of |a_pp|-sized terms).
            dp = dp - t * bb;
            dq = dq + t * bb;
          }
        }
        rdp[k] = dp;
        rdq[k] = dq;
        rc[k] = c;
        rs[k] = s;
        rg[k] = g;
      }
      ${bar}
      // Rows: row p ← c·row p − s·conj(g)·row q; row q ← s·row p + c·conj(g)·row q.
      for (var e: u32 = lid; e < ${pairs * n}u; e += ${LINALG_WG}u) {
        let k: u32 = e / ${n}u;
        let col: u32 = e % ${n}u;
        let p: u32 = rp[k];
        let q: u32 = rq[k];
        if (q < ${n}u && rs[k] != 0.0f) {
          let x: T = ${A("p", "col")};
          let y: T = tmul(tconj(rg[k]), ${A("q", "col")});
          ${A("p", "col")} = tscale(x, rc[k]) - tscale(y, rs[k]);
          ${A("q", "col")} = tscale(x, rs[k]) + tscale(y, rc[k]);
        }
      }
      ${bar}
      // Columns (of A and V): col p ← c·col p − s·g·col q; col q ← s·col p + c·g·col q.
      for (var e: u32 = lid; e < ${pairs * n}u; e += ${LINALG_WG}u) {
        let k: u32 = e / ${n}u;
        let row: u32 = e % ${n}u;
        let p: u32 = rp[k];
        let q: u32 = rq[k];
        if (q < ${n}u && rs[k] != 0.0f) {
          let x: T = ${A("row", "p")};
          let y: T = tmul(rg[k], ${A("row", "q")});
          ${A("row", "p")} = tscale(x, rc[k]) - tscale(y, rs[k]);
          ${A("row", "q")} = tscale(x, rs[k]) + tscale(y, rc[k]);
          // The rotation zeroes a_pq exactly in exact arithmetic: drop the rounding residue.
          if (row == p) { ${A("row", "q")} = T(); ${A("row", "p")} = tmk(rdp[k], 0.0f); }
          if (row == q) { ${A("row", "p")} = T(); ${A("row", "q")} = tmk(rdq[k], 0.0f); }
          let vx: T = ${V("row", "p")};
          let vy: T = tmul(rg[k], ${V("row", "q")});
          ${V("row", "p")} = tscale(vx, rc[k]) - tscale(vy, rs[k]);
          ${V("row", "q")} = tscale(vx, rs[k]) + tscale(vy, rc[k]);
        }
      }
      ${bar}
    }
    if (lid == 0u) {
      // Off-diagonal vs total mass, scaled by max|a_ij| so that squares cannot overflow (an
      // infinite total would stop the sweeps at once) or underflow.
      var amax: f32 = 0.0f;
      for (var e: u32 = 0u; e < ${nn}u; e++) { amax = max(amax, tmaxabs(${plan.at("a", "e")})); }
      let inv: f32 = select(1.0f, 1.0f / amax, amax > 0.0f);
      var off: f32 = 0.0f;
      var tot: f32 = 0.0f;
      for (var e: u32 = 0u; e < ${nn}u; e++) {
        let x2: f32 = tabs2(tscale(${plan.at("a", "e")}, inv));
        tot = tot + x2;
        if (e / ${n}u != e % ${n}u) { off = off + x2; }
      }
      flag = select(0u, 1u, off <= 1.42e-13f * tot);
    }
    if (workgroupUniformLoad(&flag) != 0u) { break; }
  }
  for (var e: u32 = lid; e < ${n}u; e += ${LINALG_WG}u) { ev[e] = tre(${A("e", "e")}); }
  ${bar}
  // Column kk → position rank(kk) (stable ascending); normalize and fix its phase on the way.
  for (var kk: u32 = lid; kk < ${n}u; kk += ${LINALG_WG}u) {
    let lam: f32 = ev[kk];
    var rank: u32 = 0u;
    for (var j: u32 = 0u; j < ${n}u; j++) {
      if (ev[j] < lam || (ev[j] == lam && j < kk)) { rank++; }
    }
    var maxSq: f32 = 0.0f;
    var nrm2: f32 = 0.0f;
    for (var i: u32 = 0u; i < ${n}u; i++) {
      let m2: f32 = tabs2(${V("i", "kk")});
      maxSq = max(maxSq, m2);
      nrm2 = nrm2 + m2;
    }
    var pick: u32 = 0u;
    for (var i: u32 = ${n}u; i > 0u; i--) {
      if (tabs2(${V("i - 1u", "kk")}) >= maxSq * (1.0f - 1e-6f)) { pick = i - 1u; }
    }
    let z: T = ${V("pick", "kk")};
    // Multiply by conj(z)/|z| (a sign for real data) and by 1/‖v‖.
    let rot: T = tscale(tconj(z), 1.0f / (sqrt(tabs2(z)) * sqrt(nrm2)));
    for (var i: u32 = 0u; i < ${n}u; i++) {
      var x: T = tmul(${V("i", "kk")}, rot);
      if (i == pick) { x = tmk(tre(x), 0.0f); }
      vout[base + i * ${n}u + rank] = x;
    }
    wout[mat * ${n}u + rank] = lam;
  }
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
