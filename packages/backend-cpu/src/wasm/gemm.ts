/**
 * The f32 GEMM routine as a WebAssembly SIMD module, BLIS-style: C[b] = A[b]·B[b].
 *
 * Layout of the work (Goto/BLIS): the columns of C go in blocks of `nc`, k in blocks of `kc`;
 * each (kc × nc) block of B is packed into NR-wide column panels, each (mc × kc) block of A into
 * MR-tall row panels, and a register-blocked micro-kernel computes an MR × NR tile of C from one
 * A panel and one B panel, keeping the MR·NR/4 f32x4 accumulators in registers for the whole kc
 * loop. The B micro-panel (kc·NR floats) stays in L1 while the A panels of an mc block stream from
 * L2. Operands are read through element strides (row stride, column stride, batch stride), so a
 * transposed or broadcast operand needs no copy: packing absorbs the layout.
 *
 * Edge tiles (fewer than MR rows or NR columns left) are computed in full on zero-padded panels
 * into a scratch tile and only their valid part is written, so any m, n, k ≥ 0 works and the sums
 * of a valid element are the same whichever tile or thread range it falls in: results do not depend
 * on how the work is split.
 *
 * Accumulation is in f32. Without relaxed SIMD every step is an f32x4.mul then an f32x4.add (exact
 * IEEE results, the same on every engine); with `fma` the micro-kernel uses f32x4.relaxed_madd,
 * which engines lower to a fused multiply-add where the CPU has one.
 *
 * A module may have an elementwise epilogue built in (GemmEpilogueHook; compile/gemm-epilogue.ts):
 * after the last k block of each mc × nc block of C, the epilogue runs over that block's rows
 * while they are in cache, instead of a separate kernel reading all of C back.
 */
import { type Code, ModuleBuilder } from "./emitter.ts";

/**
 * An epilogue built into the module (compile/gemm-epilogue.ts): code applied to each finished
 * block of C — rows [r0, r1), columns [j0, j1) of product t, right after the block's last k step,
 * while it is in cache. Each element of C is finished once, by exactly one block of one range, so
 * the epilogue runs once per element whatever the split.
 */
export interface GemmEpilogueHook {
  /** i32 parameters appended to the `gemm` export after `scratch` (the epilogue's addresses). */
  readonly params: number;
  /** Declares the epilogue's imports and functions; called before any of the GEMM's. */
  declare(m: ModuleBuilder): void;
  /** Emits the epilogue of the block (all operands are locals of the gemm function). */
  emitBlock(
    c: Code,
    at: {
      readonly t: number;
      readonly r0: number;
      readonly r1: number;
      readonly j0: number;
      readonly j1: number;
      readonly params: readonly number[];
    },
  ): void;
}

/** Register and cache blocking of the generated module. */
export interface GemmConfig {
  /** Rows of the micro-tile. */
  readonly mr: number;
  /** Columns of the micro-tile (a multiple of 4: f32x4 lanes). */
  readonly nr: number;
  /** k block (depth of a packed panel). */
  readonly kc: number;
  /** Rows of A packed at once (a multiple of mr). */
  readonly mc: number;
  /** Columns of B packed at once (a multiple of nr). */
  readonly nc: number;
  /** Unrolling of the micro-kernel's k loop. */
  readonly unroll: number;
  /** Use f32x4.relaxed_madd (relaxed SIMD) in the micro-kernel. */
  readonly fma: boolean;
}

/**
 * Measured on x86-64 (V8 keeps 15 xmm registers for values): 5×8 is the largest tile whose 10
 * accumulators, 2 B vectors, the A splat and the product temporary fit without spills (6×8 spills
 * one accumulator per step and runs ~40% slower); unrolling the k loop lets TurboFan hoist the
 * loads of later steps and spill, so it stays at 1. kc·nr·4 = 8 KiB of B panel sits in L1.
 */
