/**
 * WebAssembly SIMD code for gathers and scatter-adds of whole blocks ("rows"): a table of byte
 * offsets, one per row (−1: skip the row), says where each row of the dense side starts on the
 * indexed side. The indexed side is the operand of a gather (rows are copied out of it) or the
 * result of a scatter-add (rows are added into it). Rows are handled in table order and each row
 * front to back, so repeated offsets accumulate in the order the reference kernel applies them.
 *
 * Exports (all arguments i32 byte addresses / counts):
 * - `gather(src, dst, table, rows, rowBytes)`: dst row r ← src[table[r] .. + rowBytes) (rows with
 *   −1 are left untouched for the caller to fill); 16-byte moves, then 4-byte, then single bytes.
 * - `scatter(dst, src, table, rows, rowBytes)`: dst[table[r] .. + rowBytes) ← src row r, in row
 *   order (a later row wins, as in the reference).
 * - `addF32(dst, upd, table, rows, rowElems)`: dst[table[r] ..] += upd row r, float32 lanes
 *   (f32x4.add: IEEE float32 sums, the same as the reference's float64 sum rounded to float32).
 * - `addI32(dst, upd, table, rows, rowElems)`: the same in wrapping 32-bit integer lanes.
 */
import { type Code, ModuleBuilder } from "./emitter.ts";
import { MAX_PAGES } from "./heap.ts";
import { OP, SIMD, whileLoop } from "./simd-ops.ts";

const I32_LOAD8_U = 0x2d;
const I32_STORE8 = 0x3a;
const F32_ADD = 0x92;

export type GatherRowsFn = (src: number, dst: number, table: number, rows: number, rowBytes: number) => void;
export type AddRowsFn = (dst: number, upd: number, table: number, rows: number, rowElems: number) => void;

/** `for (r = 0; r < rows; r++) { s = table[r]; body(s) }` with `s` left in a local. */
function eachRow(c: Code, table: number, rows: number, body: (s: number, r: number) => void): void {
  const r = c.local("i32");
  const s = c.local("i32");
  c.i32(0).set(r);
  whileLoop(
    c,
    () => c.get(r).get(rows).op(OP.i32LtS),
    () => {
      c.get(table).get(r).i32(2).op(OP.i32Shl).op(OP.i32Add).mem(OP.i32Load, 2).set(s);
      body(s, r);
      c.get(r).i32(1).op(OP.i32Add).set(r);
    },
  );
}

/**
 * gather (`scatter` false): dst row r ← indexed[table[r] ..]; scatter: indexed[table[r] ..] ← src
 * row r. Parameters (indexed, dense, table, rows, rowBytes).
 */
function emitCopy(c: Code, scatter: boolean): void {
  const [indexed, dense, table, rows, rowBytes] = [0, 1, 2, 3, 4];
  const p = c.local("i32");
  const q = c.local("i32");
  const left = c.local("i32");
  const row = c.local("i32");
  c.get(dense).set(row);
  eachRow(c, table, rows, (s) => {
    c.get(s).i32(0).op(OP.i32GeS).if();
    // p: where bytes are read, q: where they are written.
    c.get(indexed)
      .get(s)
      .op(OP.i32Add)
      .set(scatter ? q : p);
    c.get(row).set(scatter ? p : q);
    c.get(rowBytes).set(left);
    // Moves of 16, then 4, then 1 byte while that many are left.
    for (const [width, load, store] of [
      [16, () => c.get(p).simdMem(SIMD.load, 0), () => c.simdMem(SIMD.store, 0)],
      [4, () => c.get(p).mem(OP.i32Load, 0), () => c.mem(OP.i32Store, 0)],
      [1, () => c.get(p).mem(I32_LOAD8_U, 0), () => c.mem(I32_STORE8, 0)],
    ] as const) {
      whileLoop(
        c,
        () => c.get(left).i32(width).op(OP.i32GeS),
        () => {
          c.get(q);
          load();
          store();
          c.get(p).i32(width).op(OP.i32Add).set(p);
          c.get(q).i32(width).op(OP.i32Add).set(q);
          c.get(left).i32(width).op(OP.i32Sub).set(left);
        },
      );
    }
    c.end();
    c.get(row).get(rowBytes).op(OP.i32Add).set(row);
  });
}

function emitAdd(c: Code, float: boolean): void {
  const [dst, upd, table, rows, rowElems] = [0, 1, 2, 3, 4];
  const p = c.local("i32");
  const u = c.local("i32");
  const left = c.local("i32");
  const row = c.local("i32");
  c.get(upd).set(row);
  eachRow(c, table, rows, (s) => {
    c.get(s).i32(0).op(OP.i32GeS).if();
    c.get(dst).get(s).op(OP.i32Add).set(p);
    c.get(row).set(u);
    c.get(rowElems).set(left);
    whileLoop(
      c,
      () => c.get(left).i32(4).op(OP.i32GeS),
      () => {
        c.get(p)
          .get(p)
          .simdMem(SIMD.load, 0)
          .get(u)
          .simdMem(SIMD.load, 0)
          .simd(float ? SIMD.f32x4Add : SIMD.i32x4Add)
          .simdMem(SIMD.store, 0);
        c.get(p).i32(16).op(OP.i32Add).set(p);
        c.get(u).i32(16).op(OP.i32Add).set(u);
        c.get(left).i32(4).op(OP.i32Sub).set(left);
      },
    );
    whileLoop(
      c,
      () => c.get(left),
      () => {
        if (float) c.get(p).get(p).mem(OP.f32Load, 0).get(u).mem(OP.f32Load, 0).op(F32_ADD).mem(OP.f32Store, 0);
        else c.get(p).get(p).mem(OP.i32Load, 0).get(u).mem(OP.i32Load, 0).op(OP.i32Add).mem(OP.i32Store, 0);
        c.get(p).i32(4).op(OP.i32Add).set(p);
        c.get(u).i32(4).op(OP.i32Add).set(u);
        c.get(left).i32(1).op(OP.i32Sub).set(left);
      },
    );
    c.end();
    c.get(row).get(rowElems).i32(2).op(OP.i32Shl).op(OP.i32Add).set(row);
  });
}

/** The module with `gather`, `scatter`, `addF32` and `addI32`. */
export function buildCopyRowsModule(shared: boolean): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(
    shared ? { shared: true, minPages: 0, maxPages: MAX_PAGES } : { shared: false, minPages: 0 },
  );
  const sig = ["i32", "i32", "i32", "i32", "i32"] as const;
  m.func(sig, [], (c) => emitCopy(c, false), "gather");
  m.func(sig, [], (c) => emitCopy(c, true), "scatter");
  m.func(sig, [], (c) => emitAdd(c, true), "addF32");
  m.func(sig, [], (c) => emitAdd(c, false), "addI32");
  return m.bytes();
}
