/**
 * gather, with XLA/JAX dimension numbers (collapsed, offset and batching dims) and every mode:
 * "clip" / "promise_in_bounds" clamp the window start into range, "fill" writes `fillValue`
 * (JAX's defaults when null) over every element of an out-of-bounds window — as the CPU kernel.
 * One thread per output element; elements move as raw words (bit-exact for every dtype).
 * The scatter family is in indexing-scatter.ts (registered from here).
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, strides, unravel } from "../program.ts";
import { inWords, outWords, wordLiteral } from "./shape.ts";
import { windowStart } from "./indexing-walk.ts";
import "./indexing-scatter.ts";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** JAX's default fill values (NaN for inexact, the extreme integer, true for bool) unless given. */
function fillLiteral(a: ShapedArray, v: number | null): string {
  if (v !== null) return wordLiteral(a.dtype, v);
  const defaults = {
    float32: NaN,
    complex64: NaN,
    float16: NaN,
    bfloat16: NaN,
    int32: -2147483648,
    uint32: 4294967295,
    bool: 1,
  };
  return wordLiteral(a.dtype, defaults[a.dtype]);
}

registerKernel("gather", ([op, ind], [o], params) => {
  const { dimensionNumbers: dn, sliceSizes, mode, fillValue } = params as unknown as lax.GatherParams;
  const windowDims = range(op.ndim).filter(
    (d) => !dn.collapsedSliceDims.includes(d) && !dn.operandBatchingDims.includes(d),
  );
  const batchPos = range(o.ndim).filter((d) => !dn.offsetDims.includes(d));
  const ws = windowStart({
    opShape: op.shape,
    ind,
    batchCoords: batchPos.map((d) => `c${d}`),
    indexMap: dn.startIndexMap,
    operandBatchingDims: dn.operandBatchingDims,
    indicesBatchingDims: dn.startIndicesBatchingDims,
    windowSize: sliceSizes,
    clip: mode !== "fill",
    prefix: "t",
  });
  // An empty operand can still give a non-empty output (a collapsed axis of size 0): there is no
  // element to read (the CPU reads past its array), so every element is the fill value; the empty
  // buffer is not bound (its 4-byte placeholder is too small for complex64).
  if (op.size === 0) return simpleProgram([outWords(o)], o.size, `  out[i] = ${fillLiteral(o, fillValue)};`);
  const opStr = strides(op.shape);
  const terms = [
    ...op.shape.map((_, d) => `t${d} * ${opStr[d]}u`),
    ...dn.offsetDims.map((p, w) => `c${p} * ${opStr[windowDims[w]]}u`),
  ];
  const src = terms.join(" + ") || "0u";
  const body = [
    unravel(o.shape, "i", "c"),
    ws.lines,
    `  if (${ws.ok}) { out[i] = op[${src}]; } else { out[i] = ${fillLiteral(o, fillValue)}; }`,
  ].join("\n");
  return simpleProgram(
    [inWords("op", 0, op), { name: "ind", slot: { in: 1 }, type: "u32" }, outWords(o)],
    o.size,
    body,
  );
});
