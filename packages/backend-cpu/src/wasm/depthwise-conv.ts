/**
 * WebAssembly SIMD code for depthwise 1-D convolutions (featureGroupCount = channels, one
 * kernel row per channel), float32 data summed in float64 exactly as the reference kernel
 * (kernels/conv.ts): per output element acc = 0, then acc += x·w for each tap in kernel order,
 * skipping taps that land on padding, and one rounding to float32 — so results are the
 * reference's bit for bit. (Each x·w of two float32 values is exact in float64; the sums are the
 * same float64 additions in the same order.)
 *
 * The packed weights `wp` are float64: `[C][k]` for the channels-first kernel, `[k][C]` for the
 * channels-last one. Pointers are byte addresses, counts and strides are in elements.
 * - `dwFirst(x, wp, out, N, C, L, Lo, k, stride, dil, padLo, xN, xC, oN, oC)`: positions
 *   contiguous (x's and out's spatial stride 1, "NCH"); SIMD across 16 output positions where
 *   every tap is inside the input and stride = 1, one position at a time elsewhere.
 * - `dwLast(x, wp, out, N, C, L, Lo, k, stride, dil, padLo, xN, xL, oN, oL)`: channels contiguous
 *   (channel stride 1, "NHC"); SIMD across 16 channels, any stride.
 */
import { type Code, ModuleBuilder } from "./emitter.ts";
import { MAX_PAGES } from "./heap.ts";
import { f64x2Const, OP, SIMD, whileLoop } from "./simd-ops.ts";

export type DepthwiseFn = (
  x: number,
  wp: number,
  out: number,
  N: number,
  C: number,
  L: number,
  Lo: number,
  k: number,
  stride: number,
  dil: number,
  padLo: number,
  xN: number,
  xS: number,
  oN: number,
  oS: number,
) => void;

const P = {
  x: 0,
  wp: 1,
  out: 2,
  N: 3,
  C: 4,
  L: 5,
  Lo: 6,
  k: 7,
  stride: 8,
  dil: 9,
  padLo: 10,
  xN: 11,
  xS: 12,
  oN: 13,
  oS: 14,
} as const;
const PARAMS = new Array<"i32">(15).fill("i32");

/** `for (v = 0; v < limit; v++) body()` with `limit` a local. */
function count(c: Code, v: number, limit: number, body: () => void): void {
  c.i32(0).set(v);
  whileLoop(
    c,
    () => c.get(v).get(limit).op(OP.i32LtS),
    () => {
      body();
      c.get(v).i32(1).op(OP.i32Add).set(v);
    },
  );
}

