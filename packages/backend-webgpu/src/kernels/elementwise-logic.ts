/**
 * WGSL kernels of comparisons, logical/bitwise ops, shifts, populationCount/clz, max/min,
 * isFinite, selectN, clamp and bitcastConvertType (core's primitives/elementwise-logic.ts), with
 * the CPU kernel's semantics (packages/backend-cpu/src/kernels/elementwise-logic.ts):
 *
 * - float32 compares, max/min and isFinite work on the bit pattern (wgsl-logic.ts), so NaN, ±inf,
 *   -0 and subnormals behave exactly as in JS whatever the GPU's float shortcuts;
 * - shifts read the amount as unsigned and treat amounts >= 32 as XLA does (0, or the sign fill
 *   for the arithmetic right shift), where WGSL would take the amount mod 32;
 * - selectN and bitcastConvertType only move bits, so their buffers are declared as raw u32.
 */
import type { DType } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { declare, grid, simpleProgram, type BufferDecl, type Pass, type Program } from "../program.ts";
import { asBool, tableKernel, type DTypeTable } from "./elementwise.ts";
import { WGSL_FLOAT_BITS } from "./wgsl-logic.ts";

type X = readonly string[];

// ------------------------------------------------------------------ comparisons

/** A comparison: `float` calls a WGSL_FLOAT_BITS predicate, integers and bool use `op`. */
function comparison(
  name: string,
  op: string,
  float: (a: string, b: string) => string,
  complex?: (x: X) => string,
): void {
  const int = (x: X): string => asBool(`${x[0]} ${op} ${x[1]}`);
  const table: DTypeTable = { float32: (x) => asBool(float(x[0], x[1])), int32: int, uint32: int, bool: int };
  if (complex !== undefined) table.complex64 = complex;
  tableKernel(name, table, WGSL_FLOAT_BITS);
}

const ceq = (x: X): string => `(feq(${x[0]}.x, ${x[1]}.x) && feq(${x[0]}.y, ${x[1]}.y))`;
comparison(
  "eq",
  "==",
  (a, b) => `feq(${a}, ${b})`,
  (x) => asBool(ceq(x)),
);
comparison(
  "ne",
  "!=",
  (a, b) => `!feq(${a}, ${b})`,
  (x) => asBool(`!${ceq(x)}`),
);
comparison("lt", "<", (a, b) => `flt(${a}, ${b})`);
comparison("le", "<=", (a, b) => `fle(${a}, ${b})`);
comparison("gt", ">", (a, b) => `flt(${b}, ${a})`);
comparison("ge", ">=", (a, b) => `fle(${b}, ${a})`);

tableKernel("isFinite", { float32: (x) => asBool(`(bitcast<u32>(${x[0]}) & 0x7f800000u) != 0x7f800000u`) });

// ------------------------------------------------------------------ logical / bitwise

// bool is 0/1: logical not flips it; integers take the bitwise complement.
tableKernel("not", {
  bool: (x) => `select(1u, 0u, ${x[0]} != 0u)`,
  int32: (x) => `(~${x[0]})`,
  uint32: (x) => `(~${x[0]})`,
});
for (const [name, op] of [
  ["and", "&"],
  ["or", "|"],
  ["xor", "^"],
] as const) {
  const f = (x: X): string => `(${x[0]} ${op} ${x[1]})`;
  tableKernel(name, { bool: f, int32: f, uint32: f });
}

// ------------------------------------------------------------------ shifts

/** The shift amount as u32 (an int32 amount is reinterpreted: negative means huge). */
const amount = (y: string, signed: boolean): string => (signed ? `bitcast<u32>(${y})` : y);

tableKernel("shiftLeft", {
  int32: (x) => `select(${x[0]} << (${amount(x[1], true)} & 31u), 0i, ${amount(x[1], true)} >= 32u)`,
  uint32: (x) => `select(${x[0]} << (${x[1]} & 31u), 0u, ${x[1]} >= 32u)`,
});
tableKernel("shiftRightLogical", {
  int32: (x) =>
    `select(bitcast<i32>(bitcast<u32>(${x[0]}) >> (${amount(x[1], true)} & 31u)), 0i, ${amount(x[1], true)} >= 32u)`,
  uint32: (x) => `select(${x[0]} >> (${x[1]} & 31u), 0u, ${x[1]} >= 32u)`,
});
// An arithmetic shift by >= 32 leaves only the sign fill, which is the shift by 31.
tableKernel("shiftRightArithmetic", {
  int32: (x) => `(${x[0]} >> min(${amount(x[1], true)}, 31u))`,
  uint32: (x) => `bitcast<u32>(bitcast<i32>(${x[0]}) >> min(${x[1]}, 31u))`,
});