export const DEFAULT_GEMM_CONFIG: GemmConfig = { mr: 5, nr: 8, kc: 256, mc: 95, nc: 1024, unroll: 1, fma: false };

/** Bytes of scratch one call of `gemm` needs (packed A block, packed B block, one edge tile). */
export function gemmScratchBytes(cfg: GemmConfig = DEFAULT_GEMM_CONFIG): number {
  return 4 * (cfg.mc * cfg.kc + cfg.kc * cfg.nc + cfg.mr * cfg.nr);
}

/** Throws a RangeError unless `cfg` is a blocking the generator supports. */
export function checkGemmConfig(cfg: GemmConfig): void {
  const ok =
    Number.isInteger(cfg.mr) &&
    cfg.mr >= 1 &&
    Number.isInteger(cfg.nr) &&
    cfg.nr >= 4 &&
    cfg.nr % 4 === 0 &&
    Number.isInteger(cfg.kc) &&
    cfg.kc >= 1 &&
    Number.isInteger(cfg.unroll) &&
    cfg.unroll >= 1 &&
    Number.isInteger(cfg.mc) &&
    cfg.mc >= cfg.mr &&
    cfg.mc % cfg.mr === 0 &&
    Number.isInteger(cfg.nc) &&
    cfg.nc >= cfg.nr &&
    cfg.nc % cfg.nr === 0;
  if (!ok)
    throw new RangeError(`gemm: bad config ${JSON.stringify(cfg)} (nr a multiple of 4, mc of mr, nc of nr; all ≥ 1)`);
}

// Opcodes (WebAssembly core spec; SIMD sub-opcodes after the 0xFD prefix).
const ADD = 0x6a,
  SUB = 0x6b,
  LE_S = 0x4c,
  MUL = 0x6c,
  SHL = 0x74,
  LT_S = 0x48,
  GE_S = 0x4e,
  GT_S = 0x4a,
  EQZ = 0x45,
  SELECT = 0x1b;
const F32_LOAD = 0x2a,
  F32_STORE = 0x38,
  F32_ADD = 0x92;
const V128_LOAD = 0x00,
  V128_STORE = 0x0b,
  V128_LOAD32_SPLAT = 0x09,
  V128_CONST = 0x0c;
const F32X4_EXTRACT_LANE = 0x1f,
  F32X4_ADD = 0xe4,
  F32X4_MUL = 0xe6,
  F32X4_RELAXED_MADD = 0x105;

/** `for (v = from; v < to; v += step) body()`; `to` and `step` are locals or constants. */
function forLt(
  c: Code,
  v: number,
  from: () => void,
  to: { local: number } | number,
  step: { local: number } | number,
  body: () => void,
): void {
  from();
  c.set(v);
  c.block().loop();
  c.get(v);
  if (typeof to === "number") c.i32(to);
  else c.get(to.local);
  c.op(GE_S).brIf(1);
  body();
  c.get(v);
  if (typeof step === "number") c.i32(step);
  else c.get(step.local);
  c.op(ADD).set(v).br(0).end().end();
}

/** Push min(x, y) of two locals (signed). */
function minLocals(c: Code, x: number, y: number): void {
  c.get(x).get(y).get(x).get(y).op(LT_S).op(SELECT);
}

/**
 * micro(pa, pb, pc, ldcBytes, kc, accumulate): the MR × NR tile at pc (rows ldcBytes apart) gets
 * Σ_p Ap[p][i]·Bp[p][j] (accumulate = 0) or that plus its old value (accumulate ≠ 0).
 * Ap: kc groups of MR floats; Bp: kc groups of NR floats; kc ≥ 1.
 */
