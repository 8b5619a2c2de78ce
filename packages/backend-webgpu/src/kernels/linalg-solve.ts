/**
 * WGSL kernels of `triangularSolve` and `cholesky` (float32, complex64), after the CPU kernels
 * in packages/backend-cpu/src/kernels/linalg.ts.
 *
 * triangularSolve: every case is reduced, as on the CPU, to M·Y = C with M = op(A) (left side) or
 * op(A)ᵀ (right side, C = Bᵀ); the columns of C are independent, so one thread solves one column
 * by substitution, in place in the output buffer — no barriers, batch × columns threads.
 *
 * cholesky: one workgroup per matrix, column by column (left-looking): thread 0 forms the
 * diagonal entry, then the entries below it are computed in parallel. The sums run over k in
 * the CPU's order (in f32 rather than f64).
 */
import { registerKernel } from "../registry.ts";
import { declare, simpleProgram, type BufferDecl, type Program } from "../program.ts";
import type { lax } from "@linax-ts/core";
import { barrier, elemLib, LINALG_WG, matDims, perMatrix, planWork } from "./linalg-common.ts";

registerKernel("triangularSolve", ([, ba], _outs, params): Program => {
  const p = params as unknown as lax.TriangularSolveParams;
  const complex = ba.dtype === "complex64";
  const { batch, m, n } = matDims(ba);
  const s = p.leftSide ? m : n;
  // Nothing to solve (and an empty buffer must not be bound: it is smaller than a complex64).
  if (batch * m * n === 0) return { passes: [] };
  const cols = p.leftSide ? n : m;
  // The net transpose flips which triangle M occupies (CPU: flip = transposeA !== !leftSide).
  const flip = p.transposeA !== !p.leftSide;
  const mLower = p.lower !== flip;
  const conj = p.conjugateA && complex;
  // M[i, k] of this matrix (only its stored triangle is ever read, plus the diagonal).
  const mAt = (i: string, k: string): string => {
    const e = `a[bt * ${s * s}u + ${flip ? `(${k}) * ${s}u + (${i})` : `(${i}) * ${s}u + (${k})`}]`;
    return conj ? `tconj(${e})` : e;
  };
  // Y[r, col] lives in the output: X[r, col] (left) or X[col, r] (right, Y = Xᵀ).
  const yIdx = (r: string): string =>
    `bt * ${m * n}u + ${p.leftSide ? `(${r}) * ${n}u + col` : `col * ${n}u + (${r})`}`;
  const yAt = (r: string): string => `out[${yIdx(r)}]`;
  const decls: BufferDecl[] = [
    { name: "a", slot: { in: 0 }, type: ba.dtype },
    { name: "b", slot: { in: 1 }, type: ba.dtype },
    { name: "out", slot: { out: 0 }, type: ba.dtype, write: true },
  ];
  const [k0, k1] = mLower ? ["0u", "ii"] : ["ii + 1u", `${s}u`];
  const body = `
  let bt: u32 = i / ${cols}u;
  let col: u32 = i % ${cols}u;
  for (var r: u32 = 0u; r < ${s}u; r++) {
    ${yAt("r")} = b[${yIdx("r")}];
  }
  for (var step: u32 = 0u; step < ${s}u; step++) {
    let ii: u32 = ${mLower ? "step" : `${s - 1}u - step`};
    var acc: T = ${yAt("ii")};
    for (var k: u32 = ${k0}; k < ${k1}; k++) {
      acc = acc - tmul(${mAt("ii", "k")}, ${yAt("k")});
    }
    ${p.unitDiagonal ? "" : `acc = tdiv(acc, ${mAt("ii", "ii")});`}
    ${yAt("ii")} = acc;
  }`;
  return simpleProgram(decls, batch * cols, body, elemLib(complex));
});

registerKernel("cholesky", ([aa]): Program => {
  const complex = aa.dtype === "complex64";
  const { batch, n } = matDims(aa);
  if (batch * n === 0) return { passes: [] };
  const plan = planWork([{ name: "l", size: n * n }], complex, batch);
  const L = (idx: string): string => plan.at("l", idx);
  const bar = barrier(plan);
  const decls: BufferDecl[] = [
    { name: "a", slot: { in: 0 }, type: aa.dtype },
    { name: "out", slot: { out: 0 }, type: aa.dtype, write: true },
    ...(plan.scratch !== undefined ? [plan.scratch] : []),
  ];
  const { wgsl, bindings } = declare(decls);
  const { header, workgroups } = perMatrix(batch);
  const nn = n * n;
  const code = `${wgsl}
${elemLib(complex)}
${plan.decls}
var<workgroup> fail: u32;
${header}
  let base: u32 = mat * ${nn}u;
  // Load the lower triangle (the diagonal's real part only, as LAPACK potrf); zero the rest.
  for (var e: u32 = lid; e < ${nn}u; e += ${LINALG_WG}u) {
    let r: u32 = e / ${n}u;
    let c: u32 = e % ${n}u;
    var v: T = T();
    if (c < r) { v = a[base + e]; }
    if (c == r) { v = tmk(tre(a[base + e]), 0.0f); }
    ${L("e")} = v;
  }
  if (lid == 0u) { fail = 0u; }
  ${bar}
  for (var j: u32 = 0u; j < ${n}u; j++) {
    if (lid == 0u) {
      var sr: f32 = tre(${L(`j * ${n}u + j`)});
      for (var k: u32 = 0u; k < j; k++) { sr = sr - tabs2(${L(`j * ${n}u + k`)}); }
      // Not > 0 also catches NaN: the whole factor becomes NaN, as JAX does when potrf fails.
      if (!(sr > 0.0f) || (bitcast<u32>(sr) & 0x7f800000u) == 0x7f800000u) { fail = 1u; }
      ${L(`j * ${n}u + j`)} = tmk(sqrt(sr), 0.0f);
    }
    ${bar}
    let djj: T = ${L(`j * ${n}u + j`)};
    for (var i: u32 = j + 1u + lid; i < ${n}u; i += ${LINALG_WG}u) {
      var acc: T = ${L(`i * ${n}u + j`)};
      for (var k: u32 = 0u; k < j; k++) {
        acc = acc - tmul(${L(`i * ${n}u + k`)}, tconj(${L(`j * ${n}u + k`)}));
      }
      ${L(`i * ${n}u + j`)} = tmk(divF32(tre(acc), tre(djj)), divF32(tim(acc), tre(djj)));
    }
    ${bar}
  }
  let failed: bool = fail != 0u;
  for (var e: u32 = lid; e < ${nn}u; e += ${LINALG_WG}u) {
    var nanBits: u32 = 0x7fc00000u; // a var: bitcast of a NaN const-expression is a WGSL error
    let nan: f32 = bitcast<f32>(nanBits);
    out[base + e] = select(${L("e")}, tmk(nan, nan), failed);
  }
}
`;
  const passes = [{ code, bindings, workgroups }];
  return plan.tempBytes !== undefined ? { passes, temps: [plan.tempBytes] } : { passes };
});