function emitFirst(c: Code): void {
  const n = c.local("i32");
  const ch = c.local("i32");
  const s = c.local("i32");
  const t = c.local("i32");
  const pos = c.local("i32");
  const xl = c.local("i32");
  const ol = c.local("i32");
  const wl = c.local("i32");
  const sLo = c.local("i32");
  const sHi = c.local("i32");
  const px = c.local("i32");
  const accS = c.local("f64");
  const UNITS = 8;
  const acc = Array.from({ length: UNITS }, () => c.local("v128"));
  const wv = c.local("v128");
  // Interior [sLo, sHi): every tap inside x (stride 1 only; otherwise empty).
  c.get(P.padLo).set(sLo);
  c.get(P.L).get(P.k).i32(1).op(OP.i32Sub).get(P.dil).op(OP.i32Mul).op(OP.i32Sub).get(P.padLo).op(OP.i32Add).set(sHi);
  c.get(P.stride).i32(1).op(OP.i32Ne).if().get(P.Lo).set(sLo).end();
  const clamp = (v: number, lo: () => void, hi: () => void): void => {
    lo();
    c.get(v).op(OP.i32GtS);
    c.if();
    lo();
    c.set(v);
    c.end();
    c.get(v);
    hi();
    c.op(OP.i32GtS).if();
    hi();
    c.set(v);
    c.end();
  };
  clamp(
    sLo,
    () => c.i32(0),
    () => c.get(P.Lo),
  );
  clamp(
    sHi,
    () => c.get(sLo),
    () => c.get(P.Lo),
  );

  /** One output position s, taps checked. */
  const scalar = (): void => {
    f64Zero(c);
    c.set(accS);
    count(c, t, P.k, () => {
      c.get(s)
        .get(P.stride)
        .op(OP.i32Mul)
        .get(t)
        .get(P.dil)
        .op(OP.i32Mul)
        .op(OP.i32Add)
        .get(P.padLo)
        .op(OP.i32Sub)
        .tee(pos);
      c.get(P.L).op(OP.i32LtU).if();
      c.get(accS);
      c.get(xl).get(pos).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.f32Load, 2).op(OP.f64PromoteF32);
      c.get(wl).get(t).i32(3).op(OP.i32Shl).op(OP.i32Add).mem(OP.f64Load, 3).op(OP.f64Mul);
      c.op(OP.f64Add).set(accS);
      c.end();
    });
    c.get(ol).get(s).i32(2).op(OP.i32Shl).op(OP.i32Add).get(accS).op(OP.f32DemoteF64).mem(OP.f32Store, 2);
    c.get(s).i32(1).op(OP.i32Add).set(s);
  };
  count(c, n, P.N, () => {
    count(c, ch, P.C, () => {
      c.get(P.x)
        .get(n)
        .get(P.xN)
        .op(OP.i32Mul)
        .get(ch)
        .get(P.xS)
        .op(OP.i32Mul)
        .op(OP.i32Add)
        .i32(2)
        .op(OP.i32Shl)
        .op(OP.i32Add)
        .set(xl);
      c.get(P.out)
        .get(n)
        .get(P.oN)
        .op(OP.i32Mul)
        .get(ch)
        .get(P.oS)
        .op(OP.i32Mul)
        .op(OP.i32Add)
        .i32(2)
        .op(OP.i32Shl)
        .op(OP.i32Add)
        .set(ol);
      c.get(P.wp).get(ch).get(P.k).op(OP.i32Mul).i32(3).op(OP.i32Shl).op(OP.i32Add).set(wl);
      c.i32(0).set(s);
      whileLoop(c, () => c.get(s).get(sLo).op(OP.i32LtS), scalar);
      for (const units of [UNITS, 1]) {
        whileLoop(
          c,
          () =>
            c
              .get(s)
              .i32(2 * units)
              .op(OP.i32Add)
              .get(sHi)
              .op(OP.i32GtS)
              .op(OP.i32Eqz),
          () => emitStrip(c, { units, acc, wv, t, s, xl, ol, wl, px }),
        );
      }
      whileLoop(c, () => c.get(s).get(P.Lo).op(OP.i32LtS), scalar);
    });
  });
}

const f64Zero = (c: Code): void => void c.f64(0);

/** The interior strip of dwFirst: 2·units positions from s, every tap inside x. */
function emitStrip(
  c: Code,
  l: { units: number; acc: number[]; wv: number; t: number; s: number; xl: number; ol: number; wl: number; px: number },
): void {
  const { units, acc, wv, t, s, xl, ol, wl, px } = l;
  for (let u = 0; u < units; u++) {
    f64x2Const(c, 0, 0);
    c.set(acc[u]);
  }
  count(c, t, P.k, () => {
    c.get(wl).get(t).i32(3).op(OP.i32Shl).op(OP.i32Add).mem(OP.f64Load, 3).simd(SIMD.f64x2Splat).set(wv);
    // x at s + t·dil − padLo (stride 1).
    c.get(xl)
      .get(s)
      .get(t)
      .get(P.dil)
      .op(OP.i32Mul)
      .op(OP.i32Add)
      .get(P.padLo)
      .op(OP.i32Sub)
      .i32(2)
      .op(OP.i32Shl)
      .op(OP.i32Add)
      .set(px);
    for (let u = 0; u < units; u++) {
      c.get(acc[u]);
      c.get(px)
        .simdMem(SIMD.load64Zero, 0, 8 * u)
        .simd(SIMD.f64x2PromoteLowF32x4)
        .get(wv)
        .simd(SIMD.f64x2Mul);
      c.simd(SIMD.f64x2Add).set(acc[u]);
    }
  });
  for (let u = 0; u < units; u++) {
    c.get(ol)
      .get(s)
      .i32(2)
      .op(OP.i32Shl)
      .op(OP.i32Add)
      .get(acc[u])
      .simd(SIMD.f32x4DemoteF64x2Zero)
      .simdMem(SIMD.store64Lane, 0, 8 * u)
      .op(0);
  }
  c.get(s)
    .i32(2 * units)
    .op(OP.i32Add)
    .set(s);
}

