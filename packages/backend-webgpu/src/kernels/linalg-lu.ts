/**
 * WGSL kernel of `lu` (float32, complex64): LU with partial pivoting, after the CPU kernel in
 * packages/backend-cpu/src/kernels/linalg-prims.ts. One workgroup per matrix; per column j:
 * thread 0 picks the pivot (the *first* row of largest |re| + |im|, scanning down as the CPU
 * does, so NaN entries never win and ties go to the upper row) and records the swap, the
 * workgroup swaps the rows, scales the multipliers, then updates the trailing block in parallel.
 * A zero pivot leaves its column unscaled (U singular), as LAPACK getrf does.
 *
 * The working matrix is in workgroup memory when it fits (planWork), else in scratch storage;
 * `pivots` and `permutation` are written by thread 0 straight into the outputs.
 */
import { registerKernel } from "../registry.ts";
import { declare, simpleProgram, type BufferDecl, type Program } from "../program.ts";
import { barrier, elemLib, LINALG_WG, matDims, perMatrix, planWork } from "./linalg-common.ts";

registerKernel("lu", ([aa]): Program => {
  const complex = aa.dtype === "complex64";
  const { batch, m, n } = matDims(aa);
  const k = Math.min(m, n);
  // Nothing to compute, but `permutation` [..., m] is non-empty when n = 0 (the identity).
  if (batch === 0 || m === 0) return { passes: [] };
  // n = 0: only the identity permutation (the other outputs and the input are empty; an empty
  // buffer must not be bound: the backend's 4-byte minimum is less than one complex64 element).
  if (n === 0)
    return simpleProgram(
      [{ name: "perm", slot: { out: 2 }, type: "int32", write: true }],
      batch * m,
      `  perm[i] = i32(i % ${m}u);`,
    );
  const plan = planWork([{ name: "a", size: m * n }], complex, batch);
  const A = (r: string, c: string): string => plan.at("a", `(${r}) * ${n}u + (${c})`);
  const bar = barrier(plan);
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: aa.dtype },
    { name: "lu", slot: { out: 0 }, type: aa.dtype, write: true },
    { name: "pivots", slot: { out: 1 }, type: "int32", write: true },
    { name: "perm", slot: { out: 2 }, type: "int32", write: true },
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  const mn = m * n;
  const code = `${wgsl}
${elemLib(complex)}
${plan.decls}
var<workgroup> piv: u32;
${header}
  let base: u32 = mat * ${mn}u;
  for (var e: u32 = lid; e < ${mn}u; e += ${LINALG_WG}u) { ${plan.at("a", "e")} = src[base + e]; }
  if (lid == 0u) {
    for (var r: u32 = 0u; r < ${m}u; r++) { perm[mat * ${m}u + r] = i32(r); }
  }
  ${bar}
  for (var j: u32 = 0u; j < ${k}u; j++) {
    if (lid == 0u) {
      var p: u32 = j;
      var best: f32 = -1.0f;
      for (var r: u32 = j; r < ${m}u; r++) {
        let mag = tpivmag(${A("r", "j")});
        if (mag > best) { best = mag; p = r; }
      }
      piv = p;
      pivots[mat * ${k}u + j] = i32(p);
      let t = perm[mat * ${m}u + j];
      perm[mat * ${m}u + j] = perm[mat * ${m}u + p];
      perm[mat * ${m}u + p] = t;
    }
    ${bar}
    let p: u32 = piv;
    if (p != j) {
      for (var c: u32 = lid; c < ${n}u; c += ${LINALG_WG}u) {
        let t = ${A("j", "c")};
        ${A("j", "c")} = ${A("p", "c")};
        ${A("p", "c")} = t;
      }
    }
    ${bar}
    let d: T = ${A("j", "j")};
    // The CPU skips iff re = im = 0 (its f64 |d|² cannot underflow; an f32 one could).
    let nonzero: bool = tpivmag(d) != 0.0f;
    if (nonzero) {
      for (var r: u32 = j + 1u + lid; r < ${m}u; r += ${LINALG_WG}u) { ${A("r", "j")} = tdiv(${A("r", "j")}, d); }
    }
    ${bar}
    if (nonzero) {
      let w: u32 = ${n}u - j - 1u;
      for (var e: u32 = lid; e < (${m}u - j - 1u) * w; e += ${LINALG_WG}u) {
        let r: u32 = j + 1u + e / w;
        let c: u32 = j + 1u + e % w;
        ${A("r", "c")} = ${A("r", "c")} - tmul(${A("r", "j")}, ${A("j", "c")});
      }
    }
    ${bar}
  }
  for (var e: u32 = lid; e < ${mn}u; e += ${LINALG_WG}u) { lu[base + e] = ${plan.at("a", "e")}; }
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