function emitMicro(c: Code, cfg: GemmConfig): void {
  const [pa, pb, pc, ldc, kc, accum] = [0, 1, 2, 3, 4, 5];
  const nv = cfg.nr / 4;
  const acc: number[] = [];
  for (let i = 0; i < cfg.mr * nv; i++) acc.push(c.local("v128"));
  const vb: number[] = [];
  for (let v = 0; v < nv; v++) vb.push(c.local("v128"));
  const va = c.local("v128");
  const p = c.local("i32");
  const row = c.local("i32");
  for (const a of acc) c.simd(V128_CONST, ...new Array<number>(16).fill(0)).set(a);
  const step = (u: number): void => {
    for (let v = 0; v < nv; v++)
      c.get(pb)
        .simdMem(V128_LOAD, 2, 4 * (u * cfg.nr + 4 * v))
        .set(vb[v]);
    for (let i = 0; i < cfg.mr; i++) {
      c.get(pa)
        .simdMem(V128_LOAD32_SPLAT, 2, 4 * (u * cfg.mr + i))
        .set(va);
      for (let v = 0; v < nv; v++) {
        const a = acc[i * nv + v];
        if (cfg.fma) c.get(va).get(vb[v]).get(a).simd(F32X4_RELAXED_MADD).set(a);
        else c.get(a).get(va).get(vb[v]).simd(F32X4_MUL).simd(F32X4_ADD).set(a);
      }
    }
  };
  const kLoop = (u: number): void => {
    c.block().loop();
    c.get(p).i32(u).op(LT_S).brIf(1);
    for (let q = 0; q < u; q++) step(q);
    c.get(pa)
      .i32(4 * u * cfg.mr)
      .op(ADD)
      .set(pa);
    c.get(pb)
      .i32(4 * u * cfg.nr)
      .op(ADD)
      .set(pb);
    c.get(p).i32(u).op(SUB).set(p).br(0).end().end();
  };
  c.get(kc).set(p);
  if (cfg.unroll > 1) kLoop(cfg.unroll);
  kLoop(1);
  const store = (withOld: boolean): void => {
    c.get(pc).set(row);
    for (let i = 0; i < cfg.mr; i++) {
      for (let v = 0; v < nv; v++) {
        c.get(row);
        if (withOld)
          c.get(row)
            .simdMem(V128_LOAD, 2, 16 * v)
            .get(acc[i * nv + v])
            .simd(F32X4_ADD);
        else c.get(acc[i * nv + v]);
        c.simdMem(V128_STORE, 2, 16 * v);
      }
      if (i + 1 < cfg.mr) c.get(row).get(ldc).op(ADD).set(row);
    }
  };
  c.get(accum).if();
  store(true);
  c.else();
  store(false);
  c.end();
}

/**
 * edge(tile, pc, ldcBytes, rows, cols, accumulate): copy (or add) the top-left rows × cols of the
 * MR × NR tile at `tile` (rows NR floats apart) into C at pc.
 */
function emitEdge(c: Code, cfg: GemmConfig): void {
  const [tile, pc, ldc, rows, cols, accum] = [0, 1, 2, 3, 4, 5];
  const i = c.local("i32"),
    j = c.local("i32"),
    src = c.local("i32"),
    dst = c.local("i32");
  const x = c.local("f32");
  forLt(
    c,
    i,
    () => c.i32(0),
    { local: rows },
    1,
    () => {
      c.get(tile)
        .get(i)
        .i32(4 * cfg.nr)
        .op(MUL)
        .op(ADD)
        .set(src);
      c.get(pc).get(i).get(ldc).op(MUL).op(ADD).set(dst);
      forLt(
        c,
        j,
        () => c.i32(0),
        { local: cols },
        1,
        () => {
          c.get(src).mem(F32_LOAD, 2).set(x);
          c.get(accum).if().get(dst).mem(F32_LOAD, 2).get(x).op(F32_ADD).set(x).end();
          c.get(dst).get(x).mem(F32_STORE, 2);
          c.get(src).i32(4).op(ADD).set(src);
          c.get(dst).i32(4).op(ADD).set(dst);
        },
      );
    },
  );
}

