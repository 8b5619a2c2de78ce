/**
 * Cumulative kernels (cumsum, cumprod, cummax, cummin, cumlogsumexp) and the linear recurrence
 * h_i = a_i·h_prev + b_i: each is an associative combine run by the scan engine in
 * cumulative-scan.ts (workgroup tree scans, reduce-then-scan for long lines).
 *
 * Integer + and * wrap and max/min are exact in any association, so those results equal the CPU's
 * bit for bit. Float sums/products/logsumexp/recurrences round each f32 step along the scan tree
 * instead of keeping the CPU's float64 running value (tests bound the error by the tree depth·u
 * times the sum of the magnitudes of the terms).
 */
import type { DType, lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { literal } from "../program.ts";
import { storageType } from "../storage.ts";
import { WGSL_COMPLEX, WGSL_DIV } from "./wgsl-lib.ts";
import { WGSL_ISNAN } from "./reduce-plan.ts";
import { scanProgram, type ScanMonoid } from "./cumulative-scan.ts";

/**
 * A scan whose Acc is the element's storage type and whose combine is `comb` over (a, b); the
 * operand `x` is read at `base + pos(k)·INNER`, INNER filled in by `cumKernel`.
 */
function plain(dt: DType, comb: string): ScanMonoid {
  const t = storageType(dt);
  return {
    wgsl: `alias Acc = ${t};\nfn comb(a: Acc, b: Acc) -> Acc { ${comb} }`,
    dummy: dt === "complex64" ? "vec2<f32>(0.0f, 0.0f)" : literal(dt, 0),
    load: (k) => `x[base + pos(${k}) * INNER]`,
    fin: "a",
    accBytes: dt === "complex64" ? 8 : 4,
    inputs: [{ name: "x", dtype: dt }],
  };
}

type Params = Readonly<Record<string, unknown>>;

/** Register a one-operand scan primitive whose monoid `make` builds per dtype (undefined: not handled). */
function cumKernel(name: string, make: (dt: DType) => { m: ScanMonoid; prelude?: string } | undefined): void {
  registerKernel(name, ([xa]: readonly ShapedArray[], [oa]: readonly ShapedArray[], params: Params) => {
    const p = params as unknown as lax.CumulativeParams;
    const r = make(xa.dtype);
    if (r === undefined) return undefined;
    const inner = xa.shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
    const m: ScanMonoid = { ...r.m, load: (k) => r.m.load(k).replace("INNER", `${inner}u`) };
    return scanProgram(xa.shape, p.axis, p.reverse, oa.dtype, m, r.prelude ?? "");
  });
}

cumKernel("cumsum", (dt) => (dt === "bool" ? undefined : { m: plain(dt, "return a + b;") }));
cumKernel("cumprod", (dt) =>
  dt === "bool"
    ? undefined
    : { m: plain(dt, dt === "complex64" ? "return cmul(a, b);" : "return a * b;"), prelude: WGSL_COMPLEX },
);

/** cummax/cummin: the later value only when strictly better; NaN is absorbing (XLA). */
function chooser(isMax: boolean) {
  return (dt: DType) => {
    if (dt === "bool" || dt === "complex64") return undefined;
    const nan = dt === "float32" ? "if (isnanf(a)) { return a; } if (isnanf(b)) { return b; } " : "";
    return { m: plain(dt, `${nan}return select(a, b, b ${isMax ? ">" : "<"} a);`), prelude: WGSL_ISNAN };
  };
}
cumKernel("cummax", chooser(true));
cumKernel("cummin", chooser(false));

/**
 * log(exp(a) + exp(b)) in f32 as the CPU computes it in float64: -inf is an identity, NaN
 * propagates, +inf wins. log1p(e) for e = exp(-|a-b|) ∈ (0, 1] uses log1p(e) = 2·atanh(s),
 * s = e/(2+e) ∈ (0, 1/3], with the odd series to s^17 (truncation < 2⁻²⁸ relative), so it does
 * not depend on the builtin log's accuracy near 1 (only an absolute 2⁻²¹ is promised there).
 */
const WGSL_LOGADDEXP = /* wgsl */ `
fn log1pUnit(e: f32) -> f32 {
  let s = divF32(e, 2.0f + e);
  let z = s * s;
  var p = 1.0f / 17.0f;
  p = fma(p, z, 1.0f / 15.0f);
  p = fma(p, z, 1.0f / 13.0f);
  p = fma(p, z, 1.0f / 11.0f);
  p = fma(p, z, 1.0f / 9.0f);
  p = fma(p, z, 1.0f / 7.0f);
  p = fma(p, z, 1.0f / 5.0f);
  p = fma(p, z, 1.0f / 3.0f);
  return 2.0f * fma(s * z, p, s);
}
fn logaddexp(a: f32, b: f32) -> f32 {
  if (a == f32bits(0xff800000u)) { return b; }
  if (b == f32bits(0xff800000u)) { return a; }
  if (isnanf(a)) { return a; }
  if (isnanf(b)) { return b; }
  let m = max(a, b);
  if (m == f32bits(0x7f800000u)) { return m; }
  return m + log1pUnit(exp(-abs(a - b)));
}
`;
cumKernel("cumlogsumexp", (dt) =>
  dt !== "float32"
    ? undefined
    : { m: plain(dt, "return logaddexp(a, b);"), prelude: WGSL_ISNAN + WGSL_DIV + WGSL_LOGADDEXP },
);

/**
 * IEEE signed-zero arithmetic spelled out: \`0.0 + x\` and \`x * 0.0\` are classic targets of
 * "fast math" folds (to x and 0, wrong for x = -0 and x = ±inf/NaN), which WGSL does not forbid
 * drivers to make, so the CPU's first-step arithmetic on zeros uses explicit sign bits.
 * zmul(v) = v·(+0); zadd(x, y) = x + y.
 */
const WGSL_SIGNED_ZERO = /* wgsl */ `
fn zmul(v: f32) -> f32 {
  if ((bitcast<u32>(v) & 0x7fffffffu) >= 0x7f800000u) { return f32bits(0x7fc00000u); }
  return bitcast<f32>(bitcast<u32>(v) & 0x80000000u);
}
fn zadd(x: f32, y: f32) -> f32 {
  if (x == 0.0f && y == 0.0f) { return bitcast<f32>(bitcast<u32>(x) & bitcast<u32>(y)); }
  return x + y;
}
`;

/**
 * linearRecurrence: element k is the affine map h ↦ A_k·h + B_k; composing (earlier e, later l)
 * gives (l.A·e.A, l.A·e.B + l.B), and h_k is the B of the inclusive prefix (h_{-1} = 0). A_k is
 * a[k] (untransposed) or a[k-1] (transposed, 0 at k = 0). The real first element is 0 + b_0
 * (the CPU computes 0 + b_0, skipping a_0·0 so that an infinite a_0 gives no NaN); the complex CPU path does compute
 * a_0·(0, 0) + b_0, which we mirror (NaN for infinite a_0, the sign of zero parts).
 */
registerKernel("linearRecurrence", ([aa]: readonly ShapedArray[], [oa]: readonly ShapedArray[], params: Params) => {
  const p = params as unknown as lax.LinearRecurrenceParams;
  const dt = aa.dtype;
  if (dt !== "float32" && dt !== "complex64") return undefined;
  const cplx = dt === "complex64";
  const inner = aa.shape.slice(p.axis + 1).reduce((a, b) => a * b, 1);
  const at = (k: string) => `base + pos(${k}) * ${inner}u`;
  const zero = cplx ? "vec2<f32>(0.0f, 0.0f)" : "0.0f";
  const aOf = (k: string) =>
    p.transposed ? `select(${zero}, a[${at(`max(${k}, 1u) - 1u`)}], ${k} > 0u)` : `a[${at(k)}]`;
  const wgsl = cplx
    ? `struct Acc { A: vec2<f32>, B: vec2<f32> }
fn comb(e: Acc, l: Acc) -> Acc { return Acc(cmul(l.A, e.A), cmul(l.A, e.B) + l.B); }
fn ld(A: vec2<f32>, B: vec2<f32>, k: u32) -> Acc {
  if (k == 0u) {
    // h_0 = (a.re·0 - a.im·0 + b.re, a.re·0 + a.im·0 + b.im), h_{-1} = +0 as on the CPU.
    return Acc(A, vec2<f32>(zadd(zadd(zmul(A.x), -zmul(A.y)), B.x), zadd(zadd(zmul(A.x), zmul(A.y)), B.y)));
  }
  return Acc(A, B);
}`
    : `struct Acc { A: f32, B: f32 }
fn comb(e: Acc, l: Acc) -> Acc { return Acc(l.A * e.A, fma(l.A, e.B, l.B)); }
fn ld(A: f32, B: f32, k: u32) -> Acc {
  // The CPU's h_0 = 0 + b_0 (+0 for b_0 = -0).
  if (k == 0u) { return Acc(A, zadd(0.0f, B)); }
  return Acc(A, B);
}`;
  const m: ScanMonoid = {
    wgsl,
    dummy: `Acc(${zero}, ${zero})`,
    load: (k) => `ld(${aOf(k)}, b[${at(k)}], ${k})`,
    fin: "a.B",
    accBytes: cplx ? 16 : 8,
    inputs: [
      { name: "a", dtype: dt },
      { name: "b", dtype: dt },
    ],
  };
  return scanProgram(
    aa.shape,
    p.axis,
    p.reverse,
    oa.dtype,
    m,
    WGSL_ISNAN + WGSL_SIGNED_ZERO + (cplx ? WGSL_COMPLEX : ""),
  );
});
