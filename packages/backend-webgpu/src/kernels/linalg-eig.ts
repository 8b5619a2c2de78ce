/**
 * WGSL kernel of `eig` (float32 or complex64 in, complex64 out): the CPU kernel's algorithm
 * (packages/backend-cpu/src/kernels/eig.ts) in f32 complex arithmetic — Hessenberg reduction by
 * Givens rotations, the explicitly shifted QR algorithm (Wilkinson shifts, exceptional shifts
 * every 10 iterations) to the complex Schur form A = Q·T·Qᴴ, eigenvectors of T by back
 * substitution mapped back by Q, and LAPACK's normalization (unit 2-norm, largest component real
 * and positive). The matrix is scaled by 1/max|a_ij| first (eigenvalues are scaled back) so that
 * f32 products cannot overflow.
 *
 * The QR algorithm is a chain of dependent rotations, so one thread of the matrix's workgroup
 * runs it (the others have nothing to overlap); batches run one workgroup per matrix in
 * parallel. Eigenvalues come in the order of T's diagonal, which matches the CPU's for
 * well-separated eigenvalues (both deflate the same way), up to f32 rounding. Non-finite input,
 * or no convergence within 30·n iterations, gives NaN.
 */
import { registerKernel } from "../registry.ts";
import { declare, type BufferDecl, type Program } from "../program.ts";
import type { lax } from "@linax-ts/core";
import { elemLib, matDims, perMatrix, planWork } from "./linalg-common.ts";

/** Largest order served (the working arrays then live in a scratch buffer). */
const MAX_N = 512;