/**
 * pack(src, outerBytes, innerBytes, count, kc, dst, width): for each panel of `width` lines
 * (lines `outerBytes` apart, `count` in all, the last panel zero-padded) and each p < kc, write the
 * panel's `width` elements at depth p (p·innerBytes along a line) contiguously. A: lines are rows
 * (width MR); B: lines are columns (width NR). Full panels take v128 paths: contiguous along the
 * panel (row-major B, `vectorFast`) a straight copy; contiguous along the depth (row-major A,
 * transposed B) one load per line for 4 depths, its lanes stored to their places.
 */
function emitPack(c: Code, width: number, vectorFast: boolean): void {
  const [src, outer, inner, count, kc, dst] = [0, 1, 2, 3, 4, 5];
  const r = c.local("i32"),
    lines = c.local("i32"),
    p = c.local("i32"),
    i = c.local("i32");
  const base = c.local("i32"),
    s = c.local("i32"),
    left = c.local("i32"),
    w = c.local("i32"),
    off = c.local("i32");
  const rp = Array.from({ length: width }, () => c.local("i32"));
  const vl = Array.from({ length: width }, () => c.local("v128"));
  c.i32(width).set(w);
  forLt(
    c,
    r,
    () => c.i32(0),
    { local: count },
    width,
    () => {
      c.get(count).get(r).op(SUB).set(left);
      minLocals(c, w, left);
      c.set(lines);
      c.get(src).get(r).get(outer).op(MUL).op(ADD).set(base);
      const generic = (): void => {
        forLt(
          c,
          p,
          () => c.i32(0),
          { local: kc },
          1,
          () => {
            c.get(base).get(p).get(inner).op(MUL).op(ADD).set(s);
            forLt(
              c,
              i,
              () => c.i32(0),
              { local: lines },
              1,
              () => {
                c.get(dst).get(s).mem(F32_LOAD, 2).mem(F32_STORE, 2);
                c.get(s).get(outer).op(ADD).set(s);
                c.get(dst).i32(4).op(ADD).set(dst);
              },
            );
            forLt(
              c,
              i,
              () => c.get(lines),
              width,
              1,
              () => {
                c.get(dst).f32(0).mem(F32_STORE, 2);
                c.get(dst).i32(4).op(ADD).set(dst);
              },
            );
          },
        );
      };
      // Full panel, contiguous along the depth (row-major A, transposed B): read 4 depths of each
      // line with one v128 load and write the lanes to their places in the panel.
      const depthContiguous = (): void => {
        c.get(lines).i32(width).op(0x46).get(inner).i32(4).op(0x46).op(0x71).if();
        for (let l = 0; l < width; l++) c.get(base).get(outer).i32(l).op(MUL).op(ADD).set(rp[l]);
        c.i32(0).set(off);
        c.get(kc).set(left);
        c.block().loop();
        c.get(left).i32(4).op(LT_S).brIf(1);
        for (let l = 0; l < width; l++) c.get(rp[l]).get(off).op(ADD).simdMem(V128_LOAD, 2).set(vl[l]);
        for (let lane = 0; lane < 4; lane++) {
          for (let l = 0; l < width; l++)
            c.get(dst)
              .get(vl[l])
              .simd(F32X4_EXTRACT_LANE, lane)
              .mem(F32_STORE, 2, 4 * (lane * width + l));
        }
        c.get(dst)
          .i32(16 * width)
          .op(ADD)
          .set(dst);
        c.get(off).i32(16).op(ADD).set(off);
        c.get(left).i32(4).op(SUB).set(left);
        c.br(0).end().end();
        c.block().loop();
        c.get(left).op(EQZ).brIf(1);
        for (let l = 0; l < width; l++)
          c.get(dst)
            .get(rp[l])
            .get(off)
            .op(ADD)
            .mem(F32_LOAD, 2)
            .mem(F32_STORE, 2, 4 * l);
        c.get(dst)
          .i32(4 * width)
          .op(ADD)
          .set(dst);
        c.get(off).i32(4).op(ADD).set(off);
        c.get(left).i32(1).op(SUB).set(left);
        c.br(0).end().end();
        c.else();
        generic();
        c.end();
      };
      if (vectorFast) {
        // Full panel, contiguous along the panel (row-major B): v128 copies.
        c.get(lines).i32(width).op(0x46).get(outer).i32(4).op(0x46).op(0x71).if();
        forLt(
          c,
          p,
          () => c.i32(0),
          { local: kc },
          1,
          () => {
            c.get(base).get(p).get(inner).op(MUL).op(ADD).set(s);
            for (let v = 0; v < width / 4; v++)
              c.get(dst)
                .get(s)
                .simdMem(V128_LOAD, 2, 16 * v)
                .simdMem(V128_STORE, 2, 16 * v);
            c.get(dst)
              .i32(4 * width)
              .op(ADD)
              .set(dst);
          },
        );
        c.else();
        depthContiguous();
        c.end();
      } else depthContiguous();
    },
  );
}