function emitLast(c: Code): void {
  const n = c.local("i32");
  const s = c.local("i32");
  const t = c.local("i32");
  const ch = c.local("i32");
  const pos = c.local("i32");
  const xr = c.local("i32");
  const orow = c.local("i32");
  const px = c.local("i32");
  const pw = c.local("i32");
  const UNITS = 8;
  const acc = Array.from({ length: UNITS }, () => c.local("v128"));
  count(c, n, P.N, () => {
    count(c, s, P.Lo, () => {
      c.get(P.x).get(n).get(P.xN).op(OP.i32Mul).i32(2).op(OP.i32Shl).op(OP.i32Add).set(xr);
      c.get(P.out)
        .get(n)
        .get(P.oN)
        .op(OP.i32Mul)
        .get(s)
        .get(P.oS)
        .op(OP.i32Mul)
        .op(OP.i32Add)
        .i32(2)
        .op(OP.i32Shl)
        .op(OP.i32Add)
        .set(orow);
      c.i32(0).set(ch);
      for (const [units, elems] of [
        [UNITS, 2],
        [1, 2],
        [1, 1],
      ] as const) {
        whileLoop(
          c,
          () =>
            c
              .get(ch)
              .i32(units * elems)
              .op(OP.i32Add)
              .get(P.C)
              .op(OP.i32GtS)
              .op(OP.i32Eqz),
          () => {
            for (let u = 0; u < units; u++) {
              f64x2Const(c, 0, 0);
              c.set(acc[u]);
            }
            count(c, t, P.k, () => {
              c.get(s)
                .get(P.stride)
                .op(OP.i32Mul)
                .get(t)
                .get(P.dil)
                .op(OP.i32Mul)
                .op(OP.i32Add)
                .get(P.padLo)
                .op(OP.i32Sub)
                .tee(pos);
              c.get(P.L).op(OP.i32LtU).if();
              c.get(xr)
                .get(pos)
                .get(P.xS)
                .op(OP.i32Mul)
                .get(ch)
                .op(OP.i32Add)
                .i32(2)
                .op(OP.i32Shl)
                .op(OP.i32Add)
                .set(px);
              c.get(P.wp)
                .get(t)
                .get(P.C)
                .op(OP.i32Mul)
                .get(ch)
                .op(OP.i32Add)
                .i32(3)
                .op(OP.i32Shl)
                .op(OP.i32Add)
                .set(pw);
              for (let u = 0; u < units; u++) {
                c.get(acc[u]);
                c.get(px)
                  .simdMem(elems === 2 ? SIMD.load64Zero : SIMD.load32Zero, 0, 4 * elems * u)
                  .simd(SIMD.f64x2PromoteLowF32x4);
                c.get(pw)
                  .simdMem(elems === 2 ? SIMD.load : SIMD.load64Zero, 0, 8 * elems * u)
                  .simd(SIMD.f64x2Mul);
                c.simd(SIMD.f64x2Add).set(acc[u]);
              }
              c.end();
            });
            for (let u = 0; u < units; u++) {
              c.get(orow).get(ch).i32(2).op(OP.i32Shl).op(OP.i32Add).get(acc[u]).simd(SIMD.f32x4DemoteF64x2Zero);
              c.simdMem(elems === 2 ? SIMD.store64Lane : SIMD.store32Lane, 0, 4 * elems * u).op(0);
            }
            c.get(ch)
              .i32(units * elems)
              .op(OP.i32Add)
              .set(ch);
          },
        );
      }
    });
  });
}