registerKernel("eig", ([aa], _outs, params): Program | undefined => {
  const { computeRightEigenvectors: vectors } = params as unknown as lax.EigParams;
  const complexIn = aa.dtype === "complex64";
  const { batch, n } = matDims(aa);
  if (batch * n === 0) return { passes: [] };
  if (n > MAX_N) return undefined;
  const nn = n * n;
  const plan = planWork(
    [
      { name: "h", size: nn },
      { name: "q", size: nn },
      { name: "rc", size: n },
      { name: "rs", size: n },
      { name: "x", size: n },
    ],
    true,
    batch,
  );
  const Hm = (i: string, j: string): string => plan.at("h", `(${i}) * ${n}u + (${j})`);
  const Qm = (i: string, j: string): string => plan.at("q", `(${i}) * ${n}u + (${j})`);
  const RC = (i: string): string => plan.at("rc", i);
  const RS = (i: string): string => plan.at("rs", i);
  const X = (i: string): string => plan.at("x", i);
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: aa.dtype },
    { name: "wout", slot: { out: 0 }, type: "complex64", write: true },
    ...(vectors ? [{ name: "vout", slot: { out: 1 }, type: "complex64", write: true }] : []),
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  const load = (e: string): string => (complexIn ? `src[base + ${e}]` : `vec2<f32>(src[base + ${e}], 0.0f)`);
  // Rows p, p+1 ← G·rows over columns [from, n), G = [[c̄, s̄], [−s, c]].
  const rotLeft = (p: string, c: string, s: string, from: string): string => `
      for (var jj: u32 = ${from}; jj < ${n}u; jj++) {
        let x0: vec2<f32> = ${Hm(p, "jj")};
        let y0: vec2<f32> = ${Hm(`${p} + 1u`, "jj")};
        ${Hm(p, "jj")} = cmul(tconj(${c}), x0) + cmul(tconj(${s}), y0);
        ${Hm(`${p} + 1u`, "jj")} = cmul(${c}, y0) - cmul(${s}, x0);
      }`;
  // Columns p, p+1 ← columns·Gᴴ over rows [0, to) of matrix M.
  const rotRight = (M: (i: string, j: string) => string, p: string, c: string, s: string, to: string): string => `
      for (var ri: u32 = 0u; ri < ${to}; ri++) {
        let x0: vec2<f32> = ${M("ri", p)};
        let y0: vec2<f32> = ${M("ri", `${p} + 1u`)};
        ${M("ri", p)} = cmul(x0, ${c}) + cmul(y0, ${s});
        ${M("ri", `${p} + 1u`)} = cmul(y0, tconj(${c})) - cmul(x0, tconj(${s}));
      }`;
  const vecOut = vectors
    ? `
    // Eigenvectors: back substitution on T, then v = Q·x, unit norm, largest component real > 0.
    var tnorm: f32 = 0.0f;
    for (var e: u32 = 0u; e < ${nn}u; e++) { tnorm = max(tnorm, length(${plan.at("h", "e")})); }
    let small: f32 = max(1.1920929e-7f * tnorm, 1e-30f);
    for (var k: u32 = 0u; k < ${n}u; k++) {
      for (var i: u32 = 0u; i < ${n}u; i++) { ${X("i")} = vec2<f32>(select(0.0f, 1.0f, i == k), 0.0f); }
      let lam: vec2<f32> = ${Hm("k", "k")};
      for (var ii: u32 = k; ii > 0u; ii--) {
        let i: u32 = ii - 1u;
        var s: vec2<f32> = vec2<f32>();
        for (var j: u32 = i + 1u; j <= k; j++) { s = s + cmul(${Hm("i", "j")}, ${X("j")}); }
        var d: vec2<f32> = ${Hm("i", "i")} - lam;
        if (length(d) < small) { d = vec2<f32>(small, 0.0f); }
        ${X("i")} = -cdiv(s, d);
      }
      var nrm: f32 = 0.0f;
      var big: u32 = 0u;
      var bigAbs: f32 = -1.0f;
      for (var i: u32 = 0u; i < ${n}u; i++) {
        var s: vec2<f32> = vec2<f32>();
        for (var j: u32 = 0u; j <= k; j++) { s = s + cmul(${Qm("i", "j")}, ${X("j")}); }
        vout[vb + i * ${n}u + k] = s;
        let a2: f32 = tabs2(s);
        nrm = nrm + a2;
        if (a2 > bigAbs * (1.0f + 1e-6f)) { bigAbs = a2; big = i; }
      }
      let z: vec2<f32> = vout[vb + big * ${n}u + k];
      let rot: vec2<f32> = tconj(z) / (sqrt(bigAbs) * sqrt(nrm));
      for (var i: u32 = 0u; i < ${n}u; i++) {
        var y: vec2<f32> = cmul(vout[vb + i * ${n}u + k], rot);
        if (i == big) { y = vec2<f32>(y.x, 0.0f); }
        vout[vb + i * ${n}u + k] = y;
      }
    }`
    : "";
  const code = `${wgsl}
${elemLib(true)}
${plan.decls}
fn csqrt(z: vec2<f32>) -> vec2<f32> {
  let r: f32 = length(z);
  if (r == 0.0f) { return vec2<f32>(); }
  let sr: f32 = sqrt((r + abs(z.x)) * 0.5f);
  if (z.x >= 0.0f) { return vec2<f32>(sr, z.y / (2.0f * sr)); }
  return vec2<f32>(abs(z.y) / (2.0f * sr), select(-sr, sr, z.y >= 0.0f));
}
${header}
  if (lid != 0u) { return; }
  let base: u32 = mat * ${nn}u;
  let wb: u32 = mat * ${n}u;
  let vb: u32 = mat * ${nn}u;
  var nanBits: u32 = 0x7fc00000u;
  let nan: f32 = bitcast<f32>(nanBits);
  var bad: bool = false;
  var amax: f32 = 0.0f;
  for (var e: u32 = 0u; e < ${nn}u; e++) {
    let a: vec2<f32> = ${load("e")};
    if (tnonfinite(a)) { bad = true; }
    amax = max(amax, tmaxabs(a));
  }
  let inv: f32 = select(1.0f, 1.0f / amax, amax > 0.0f);
  for (var e: u32 = 0u; e < ${nn}u; e++) {
    ${plan.at("h", "e")} = ${load("e")} * inv;
    ${plan.at("q", "e")} = vec2<f32>(select(0.0f, 1.0f, e / ${n}u == e % ${n}u), 0.0f);
  }
  // Hessenberg form by Givens rotations.
  for (var j: u32 = 0u; j + 2u < ${n}u; j++) {
    for (var i: u32 = ${n - 1}u; i >= j + 2u; i--) {
      let a: vec2<f32> = ${Hm("i - 1u", "j")};
      let b: vec2<f32> = ${Hm("i", "j")};
      let r: f32 = sqrt(tabs2(a) + tabs2(b));
      if (tabs2(b) != 0.0f) {
        let c: vec2<f32> = a / r;
        let s: vec2<f32> = b / r;
        let p: u32 = i - 1u;
        ${rotLeft("p", "c", "s", "j")}
        ${Hm("i", "j")} = vec2<f32>();
        ${rotRight(Hm, "p", "c", "s", `${n}u`)}
        ${rotRight(Qm, "p", "c", "s", `${n}u`)}
      }
    }
  }
  // Shifted QR to the Schur form.
  var hi: u32 = ${n - 1}u;
  var iter: u32 = 0u;
  var total: u32 = 0u;
  var hnorm: f32 = 0.0f;
  for (var e: u32 = 0u; e < ${nn}u; e++) { hnorm = max(hnorm, length(${plan.at("h", "e")})); }
  while (hi > 0u && !bad) {
    var l: u32 = hi;
    loop {
      if (l == 0u) { break; }
      var scale: f32 = length(${Hm("l", "l")}) + length(${Hm("l - 1u", "l - 1u")});
      if (scale == 0.0f) { scale = hnorm; }
      if (length(${Hm("l", "l - 1u")}) <= 1.1920929e-7f * scale) {
        ${Hm("l", "l - 1u")} = vec2<f32>();
        break;
      }
      l--;
    }
    if (l == hi) { hi--; iter = 0u; continue; }
    total++;
    if (total > ${30 * n}u) { bad = true; break; }
    iter++;
    // Wilkinson's shift: the eigenvalue of the trailing 2×2 block nearer to its last entry.
    let a: vec2<f32> = ${Hm("hi - 1u", "hi - 1u")};
    let b: vec2<f32> = ${Hm("hi - 1u", "hi")};
    let c: vec2<f32> = ${Hm("hi", "hi - 1u")};
    let d: vec2<f32> = ${Hm("hi", "hi")};
    let hh: vec2<f32> = (a - d) * 0.5f;
    let disc: vec2<f32> = csqrt(cmul(hh, hh) + cmul(b, c));
    let l1: vec2<f32> = d + hh + disc;
    let l2: vec2<f32> = d + hh - disc;
    var mu: vec2<f32> = select(l2, l1, length(l1 - d) <= length(l2 - d));
    if (iter % 10u == 0u) { mu = d + vec2<f32>(0.75f * length(c), 0.0f); }
    for (var i: u32 = l; i <= hi; i++) { ${Hm("i", "i")} = ${Hm("i", "i")} - mu; }
    for (var kk: u32 = l; kk < hi; kk++) {
      let x: vec2<f32> = ${Hm("kk", "kk")};
      let y: vec2<f32> = ${Hm("kk + 1u", "kk")};
      let r: f32 = sqrt(tabs2(x) + tabs2(y));
      var cr: vec2<f32> = vec2<f32>(1.0f, 0.0f);
      var sr: vec2<f32> = vec2<f32>();
      if (tabs2(y) != 0.0f) {
        cr = x / r;
        sr = y / r;
        ${rotLeft("kk", "cr", "sr", "kk")}
        ${Hm("kk + 1u", "kk")} = vec2<f32>();
      }
      ${RC("kk")} = cr;
      ${RS("kk")} = sr;
    }
    for (var kk: u32 = l; kk < hi; kk++) {
      let cr: vec2<f32> = ${RC("kk")};
      let sr: vec2<f32> = ${RS("kk")};
      ${rotRight(Hm, "kk", "cr", "sr", "min(kk + 2u, hi) + 1u")}
      ${rotRight(Qm, "kk", "cr", "sr", `${n}u`)}
    }
    for (var i: u32 = l; i <= hi; i++) { ${Hm("i", "i")} = ${Hm("i", "i")} + mu; }
  }
  if (bad) {
    for (var e: u32 = 0u; e < ${n}u; e++) { wout[wb + e] = vec2<f32>(nan, nan); }
    ${vectors ? `for (var e: u32 = 0u; e < ${nn}u; e++) { vout[vb + e] = vec2<f32>(nan, nan); }` : ""}
    return;
  }
  for (var i: u32 = 0u; i < ${n}u; i++) {
    for (var j: u32 = 0u; j < i; j++) { ${Hm("i", "j")} = vec2<f32>(); }
    wout[wb + i] = ${Hm("i", "i")} * amax;
  }
  ${vecOut}
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
