/**
 * The scatter family — scatter (set), scatterAdd, scatterMul, scatterMin, scatterMax — with XLA
 * dimension numbers (inserted, window and batching dims) and modes ("clip" clamps a window into
 * range; "fill" and "promise_in_bounds" drop an out-of-bounds window), matching the CPU kernel
 * bit for bit, including its update order (row-major order of `updates`).
 *
 * Two strategies, both deterministic:
 *  - set and the order-insensitive combiners (int32/uint32/bool, float32 min/max): u32 atomics,
 *    O(N + U) for N operand and U update elements (indexing-scatter-atomic.ts);
 *  - the order-sensitive ones (float32 + and ×: rounding; complex64: rounding, and NaN ties of
 *    the lexicographic min/max) must fold colliding updates in the CPU's order, and WGSL has no
 *    float atomics. Small scatters (N·B <= scatterTuning.scanLimit, B index vectors): one thread
 *    per OUTPUT element scans every index vector and folds the updates whose window covers its
 *    element in increasing flat update index — in scan order when the updates' scatter axes
 *    precede their window axes, else re-scanning for the next-larger index each step; cost per
 *    element O(B·r) (r = operand rank), times (1 + m) when re-scanning, m = updates covering it.
 *    Large ones: per-element update lists built with atomicExchange, folded in flat-index order
 *    (indexing-scatter-atomic.ts), O(N + U + Σ m²) — worst when many updates pile onto one element.
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, strides, unravel } from "../program.ts";
import { copyProgram, inWords, outWords, wordType } from "./shape.ts";
import { windowStart } from "./indexing-walk.ts";
import { combineExpr, orderSensitive, WGSL_WORD_FLOAT, type Combine } from "./indexing-combine.ts";
import { atomicScatterProgram, listScatterProgram } from "./indexing-scatter-atomic.ts";

/**
 * Order-sensitive scatters scan every index vector per output element while N·B (operand
 * elements × index vectors) is at most `scanLimit`, and use per-element update lists beyond
 * (indexing-scatter-atomic.ts): the scan is cheaper when updates pile onto few elements, the
 * lists when they spread. Mutable so that tests can force either path.
 */
export const scatterTuning = { scanLimit: 1 << 22 };

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

function scatterKernel(kind: Combine) {
  return (
    [op, ind, upd]: readonly ShapedArray[],
    [o]: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ) => {
    const { dimensionNumbers: dn, mode } = params as unknown as lax.ScatterParams;
    // No updates: the operand, unchanged (an empty buffer is not bound: see shape-slicing's pad).
    if (upd.size === 0) return copyProgram(op, o);
    if (o.size === 0) return { passes: [] };
    if (kind === "set" || !orderSensitive(kind, o.dtype))
      return atomicScatterProgram(kind, op, ind, upd, o, params as unknown as lax.ScatterParams);
    const T = wordType(o.dtype);
    const combine = `${WGSL_WORD_FLOAT}\nfn comb(a: ${T}, b: ${T}) -> ${T} { return ${combineExpr(kind, o.dtype)}; }`;
    const batchShape = ind.shape.slice(0, -1);
    const nBatch = batchShape.reduce((a, b) => a * b, 1);
    if (o.size * nBatch > scatterTuning.scanLimit)
      return listScatterProgram(op, ind, upd, o, params as unknown as lax.ScatterParams, combine);
    const uwd = dn.updateWindowDims;
    const windowDims = range(op.ndim).filter(
      (d) => !dn.insertedWindowDims.includes(d) && !dn.operandBatchingDims.includes(d),
    );
    const scatterPos = range(upd.ndim).filter((d) => !uwd.includes(d));
    const windowSize = op.shape.map(() => 1);
    windowDims.forEach((d, w) => (windowSize[d] = upd.shape[uwd[w]]));
    const updStr = strides(upd.shape);

    // hit(b, o...): the flat index of the update that index vector b lands on output element o,
    // or NONE (its window misses o, or was dropped out of bounds).
    const ws = windowStart({
      opShape: op.shape,
      ind,
      batchCoords: batchShape.map((_, j) => `bc${j}`),
      indexMap: dn.scatterDimsToOperandDims,
      operandBatchingDims: dn.operandBatchingDims,
      indicesBatchingDims: dn.scatterIndicesBatchingDims,
      windowSize,
      clip: mode === "clip",
      prefix: "t",
    });
    // Offsets wrap below the window start, so `< size` checks both ends.
    const offs = op.shape.map((_, d) => `  let w${d}: u32 = o${d} - t${d};`).join("\n");
    const inside = [ws.ok, ...op.shape.map((_, d) => `w${d} < ${windowSize[d]}u`)].join(" && ");
    const uTerms = [
      ...scatterPos.map((p, j) => `bc${j} * ${updStr[p]}u`),
      ...uwd.map((p, w) => `w${windowDims[w]} * ${updStr[p]}u`),
    ];
    const oParams = op.shape.map((_, d) => `, o${d}: u32`).join("");
    const oArgs = op.shape.map((_, d) => `, idx${d}`).join("");
    const hit = [
      `const NONE: u32 = 0xffffffffu;`,
      `fn hit(b: u32${oParams}) -> u32 {`,
      unravel(batchShape, "b", "bc"),
      ws.lines,
      offs,
      `  if (!(${inside})) { return NONE; }`,
      `  return ${uTerms.join(" + ") || "0u"};`,
      `}`,
    ].join("\n");
    const scan = (stmt: string): string =>
      `  for (var b = 0u; b < ${nBatch}u; b++) {\n    let u = hit(b${oArgs});\n    ${stmt}\n  }`;

    const prelude = `${hit}\n${combine}`;
    // Scan order is flat update order when no window axis of size > 1 precedes a scatter axis of
    // size > 1 in the updates' axes (flat index = batch index · window size + offset).
    const big = (d: number): boolean => upd.shape[d] > 1;
    const lastScatter = Math.max(-1, ...scatterPos.filter(big));
    let body: string;
    if (uwd.filter(big).every((d) => d > lastScatter))
      body = `  var acc = op[i];\n${scan("if (u != NONE) { acc = comb(acc, upd[u]); }")}\n  out[i] = acc;`;
    else {
      body = [
        `  var acc = op[i];`,
        `  var last = 0u;`,
        `  var started = false;`,
        `  loop {`,
        `    var best = NONE;`,
        scan("if (u != NONE && (!started || u > last) && u < best) { best = u; }").replace(/^/gm, "  "),
        `    if (best == NONE) { break; }`,
        `    acc = comb(acc, upd[best]);`,
        `    last = best;`,
        `    started = true;`,
        `  }`,
        `  out[i] = acc;`,
      ].join("\n");
    }
    const decls = [
      inWords("op", 0, op),
      { name: "ind", slot: { in: 1 }, type: "u32" },
      inWords("upd", 2, upd),
      outWords(o),
    ];
    return simpleProgram(decls, o.size, `${unravel(o.shape, "i")}\n${body}`, prelude);
  };
}

registerKernel("scatter", scatterKernel("set"));
registerKernel("scatterAdd", scatterKernel("add"));
registerKernel("scatterMul", scatterKernel("mul"));
registerKernel("scatterMin", scatterKernel("min"));
registerKernel("scatterMax", scatterKernel("max"));
