/**
 * Reductions four outputs at a time: when the innermost output axis is contiguous in every load
 * (a sum over the batch of [B, L, H] → [L, H], a bias gradient, a max over rows …), four adjacent
 * outputs accumulate side by side in two f64x2 registers. Each output still adds its own values
 * in the input's order, in float64, rounded once at the end — the scalar path's (and the
 * reference's) arithmetic lane by lane, so results are bit-identical; only the loads and the
 * elementwise prologue run four wide.
 */
import type { compile } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";
import type { IndexRenderer, LoopGroup } from "./loop-nest.ts";
import { loop, type BodyWriter, type Expr } from "./kernel-body.ts";
import { f32Bytes, i32Bytes, lanes } from "./scalar-ops.ts";
import { emitVectorOp } from "./vector-op.ts";

/** How many reduction kernels were rendered four outputs at a time (a diagnostic the tests read). */
export const outputLanesStats = { kernels: 0 };

const f64x2Bytes = (x: number): number[] => {
  const b = [...new Uint8Array(new Float64Array([x]).buffer)];
  return [...b, ...b];
};

/**
 * Whether a float32 sum/max/min can run four outputs at a time along output group `go`: every
 * load walks that group's counter with coefficient 1 (contiguous, provably in bounds) or 0 (the
 * same value for the four), no index or bool-load nodes, no complex ops.
 */
export function outputLanesPlan(
  k: compile.ReduceKernel,
  nodes: readonly Expr[],
  body: BodyWriter,
  idx: IndexRenderer,
  go: number,
  groups: readonly LoopGroup[],
): boolean {
  if (
    k.output.dtype !== "float32" ||
    k.output.values.length !== 1 ||
    !(k.op === "sum" || k.op === "max" || k.op === "min")
  )
    return false;
  if (groups[go].extent < 4) return false;
  for (const e of nodes) {
    if (e.kind === "index") return false;
    if (e.kind === "op" && (e.op === "cmul.re" || e.op === "cmul.im")) return false;
    if (e.kind === "load") {
      if (e.type === "bool") return false;
      const coef = idx.coefficientOf(e.index, go);
      if (coef === 0) continue;
      if (coef !== 1 || !body.inBounds(e.buffer, e.index)) return false;
    }
  }
  return true;
}

/**
 * The vector loop over output group `go`'s counter `w` from its current value up to the last
 * multiple of four before `end` (a local): per four outputs, the reduction loops (the groups
 * after `go`) evaluate every node four wide and accumulate; then the four results are stored at
 * output index `o` (advanced by 4). The caller's scalar loop finishes the tail.
 */
export function renderOutputLanes(
  c: Code,
  k: compile.ReduceKernel,
  nodes: readonly Expr[],
  body: BodyWriter,
  idx: IndexRenderer,
  groups: readonly LoopGroup[],
  counters: readonly number[],
  go: number,
  w: number,
  end: number,
  o: number,
  outPtr: number,
): void {
  outputLanesStats.kernels++;
  const end4 = c.local("i32");
  c.get(w).get(end).get(w).op(0x6b).i32(-4).op(0x71).op(0x6a).set(end4);
  const acc = [c.local("v128"), c.local("v128")];
  const vecs = new Map<number, number>(nodes.map((e) => [e.id, c.local("v128")]));
  const vec = (e: Expr): number => vecs.get(e.id)!;
  const init = k.op === "sum" ? 0 : k.op === "max" ? -Infinity : Infinity;
  const root = k.output.values[0];
  c.block().loop();
  c.get(w).get(end4).op(0x4e).brIf(1);
  for (const a of acc) c.simd(0x0c, ...f64x2Bytes(init)).set(a);
  const red = (g: number): void => {
    if (g < groups.length) return loop(c, counters[g], 0, groups[g].extent, 1, () => red(g + 1));
    for (const e of nodes) {
      const l = vec(e);
      if (e.kind === "load") {
        body.address(e.buffer, e.index, e.type);
        if (idx.coefficientOf(e.index, go) === 1) c.simdMem(0x00, 2);
        else c.simdMem(0x09, 2); // v128.load32_splat: one value for the four outputs
        c.set(l);
      } else if (e.kind === "const") {
        c.simd(
          0x0c,
          ...lanes(
            e.type === "f32" ? f32Bytes(e.value) : i32Bytes(e.type === "bool" ? -(e.value !== 0 ? 1 : 0) : e.value),
          ),
        ).set(l);
      } else if (e.kind === "op") emitVectorOp(c, body, e, vec, l);
    }
    // acc ⊕= the four values, widened exactly: lanes 0–1 into acc[0], 2–3 into acc[1].
    acc.forEach((a, half) => {
      const v = c.local("v128");
      c.get(vec(root));
      if (half === 1) c.get(vec(root)).simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
      c.simd(0x5f).set(v); // f64x2.promote_low_f32x4
      if (k.op === "sum") c.get(a).get(v).simd(0xf0).set(a);
      else {
        // acc = (acc is not NaN) && (v is NaN || v ⋛ acc) ? v : acc — the scalar path's choice per lane.
        c.get(v).get(a);
        c.get(a).get(a).simd(0x47); // acc == acc
        c.get(v).get(v).simd(0x48); // v != v
        c.get(v)
          .get(a)
          .simd(k.op === "max" ? 0x4a : 0x49); // v > acc / v < acc
        c.simd(0x50).simd(0x4e); // (v≠v | cmp) & (acc=acc)
        c.simd(0x52).set(a); // bitselect(v, acc, mask)
      }
    });
  };
  red(go + 1);
  // Round each sum once and store the four outputs.
  c.get(outPtr).get(o).i32(2).op(0x74).op(0x6a);
  c.get(acc[0]).simd(0x5e).get(acc[1]).simd(0x5e);
  c.simd(0x0d, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  c.simdMem(0x0b, 2);
  c.get(o).i32(4).op(0x6a).set(o);
  c.get(w).i32(4).op(0x6a).set(w).br(0);
  c.end().end();
}