tableKernel("populationCount", { int32: (x) => `countOneBits(${x[0]})`, uint32: (x) => `countOneBits(${x[0]})` });
tableKernel("clz", { int32: (x) => `countLeadingZeros(${x[0]})`, uint32: (x) => `countLeadingZeros(${x[0]})` });

// ------------------------------------------------------------------ max / min / clamp

const intMax = (x: X): string => `max(${x[0]}, ${x[1]})`;
const intMin = (x: X): string => `min(${x[0]}, ${x[1]})`;
tableKernel(
  "max",
  { float32: (x) => `fmaxF32(${x[0]}, ${x[1]})`, int32: intMax, uint32: intMax, bool: intMax },
  WGSL_FLOAT_BITS,
);
tableKernel(
  "min",
  { float32: (x) => `fminF32(${x[0]}, ${x[1]})`, int32: intMin, uint32: intMin, bool: intMin },
  WGSL_FLOAT_BITS,
);

// clamp(lo, x, hi) = min(max(x, lo), hi) (NaN-propagating); mapKernel reads scalar bounds at [0].
const intClamp = (x: X): string => `min(max(${x[1]}, ${x[0]}), ${x[2]})`;
tableKernel(
  "clamp",
  { float32: (x) => `fminF32(fmaxF32(${x[1]}, ${x[0]}), ${x[2]})`, int32: intClamp, uint32: intClamp },
  WGSL_FLOAT_BITS,
);

// ------------------------------------------------------------------ bitcastConvertType

const BITCASTABLE: readonly DType[] = ["float32", "int32", "uint32"];

// Same 32 bits, new dtype: a raw word copy (no float load/store that could touch NaN payloads).
registerKernel("bitcastConvertType", ([xa], [oa]) => {
  if (!BITCASTABLE.includes(xa.dtype) || !BITCASTABLE.includes(oa.dtype)) return undefined;
  const decls: BufferDecl[] = [
    { name: "src", slot: { in: 0 }, type: "u32" },
    { name: "dst", slot: { out: 0 }, type: "u32", write: true },
  ];
  return simpleProgram(decls, oa.size, "  dst[i] = src[i];");
});

// ------------------------------------------------------------------ selectN

/** Storage buffers a pass may bind (WebGPU's guaranteed minimum): `which`, the output, 6 cases. */
const MAX_STORAGE = 8;
const CASES_PER_PASS = MAX_STORAGE - 2;

/**
 * selectN(which, ...cases): out[i] = cases[clamp(which[i], 0, last)][i] (the CPU kernel clamps
 * out-of-range int32 indices; bool is 0/1). With more cases than one pass can bind, pass p binds
 * cases [6p, 6p + 6) and writes only the elements whose index falls among them, so every element
 * is written by exactly one pass. A scalar `which` of a non-scalar output is read at index 0.
 */
registerKernel("selectN", ([wa, ...ca], [oa]) => {
  const n = oa.size;
  if (n === 0) return { passes: [] };
  const last = ca.length - 1;
  const word = oa.dtype === "complex64" ? "vec2<u32>" : "u32";
  const w = wa.size === 1 && n !== 1 ? "which[0]" : "which[i]";
  // The chosen case index as u32 in [0, last].
  const index = wa.dtype === "bool" ? `min(${w}, ${last}u)` : `u32(clamp(${w}, 0i, ${last}i))`;
  const g = grid(n);
  const passes: Pass[] = [];
  for (let lo = 0; lo <= last; lo += CASES_PER_PASS) {
    const count = Math.min(CASES_PER_PASS, ca.length - lo);
    const decls: BufferDecl[] = [
      { name: "which", slot: { in: 0 }, type: wa.dtype },
      ...Array.from({ length: count }, (_, j): BufferDecl => ({ name: `c${j}`, slot: { in: 1 + lo + j }, type: word })),
      { name: "out", slot: { out: 0 }, type: word, write: true },
    ];
    const { wgsl, bindings } = declare(decls);
    const arms = Array.from({ length: count }, (_, j) => `    case ${j}u: { out[i] = c${j}[i]; }`).join("\n");
    const single = count === ca.length;
    const body = [
      `  let k: u32 = ${index};`,
      // Elements that pick a case outside this pass's range are some other pass's job.
      single ? "" : `  if (k < ${lo}u || k >= ${lo + count}u) { return; }`,
      `  switch (k - ${lo}u) {`,
      arms,
      `    default: {}`,
      `  }`,
    ].join("\n");
    passes.push({ code: `${wgsl}\n${g.header}${body}\n}\n`, bindings, workgroups: g.workgroups });
  }
  const program: Program = { passes };
  return program;
});
