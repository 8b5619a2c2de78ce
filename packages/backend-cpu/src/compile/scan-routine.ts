/**
 * `scan` on the CPU with its body compiled once: the body jaxpr becomes a compiled program
 * (fused WebAssembly kernels) run `length` times, reading each step's slice of the stacked inputs
 * in place in the heap and copying each step's outputs into the stacked results. The reference
 * impl instead interprets the body op by op at every step.
 */
import { registerCacheClearer, type lax, type ShapedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { CpuExecutable } from "./executable.ts";

const bytesOf = (a: ShapedArray): number =>
  (a.dtype === "complex64" ? 8 : a.dtype === "bool" ? 1 : a.dtype === "float16" || a.dtype === "bfloat16" ? 2 : 4) *
  a.size;

let bodies = new WeakMap<object, CpuExecutable>();
registerCacheClearer(() => (bodies = new WeakMap()));

/** Run a scan eqn; `ins` = consts, carry init, stacked xs (the caller keeps them); returns owned buffers. */
export function scanRoutine(
  be: CpuBackend,
  ins: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  p: lax.ScanParams,
): CpuBuffer[] {
  let body = bodies.get(p.jaxpr);
  if (body === undefined) bodies.set(p.jaxpr, (body = new CpuExecutable(be, p.jaxpr.jaxpr)));
  const nC = p.numConsts;
  const nK = p.numCarry;
  const consts = ins.slice(0, nC);
  const init = ins.slice(nC, nC + nK);
  const xs = ins.slice(nC + nK);
  const xAvals = inAvals.slice(nC + nK);
  const yAvals = outAvals.slice(nK);
  const heap = be.heap;
  // Stacked inputs in the heap; a step's slice is a borrowed handle at an offset.
  const temps: number[] = [];
  const xPtr = xs.map((x) => {
    const had = x.ptr;
    const ptr = be.heapAddress(x);
    if (had === 0 && x.ptr !== ptr) temps.push(ptr);
    return ptr;
  });
  const ys = yAvals.map((a) => be.allocHeap(a.dtype, a.size));
  const yStep = yAvals.map((a) => bytesOf(a) / Math.max(1, p.length));
  const xStep = xAvals.map((a) => bytesOf(a) / Math.max(1, p.length));
  let carry: CpuBuffer[] = init;
  try {
    for (let step = 0; step < p.length; step++) {
      const i = p.reverse ? p.length - 1 - step : step;
      const xsAt = xs.map((x, k) => be.sliceHandle(x, xPtr[k] + i * xStep[k], xAvals[k].size / p.length));
      const outs = body.execute([...consts, ...carry, ...xsAt]) as CpuBuffer[];
      if (carry !== init) carry.forEach((c) => be.dispose(c));
      carry = outs.slice(0, nK);
      outs.slice(nK).forEach((y, k) => {
        const src = be.heapAddress(y);
        new Uint8Array(heap.memory.buffer, ys[k].ptr + i * yStep[k], yStep[k]).set(
          new Uint8Array(heap.memory.buffer, src, yStep[k]),
        );
        be.dispose(y);
      });
    }
  } finally {
    for (const t of temps) heap.free(t);
  }
  // The caller owns every output: a carry that never left init is copied.
  const finalCarry = carry === init ? init.map((c, k) => be.copyBuffer(c, outAvals[k])) : carry;
  return [...finalCarry, ...ys];
}
