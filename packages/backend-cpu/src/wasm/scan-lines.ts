/**
 * WebAssembly SIMD code for scans along one axis: cumsum, cumprod, cummax, cummin, cumlogsumexp
 * and the linear recurrence h_i = a_i·h_prev + b_i (the SSM hot path).
 *
 * An operand of shape [..., n, ...] is viewed as [outer, n, inner] (n the scanned axis). Lines are
 * independent, so the module walks each `outer` block in *strips* of contiguous elements of the
 * inner axis: a strip of up to 16 elements keeps its running values in registers and steps down
 * the scanned axis, reading one row slice (a 64-byte cache line of f32) per operand and step.
 * Strips narrow to 4, 2 and 1 elements at the end of a row (lane loads, no scalar code path).
 * A complex scan along the last axis (inner = 1) walks four lines side by side instead.
 *
 * Arithmetic is the reference kernel's, operation for operation (kernels/cumulative.ts): float32
 * cumsum/cumprod/linearRecurrence keep the running value in float64 and round once per element —
 * so the strips run in f64x2 lanes, promoting each input and demoting each output, and give the
 * reference's bits; complex values are one (re, im) f64x2 vector with the reference's formula;
 * integer scans wrap in i32x4 lanes; cummax/cummin of float32 select in f32x4 lanes with the
 * reference's tie and NaN rules; cumlogsumexp calls the same Math.exp / Math.log1p as the
 * reference (imported), one lane at a time. The only difference is which NaN bit pattern a NaN
 * result has.
 */
import { type Code, ModuleBuilder } from "./emitter.ts";
import { MAX_PAGES } from "./heap.ts";
import { f64x2Const, f64x2Shuffle, i32x4Const, OP, SIMD, whileLoop } from "./simd-ops.ts";

export type ScanKind = "cumsum" | "cumprod" | "cummax" | "cummin" | "cumlogsumexp" | "linearRecurrence";
export type ScanDType = "float32" | "complex64" | "int32" | "uint32";

export interface ScanSpec {
  readonly kind: ScanKind;
  readonly dtype: ScanDType;
  /** Scan from the end of the axis. */
  readonly reverse: boolean;
  /** linearRecurrence only: h_i = a_prev·h_prev + b_i. */
  readonly transposed: boolean;
}

/** The module's export: `scan(in0, in1, out, outer, n, inner)`, byte addresses and counts (in1 unused by one-input scans). */
export type ScanFn = (in0: number, in1: number, out: number, outer: number, n: number, inner: number) => void;

/** Whether this module generator implements `kind` for `dtype` (the primitives' dtype sets). */
export function scanSupported(kind: ScanKind, dtype: string): dtype is ScanDType {
  switch (kind) {
    case "cumsum":
    case "cumprod":
      return dtype === "float32" || dtype === "complex64" || dtype === "int32" || dtype === "uint32";
    case "cummax":
    case "cummin":
      return dtype === "float32" || dtype === "int32" || dtype === "uint32";
    case "cumlogsumexp":
      return dtype === "float32";
    case "linearRecurrence":
      return dtype === "float32" || dtype === "complex64";
  }
}

/** How values sit in lanes: f32 data in f64 lanes, complex pairs in f64 lanes, or raw 32-bit lanes. */
type Family = "f64" | "c64" | "x32";

const familyOf = (s: ScanSpec): Family =>
  s.dtype === "complex64" ? "c64" : s.dtype === "float32" && s.kind !== "cummax" && s.kind !== "cummin" ? "f64" : "x32";

/** Strip shapes, widest first: `units` vectors of `elems` elements each. */
function stripsOf(fam: Family, s: ScanSpec): { units: number; elems: number }[] {
  // Eight running f64x2 values plus temporaries fit x86's 16 vector registers; the transposed
  // recurrence and complex products need a second set of vectors, so they take four.
  const wide = s.transposed || fam === "c64" ? 4 : 8;
  if (fam === "f64")
    return [
      { units: wide, elems: 2 },
      { units: 1, elems: 2 },
      { units: 1, elems: 1 },
    ];
  if (fam === "c64")
    return [
      { units: wide, elems: 1 },
      { units: 1, elems: 1 },
    ];
  return [
    { units: 4, elems: 4 },
    { units: 1, elems: 4 },
    { units: 1, elems: 2 },
    { units: 1, elems: 1 },
  ];
}

const CANONICAL_NAN = 0x7fc00000;