export type GroupCorrelationFn = (
  x: number,
  g: number,
  out: number,
  C: number,
  Cg: number,
  L: number,
  Lg: number,
  Lo: number,
  stride: number,
  dil: number,
  padLo: number,
  xB: number,
  xF: number,
  xS: number,
  gO: number,
  gI: number,
  gS: number,
  oF: number,
  oS: number,
) => void;

/**
 * `dwGrad(...)` (signature {@link GroupCorrelationFn}): the batch-grouped conv that is a depthwise
 * conv's weight gradient (batchGroupCount = channels): for every channel c and output position t,
 * out[c, t] = Σ_s Σ_n x[c, n, t·stride + s·dil − padLo]·g[c, n, s] over in-range positions, in the
 * reference's order (s outer, n inner), in float64 — scalar code (the sum is one chain per output).
 */
function emitGroupCorrelation(c: Code): void {
  const [x, g, out, C, Cg, L, Lg, Lo, stride, dil, padLo, xB, xF, xS, gO, gI, gS, oF, oS] = Array.from(
    { length: 19 },
    (_, i) => i,
  );
  const ch = c.local("i32");
  const t = c.local("i32");
  const s = c.local("i32");
  const n = c.local("i32");
  const pos = c.local("i32");
  const px = c.local("i32");
  const pg = c.local("i32");
  const acc = c.local("f64");
  count(c, ch, C, () => {
    count(c, t, Lo, () => {
      c.f64(0).set(acc);
      count(c, s, Lg, () => {
        c.get(t)
          .get(stride)
          .op(OP.i32Mul)
          .get(s)
          .get(dil)
          .op(OP.i32Mul)
          .op(OP.i32Add)
          .get(padLo)
          .op(OP.i32Sub)
          .tee(pos);
        c.get(L).op(OP.i32LtU).if();
        c.get(x)
          .get(ch)
          .get(xB)
          .op(OP.i32Mul)
          .get(pos)
          .get(xS)
          .op(OP.i32Mul)
          .op(OP.i32Add)
          .i32(2)
          .op(OP.i32Shl)
          .op(OP.i32Add)
          .set(px);
        c.get(g)
          .get(ch)
          .get(gO)
          .op(OP.i32Mul)
          .get(s)
          .get(gS)
          .op(OP.i32Mul)
          .op(OP.i32Add)
          .i32(2)
          .op(OP.i32Shl)
          .op(OP.i32Add)
          .set(pg);
        count(c, n, Cg, () => {
          c.get(acc);
          c.get(px)
            .mem(OP.f32Load, 2)
            .op(OP.f64PromoteF32)
            .get(pg)
            .mem(OP.f32Load, 2)
            .op(OP.f64PromoteF32)
            .op(OP.f64Mul);
          c.op(OP.f64Add).set(acc);
          c.get(px).get(xF).i32(2).op(OP.i32Shl).op(OP.i32Add).set(px);
          c.get(pg).get(gI).i32(2).op(OP.i32Shl).op(OP.i32Add).set(pg);
        });
        c.end();
      });
      c.get(out)
        .get(ch)
        .get(oF)
        .op(OP.i32Mul)
        .get(t)
        .get(oS)
        .op(OP.i32Mul)
        .op(OP.i32Add)
        .i32(2)
        .op(OP.i32Shl)
        .op(OP.i32Add);
      c.get(acc).op(OP.f32DemoteF64).mem(OP.f32Store, 2);
    });
  });
}

/** The module with `dwFirst`, `dwLast` and `dwGrad` (see the module comment). */
export function buildDepthwiseModule(shared: boolean): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(
    shared ? { shared: true, minPages: 0, maxPages: MAX_PAGES } : { shared: false, minPages: 0 },
  );
  m.func(PARAMS, [], emitFirst, "dwFirst");
  m.func(PARAMS, [], emitLast, "dwLast");
  m.func(new Array<"i32">(19).fill("i32"), [], emitGroupCorrelation, "dwGrad");
  return m.bytes();
}