/**
 * The module. Exports
 * `gemm(a, b, c, k, rsA, csA, rsB, csB, ldc, sA, sB, sC, b0, b1, i0, i1, j0, j1, scratch)`:
 * for batches b0 ≤ t < b1, rows i0 ≤ i < i1 and columns j0 ≤ j < j1 of C,
 * C[t·sC + i·ldc + j] = Σ_{p<k} A[t·sA + i·rsA + p·csA] · B[t·sB + p·rsB + j·csB]
 * (a, b, c, scratch: byte addresses; strides in f32 elements; scratch: gemmScratchBytes(cfg) bytes).
 * With an epilogue hook its parameters follow `scratch`, and each finished block of C gets it.
 */
export function buildGemmModule(opts: {
  shared: boolean;
  config?: GemmConfig;
  epilogue?: GemmEpilogueHook;
}): Uint8Array<ArrayBuffer> {
  const cfg = opts.config ?? DEFAULT_GEMM_CONFIG;
  checkGemmConfig(cfg);
  // minPages 0 and no (or the largest) maximum: the import links against any memory.
  const m = new ModuleBuilder(
    opts.shared ? { shared: true, minPages: 0, maxPages: 65536 } : { shared: false, minPages: 0 },
  );
  const epi = opts.epilogue;
  epi?.declare(m);
  const i32x6 = ["i32", "i32", "i32", "i32", "i32", "i32"] as const;
  const micro = m.func(i32x6, [], (c) => emitMicro(c, cfg));
  const edge = m.func(i32x6, [], (c) => emitEdge(c, cfg));
  const packA = m.func(i32x6, [], (c) => emitPack(c, cfg.mr, false));
  const packB = m.func(i32x6, [], (c) => emitPack(c, cfg.nr, true));
  const params = new Array<"i32">(19 + (epi?.params ?? 0)).fill("i32");
  m.func(
    params,
    [],
    (c) => {
      const [a, b, cc, k, rsA, csA, rsB, csB, ldc, sA, sB, sC, b0, b1, i0, i1, j0, j1, scratch] = params.map(
        (_, i) => i,
      );
      const epiParams = params.slice(19).map((_, i) => 19 + i);
      const [rEnd, cEnd] = epi === undefined ? [-1, -1] : [c.local("i32"), c.local("i32")];
      const t = c.local("i32"),
        aT = c.local("i32"),
        bT = c.local("i32"),
        cT = c.local("i32");
      const jc = c.local("i32"),
        pc = c.local("i32"),
        ic = c.local("i32"),
        jr = c.local("i32"),
        ir = c.local("i32");
      const nc = c.local("i32"),
        kc = c.local("i32"),
        mc = c.local("i32"),
        tmp = c.local("i32"),
        tmp2 = c.local("i32");
      const ap = c.local("i32"),
        bp = c.local("i32"),
        tile = c.local("i32"),
        cPtr = c.local("i32"),
        acc = c.local("i32");
      const rows = c.local("i32"),
        cols = c.local("i32"),
        ldcB = c.local("i32"),
        NC = c.local("i32"),
        KC = c.local("i32"),
        MC = c.local("i32");
      const pA = c.local("i32"),
        pB = c.local("i32");
      // Strides to bytes.
      for (const s of [rsA, csA, rsB, csB, ldc, sA, sB, sC]) c.get(s).i32(2).op(SHL).set(s);
      c.get(ldc).set(ldcB);
      c.i32(cfg.nc).set(NC);
      c.i32(cfg.kc).set(KC);
      c.i32(cfg.mc).set(MC);
      c.get(scratch).set(ap);
      c.get(scratch)
        .i32(4 * cfg.mc * cfg.kc)
        .op(ADD)
        .set(bp);
      c.get(bp)
        .i32(4 * cfg.kc * cfg.nc)
        .op(ADD)
        .set(tile);
      // Empty ranges do nothing.
      c.get(i1).get(i0).op(GT_S).get(j1).get(j0).op(GT_S).op(0x71).op(EQZ).if().op(0x0f).end();
      forLt(
        c,
        t,
        () => c.get(b0),
        { local: b1 },
        1,
        () => {
          c.get(a).get(t).get(sA).op(MUL).op(ADD).set(aT);
          c.get(b).get(t).get(sB).op(MUL).op(ADD).set(bT);
          c.get(cc).get(t).get(sC).op(MUL).op(ADD).set(cT);
          // k = 0: C = 0 (an empty sum); the edge routine writes zeros from a zeroed tile.
          c.get(k).op(EQZ).if();
          forLt(
            c,
            tmp,
            () => c.i32(0),
            cfg.mr * cfg.nr,
            1,
            () => {
              c.get(tile).get(tmp).i32(2).op(SHL).op(ADD).f32(0).mem(F32_STORE, 2);
            },
          );
          forLt(
            c,
            ir,
            () => c.get(i0),
            { local: i1 },
            cfg.mr,
            () => {
              forLt(
                c,
                jr,
                () => c.get(j0),
                { local: j1 },
                cfg.nr,
                () => {
                  c.get(i1).get(ir).op(SUB).set(tmp);
                  c.i32(cfg.mr).set(tmp2);
                  minLocals(c, tmp, tmp2);
                  c.set(rows);
                  c.get(j1).get(jr).op(SUB).set(tmp);
                  c.i32(cfg.nr).set(tmp2);
                  minLocals(c, tmp, tmp2);
                  c.set(cols);
                  c.get(cT).get(ir).get(ldcB).op(MUL).op(ADD).get(jr).i32(2).op(SHL).op(ADD).set(cPtr);
                  c.get(tile).get(cPtr).get(ldcB).get(rows).get(cols).i32(0).call(edge);
                },
              );
            },
          );
          epi?.emitBlock(c, { t, r0: i0, r1: i1, j0, j1, params: epiParams });
          c.end();
          forLt(
            c,
            jc,
            () => c.get(j0),
            { local: j1 },
            { local: NC },
            () => {
              c.get(j1).get(jc).op(SUB).set(tmp);
              minLocals(c, tmp, NC);
              c.set(nc);
              forLt(
                c,
                pc,
                () => c.i32(0),
                { local: k },
                { local: KC },
                () => {
                  c.get(k).get(pc).op(SUB).set(tmp);
                  minLocals(c, tmp, KC);
                  c.set(kc);
                  c.get(pc).op(EQZ).op(EQZ).set(acc);
                  // Pack B[pc:pc+kc, jc:jc+nc] into NR-column panels.
                  c.get(bT).get(pc).get(rsB).op(MUL).op(ADD).get(jc).get(csB).op(MUL).op(ADD);
                  c.get(csB).get(rsB).get(nc).get(kc).get(bp).call(packB);
                  forLt(
                    c,
                    ic,
                    () => c.get(i0),
                    { local: i1 },
                    { local: MC },
                    () => {
                      c.get(i1).get(ic).op(SUB).set(tmp);
                      minLocals(c, tmp, MC);
                      c.set(mc);
                      // Pack A[ic:ic+mc, pc:pc+kc] into MR-row panels.
                      c.get(aT).get(ic).get(rsA).op(MUL).op(ADD).get(pc).get(csA).op(MUL).op(ADD);
                      c.get(rsA).get(csA).get(mc).get(kc).get(ap).call(packA);
                      forLt(
                        c,
                        jr,
                        () => c.i32(0),
                        { local: nc },
                        cfg.nr,
                        () => {
                          forLt(
                            c,
                            ir,
                            () => c.i32(0),
                            { local: mc },
                            cfg.mr,
                            () => {
                              c.get(cT)
                                .get(ic)
                                .get(ir)
                                .op(ADD)
                                .get(ldcB)
                                .op(MUL)
                                .op(ADD)
                                .get(jc)
                                .get(jr)
                                .op(ADD)
                                .i32(2)
                                .op(SHL)
                                .op(ADD)
                                .set(cPtr);
                              c.get(mc).get(ir).op(SUB).set(rows);
                              c.get(nc).get(jr).op(SUB).set(cols);
                              // A panel at ap + ir·kc·4, B panel at bp + jr·kc·4.
                              c.get(ap).get(ir).get(kc).op(MUL).i32(2).op(SHL).op(ADD).set(pA);
                              c.get(bp).get(jr).get(kc).op(MUL).i32(2).op(SHL).op(ADD).set(pB);
                              c.get(rows).i32(cfg.mr).op(GE_S).get(cols).i32(cfg.nr).op(GE_S).op(0x71).if();
                              c.get(pA).get(pB).get(cPtr).get(ldcB).get(kc).get(acc).call(micro);
                              c.else();
                              c.get(pA)
                                .get(pB)
                                .get(tile)
                                .i32(4 * cfg.nr)
                                .get(kc)
                                .i32(0)
                                .call(micro);
                              c.i32(cfg.mr).set(tmp2);
                              minLocals(c, rows, tmp2);
                              c.set(rows);
                              c.i32(cfg.nr).set(tmp2);
                              minLocals(c, cols, tmp2);
                              c.set(cols);
                              c.get(tile).get(cPtr).get(ldcB).get(rows).get(cols).get(acc).call(edge);
                              c.end();
                            },
                          );
                        },
                      );
                      if (epi !== undefined) {
                        // The last k block finished this mc × nc block of C: apply the epilogue now.
                        c.get(k).get(pc).op(SUB).get(KC).op(LE_S).if();
                        c.get(ic).get(mc).op(ADD).set(rEnd);
                        c.get(jc).get(nc).op(ADD).set(cEnd);
                        epi.emitBlock(c, { t, r0: ic, r1: rEnd, j0: jc, j1: cEnd, params: epiParams });
                        c.end();
                      }
                    },
                  );
                },
              );
            },
          );
        },
      );
    },
    "gemm",
  );
  return m.bytes();
}

/** f32x4.relaxed_madd validates on this engine (relaxed SIMD; Node 20 needs --experimental-wasm-relaxed-simd). */
export function hasRelaxedSimd(): boolean {
  const m = new ModuleBuilder({ shared: false, minPages: 1 });
  m.func(
    [],
    ["v128"],
    (c) => {
      const z = (): void => void c.simd(V128_CONST, ...new Array<number>(16).fill(0));
      z();
      z();
      z();
      c.simd(F32X4_RELAXED_MADD);
    },
    "f",
  );
  return WebAssembly.validate(m.bytes());
}