/** Build the module for one scan (its `scan` export, see {@link ScanFn}). */
export function buildScanModule(spec: ScanSpec, shared: boolean): Uint8Array<ArrayBuffer> {
  const fam = familyOf(spec);
  const es = spec.dtype === "complex64" ? 8 : 4;
  const lr = spec.kind === "linearRecurrence";
  const m = new ModuleBuilder(
    shared ? { shared: true, minPages: 0, maxPages: MAX_PAGES } : { shared: false, minPages: 0 },
  );
  let lae = -1;
  if (spec.kind === "cumlogsumexp") {
    const exp = m.importFunc("exp", ["f64"], ["f64"]);
    const log1p = m.importFunc("log1p", ["f64"], ["f64"]);
    lae = m.func(["f64", "f64"], ["f64"], (c) => emitLogAddExp(c, exp, log1p));
  }
  m.func(
    ["i32", "i32", "i32", "i32", "i32", "i32"],
    [],
    (c) => {
      const [in0, in1, out, outer, n, inner] = [0, 1, 2, 3, 4, 5];
      const rowBytes = c.local("i32");
      const rowStep = c.local("i32");
      const lineBytes = c.local("i32");
      const base = c.local("i32");
      const o = c.local("i32");
      const j = c.local("i32");
      const off = c.local("i32");
      const cnt = c.local("i32");
      const pa = c.local("i32");
      const pb = c.local("i32");
      const po = c.local("i32");
      const maxUnits = Math.max(...stripsOf(fam, spec).map((s) => s.units));
      const h = Array.from({ length: maxUnits }, () => c.local("v128"));
      const aPrev = lr && spec.transposed ? Array.from({ length: maxUnits }, () => c.local("v128")) : [];
      const t0 = c.local("v128");
      const t1 = c.local("v128");
      const t2 = c.local("v128");

      // Nothing to do for an empty operand.
      c.get(n)
        .op(OP.i32Eqz)
        .get(inner)
        .op(OP.i32Eqz)
        .op(OP.i32Or)
        .get(outer)
        .op(OP.i32Eqz)
        .op(OP.i32Or)
        .if()
        .op(OP.return)
        .end();
      c.get(inner).i32(es).op(OP.i32Mul).set(rowBytes);
      c.get(n).get(rowBytes).op(OP.i32Mul).set(lineBytes);
      if (spec.reverse) c.i32(0).get(rowBytes).op(OP.i32Sub).set(rowStep);
      else c.get(rowBytes).set(rowStep);

      // Lines mode (inner = 1, complex only): the units of a strip are W different lines, line j at
      // byte offset offs[j] = j·lineBytes from the strip's pointer.
      const W = fam === "c64" ? stripsOf(fam, spec)[0].units : 0;
      const offs = Array.from({ length: W }, () => c.local("i32"));
      let lines = false;

      /** Push input `which` (0: x or a, 1: b) of unit u, converted to the lane family. */
      const load = (which: number, u: number, elems: number): void => {
        const ptr = which === 0 ? pa : pb;
        if (lines) {
          c.get(ptr).get(offs[u]).op(OP.i32Add).simdMem(SIMD.load64Zero, 0).simd(SIMD.f64x2PromoteLowF32x4);
          return;
        }
        c.get(ptr);
        const offset = u * elems * es;
        const bytes = elems * es;
        if (bytes === 16) c.simdMem(SIMD.load, 0, offset);
        else if (bytes === 8) c.simdMem(SIMD.load64Zero, 0, offset);
        else c.simdMem(SIMD.load32Zero, 0, offset);
        if (fam !== "x32") c.simd(SIMD.f64x2PromoteLowF32x4);
      };
      /** Store local `v` (lane family) as unit u of the output. */
      const store = (v: number, u: number, elems: number): void => {
        if (lines) {
          c.get(po)
            .get(offs[u])
            .op(OP.i32Add)
            .get(v)
            .simd(SIMD.f32x4DemoteF64x2Zero)
            .simdMem(SIMD.store64Lane, 0)
            .op(0);
          return;
        }
        c.get(po).get(v);
        const offset = u * elems * es;
        if (fam !== "x32") c.simd(SIMD.f32x4DemoteF64x2Zero);
        const bytes = fam === "x32" ? elems * 4 : elems * 4 * (fam === "c64" ? 2 : 1);
        if (bytes === 16) c.simdMem(SIMD.store, 0, offset);
        else if (bytes === 8) c.simdMem(SIMD.store64Lane, 0, offset).op(0);
        else c.simdMem(SIMD.store32Lane, 0, offset).op(0);
      };
      /** (re, im) products: pushes (A·H).re, (A·H).im with the reference's formula, A in `a`, H in `hv`. */
      const complexMul = (a: number, hv: number): void => {
        // t1 = (ar·hr, ar·hi), t2 = (ai·hi, ai·hr); result (t1.re − t2.re, t1.im + t2.im).
        c.get(a).get(a);
        f64x2Shuffle(c, 0, 0);
        c.get(hv).simd(SIMD.f64x2Mul).set(t1);
        c.get(a).get(a);
        f64x2Shuffle(c, 1, 1);
        c.get(hv).get(hv);
        f64x2Shuffle(c, 1, 0);
        c.simd(SIMD.f64x2Mul).set(t2);
        c.get(t1).get(t2).simd(SIMD.f64x2Sub).get(t1).get(t2).simd(SIMD.f64x2Add);
        f64x2Shuffle(c, 0, 3);
      };

      /** The first step of a strip: h[u] from the first row. */
      const first = (u: number, elems: number): void => {
        const hv = h[u];
        if (lr) {
          if (fam === "f64") {
            // Reference: h_0 = 0 + b_0 (no product, so an infinite coefficient gives no NaN).
            f64x2Const(c, 0, 0);
            load(1, u, elems);
            c.simd(SIMD.f64x2Add).set(hv);
            if (spec.transposed) {
              load(0, u, elems);
              c.set(aPrev[u]);
            }
          } else {
            // Complex reference: the general step from h = 0 (with a_prev = 0 when transposed).
            f64x2Const(c, 0, 0);
            c.set(hv);
            if (spec.transposed) {
              f64x2Const(c, 0, 0);
              c.set(aPrev[u]);
            }
            step(u, elems);
            return;
          }
        } else {
          load(0, u, elems);
          c.set(hv);
        }
        store(hv, u, elems);
      };

      /** One later step of a strip: h[u] ← combine(h[u], row values); stores h[u]. */
      const step = (u: number, elems: number): void => {
        const hv = h[u];
        if (lr) {
          load(0, u, elems);
          c.set(t0);
          const coef = spec.transposed ? aPrev[u] : t0;
          if (fam === "f64") c.get(coef).get(hv).simd(SIMD.f64x2Mul);
          else complexMul(coef, hv);
          load(1, u, elems);
          c.simd(SIMD.f64x2Add).set(hv);
          if (spec.transposed) c.get(t0).set(aPrev[u]);
        } else if (spec.kind === "cumlogsumexp") {
          load(0, u, elems);
          c.set(t0);
          for (const lane of [0, 1]) {
            c.get(hv);
            c.get(hv).simd(SIMD.f64x2ExtractLane, lane).get(t0).simd(SIMD.f64x2ExtractLane, lane).call(lae);
            c.simd(SIMD.f64x2ReplaceLane, lane).set(hv);
          }
        } else if (fam === "c64") {
          load(0, u, elems);
          c.set(t0);
          if (spec.kind === "cumsum") c.get(hv).get(t0).simd(SIMD.f64x2Add).set(hv);
          else {
            // Reference: (re·xr − im·xi, re·xi + im·xr) = X·H with the same products and sums.
            complexMul(t0, hv);
            c.set(hv);
          }
        } else if (fam === "f64") {
          c.get(hv);
          load(0, u, elems);
          c.simd(spec.kind === "cumsum" ? SIMD.f64x2Add : SIMD.f64x2Mul).set(hv);
        } else if (spec.dtype === "float32") {
          // cummax: x > h ? x : h (pmax(h, x) = h < x ? x : h); cummin: pmin(h, x) = x < h ? x : h;
          // NaN in either makes NaN.
          load(0, u, elems);
          c.set(t0);
          c.get(hv)
            .get(t0)
            .simd(spec.kind === "cummax" ? SIMD.f32x4Pmax : SIMD.f32x4Pmin)
            .set(t1);
          i32x4Const(c, [CANONICAL_NAN, CANONICAL_NAN, CANONICAL_NAN, CANONICAL_NAN]);
          c.get(t1);
          c.get(hv).get(hv).simd(SIMD.f32x4Ne).get(t0).get(t0).simd(SIMD.f32x4Ne).simd(SIMD.v128Or);
          c.simd(SIMD.v128Bitselect).set(hv);
        } else {
          const uns = spec.dtype === "uint32";
          const opc =
            spec.kind === "cumsum"
              ? SIMD.i32x4Add
              : spec.kind === "cumprod"
                ? SIMD.i32x4Mul
                : spec.kind === "cummax"
                  ? uns
                    ? SIMD.i32x4MaxU
                    : SIMD.i32x4MaxS
                  : uns
                    ? SIMD.i32x4MinU
                    : SIMD.i32x4MinS;
          c.get(hv);
          load(0, u, elems);
          c.simd(opc).set(hv);
        }
        store(hv, u, elems);
      };

      /** One strip from pa/pb/po: the first row, then n − 1 steps. */
      const stripBody = (units: number, elems: number): void => {
        for (let u = 0; u < units; u++) first(u, elems);
        c.get(n).i32(1).op(OP.i32Sub).set(cnt);
        whileLoop(
          c,
          () => c.get(cnt),
          () => {
            for (const p of [pa, pb, po]) c.get(p).get(rowStep).op(OP.i32Add).set(p);
            for (let u = 0; u < units; u++) step(u, elems);
            c.get(cnt).i32(1).op(OP.i32Sub).set(cnt);
          },
        );
      };

      c.i32(0).set(o);
      // A complex scan along the last axis (inner = 1): W lines side by side, one per vector —
      // 2.3× faster than one line at a time (measured, [4096, 1024]). For real data the lane
      // inserts cost more than they win (4× slower than line by line), so only complex uses it.
      if (fam === "c64") {
        c.get(inner).i32(1).op(OP.i32Eq).if();
        offs.forEach((l, j) => c.get(lineBytes).i32(j).op(OP.i32Mul).set(l));
        whileLoop(
          c,
          () => c.get(o).i32(W).op(OP.i32Add).get(outer).op(OP.i32GtS).op(OP.i32Eqz),
          () => {
            c.get(o).get(lineBytes).op(OP.i32Mul);
            if (spec.reverse) c.get(lineBytes).get(rowBytes).op(OP.i32Sub).op(OP.i32Add);
            c.set(off);
            c.get(in0).get(off).op(OP.i32Add).set(pa);
            c.get(in1).get(off).op(OP.i32Add).set(pb);
            c.get(out).get(off).op(OP.i32Add).set(po);
            lines = true;
            stripBody(W, 1);
            lines = false;
            c.get(o).i32(W).op(OP.i32Add).set(o);
          },
        );
        c.end();
      }
      // for (; o < outer; o++): strips across the inner axis.
      whileLoop(
        c,
        () => c.get(o).get(outer).op(OP.i32LtS),
        () => {
          c.get(o).get(lineBytes).op(OP.i32Mul);
          if (spec.reverse) c.get(lineBytes).get(rowBytes).op(OP.i32Sub).op(OP.i32Add);
          c.set(base);
          c.i32(0).set(j);
          for (const { units, elems } of stripsOf(fam, spec)) {
            const width = units * elems;
            whileLoop(
              c,
              () => c.get(j).i32(width).op(OP.i32Add).get(inner).op(OP.i32GtS).op(OP.i32Eqz),
              () => {
                c.get(base).get(j).i32(es).op(OP.i32Mul).op(OP.i32Add).set(off);
                c.get(in0).get(off).op(OP.i32Add).set(pa);
                c.get(in1).get(off).op(OP.i32Add).set(pb);
                c.get(out).get(off).op(OP.i32Add).set(po);
                stripBody(units, elems);
                c.get(j).i32(width).op(OP.i32Add).set(j);
              },
            );
          }
          c.get(o).i32(1).op(OP.i32Add).set(o);
        },
      );
    },
    "scan",
  );
  return m.bytes();
}

/**
 * lae(a, b) = log(exp(a) + exp(b)), the reference's logAddExp line by line: −∞ is the identity,
 * an infinite maximum is returned, else m + log1p(exp(−|a − b|)).
 */
function emitLogAddExp(c: Code, exp: number, log1p: number): void {
  const [a, b] = [0, 1];
  const mx = c.local("f64");
  c.get(a).f64(-Infinity).op(OP.f64Eq).if().get(b).op(OP.return).end();
  c.get(b).f64(-Infinity).op(OP.f64Eq).if().get(a).op(OP.return).end();
  // Math.max: NaN if either is NaN, +0 over −0 — f64.max's rules.
  c.get(a).get(b).op(OP.f64Max).set(mx);
  c.get(mx).f64(Infinity).op(OP.f64Eq).if().f64(Infinity).op(OP.return).end();
  c.get(mx);
  c.get(a).get(b).op(OP.f64Sub).op(OP.f64Abs).op(OP.f64Neg).call(exp).call(log1p);
  c.op(OP.f64Add);
}
