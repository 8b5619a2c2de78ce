/**
 * The cumulative primitives (cumsum, cumprod, cummax, cummin, cumlogsumexp) and
 * `linearRecurrence` as WebAssembly SIMD routines (wasm/scan-lines.ts): sequential along the
 * scanned axis, SIMD across the contiguous elements after it. Same bits as the reference kernels
 * (kernels/cumulative.ts) — the generated code repeats their float64 running values, complex
 * formulas and integer wrapping operation for operation; tested in test/cumulative-routines.test.ts.
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../../backend.ts";
import { buildScanModule, scanSupported, type ScanFn, type ScanKind, type ScanSpec } from "../../wasm/scan-lines.ts";
import { prod, routineExports, withHeapAddresses } from "./wasm-cache.ts";

const IMPORTS = { exp: Math.exp, log1p: Math.log1p };

function scanFn(memory: WebAssembly.Memory, spec: ScanSpec): ScanFn {
  const key = `scan:${spec.kind}:${spec.dtype}:${spec.reverse ? 1 : 0}${spec.transposed ? 1 : 0}`;
  const ex = routineExports(
    memory,
    key,
    (shared) => buildScanModule(spec, shared),
    spec.kind === "cumlogsumexp" ? IMPORTS : {},
  );
  return ex.scan as ScanFn;
}

/**
 * The routine of one cumulative primitive (`kind`): the scan of `ins` along `params.axis`, or
 * undefined for a dtype the generator does not cover (the reference kernel runs).
 */
export function cumulativeRoutine(kind: ScanKind) {
  return (
    be: CpuBackend,
    ins: readonly CpuBuffer[],
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    params: Readonly<Record<string, unknown>>,
  ): CpuBuffer[] | undefined => {
    const x = inAvals[0];
    const out = outAvals[0];
    if (!scanSupported(kind, x.dtype) || out.dtype !== x.dtype) return undefined;
    if (kind === "linearRecurrence" && inAvals[1].dtype !== x.dtype) return undefined;
    const p = params as unknown as lax.LinearRecurrenceParams;
    const { axis } = p;
    if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim) return undefined;
    const spec: ScanSpec = {
      kind,
      dtype: x.dtype,
      reverse: p.reverse === true,
      transposed: kind === "linearRecurrence" && p.transposed === true,
    };
    const res = be.allocHeap(out.dtype, out.size);
    if (out.size === 0) return [res];
    const fn = scanFn(be.heap.memory, spec);
    const n = x.shape[axis];
    withHeapAddresses(be, ins.slice(0, kind === "linearRecurrence" ? 2 : 1), (ptrs) =>
      fn(ptrs[0], ptrs[1] ?? 0, res.ptr, prod(x.shape, 0, axis), n, prod(x.shape, axis + 1)),
    );
    return [res];
  };
}
