/**
 * WGSL code generation shared by gather and the scatter family: the operand window start that one
 * index vector selects, with XLA's dimension numbers (index map, operand/indices batching dims)
 * and out-of-bounds handling — the GPU twin of the CPU kernel's `makeWalk`
 * (backend-cpu/src/kernels/indexing.ts), whose semantics are the spec.
 */
import type { ShapedArray } from "@linax-ts/core";
import { strides } from "../program.ts";

export interface WindowStartSpec {
  readonly opShape: readonly number[];
  /** The indices' aval (int32 or uint32; the last axis is the index vector). */
  readonly ind: ShapedArray;
  /** WGSL u32 expressions of the coordinates of the index vector in `ind`'s batch axes. */
  readonly batchCoords: readonly string[];
  /** For each index-vector entry, the operand axis it starts. */
  readonly indexMap: readonly number[];
  readonly operandBatchingDims: readonly number[];
  readonly indicesBatchingDims: readonly number[];
  /** Window size per operand axis (1 on collapsed / inserted / batching axes). */
  readonly windowSize: readonly number[];
  /** Clamp out-of-bounds starts into range (true) or report them through `ok` (false: fill/drop). */
  readonly clip: boolean;
  /** Name prefix of the generated `let`s. */
  readonly prefix: string;
}

/**
 * WGSL statements defining `let {prefix}{d}: u32` — the window start on every operand axis d —
 * and `ok`, a WGSL bool expression that is false when the window is out of bounds (always "true"
 * when clipping). The indices buffer must be bound as raw `u32` words named `ind`.
 */
export function windowStart(s: WindowStartSpec): { lines: string; ok: string } {
  const { opShape, ind, batchCoords, indexMap, clip, prefix: p } = s;
  const k = ind.shape[ind.shape.length - 1];
  const idxStr = strides(ind.shape.slice(0, -1));
  const ib = batchCoords.map((c, j) => `${c} * ${idxStr[j] * k}u`).join(" + ") || "0u";
  const lines: string[] = [`  let ${p}b: u32 = ${ib};`];
  const oks: string[] = [];
  for (let d = 0; d < opShape.length; d++) {
    const j = indexMap.indexOf(d);
    const b = s.operandBatchingDims.indexOf(d);
    let v = "0u";
    if (j >= 0) {
      const w = `ind[${p}b + ${j}u]`;
      const hi = opShape[d] - s.windowSize[d];
      if (clip) v = ind.dtype === "uint32" ? `min(${w}, ${hi}u)` : `u32(clamp(bitcast<i32>(${w}), 0i, ${hi}i))`;
      else {
        // In bounds iff 0 <= start <= hi: a negative int32 start reads as a u32 >= 2^31 > hi.
        v = w;
        oks.push(`${p}${d} <= ${hi}u`);
      }
    } else if (b >= 0) {
      // Operand batching axes start at the matching indices batch coordinate (always in range).
      v = batchCoords[s.indicesBatchingDims[b]];
    }
    lines.push(`  let ${p}${d}: u32 = ${v};`);
  }
  return { lines: lines.join("\n"), ok: oks.length === 0 ? "true" : oks.join(" && ") };
}
