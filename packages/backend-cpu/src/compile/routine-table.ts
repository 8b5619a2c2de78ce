/**
 * The CPU backend's fast routines, by primitive name: WebAssembly implementations of
 * non-fusible primitives (dotGeneral on the SIMD GEMM, scan with its body compiled once, …) that
 * `CpuBackend.execute` tries before the reference kernel when `jitCompile` is on. A routine returns
 * undefined for the cases it does not handle (a layout or dtype it has no fast path for); the
 * reference kernel then runs, so every entry is optional speed, never a change of semantics.
 *
 * One entry per primitive keeps `execute` free of per-primitive branches: a new routine is a new
 * file and one line here.
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import type { CpuBackend, CpuBuffer } from "../backend.ts";
import { dotGeneralWasm } from "./dot-routine.ts";
import { scanRoutine } from "./scan-routine.ts";
import { cumulativeRoutine } from "./routines/cumulative.ts";
import { gatherRoutine, scatterAddRoutine, scatterRoutine } from "./routines/indexing.ts";
import { convRoutine } from "./routines/conv.ts";

/** A fast routine: the outputs, or undefined where the reference kernel must run. */
export type CpuRoutine = (
  backend: CpuBackend,
  inputs: readonly CpuBuffer[],
  inAvals: readonly ShapedArray[],
  outAvals: readonly ShapedArray[],
  params: Readonly<Record<string, unknown>>,
) => CpuBuffer[] | undefined;

const routines = new Map<string, CpuRoutine>([
  ["scan", (be, ins, inAvals, outAvals, p) => scanRoutine(be, ins, inAvals, outAvals, p as unknown as lax.ScanParams)],
  ...(["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "linearRecurrence"] as const).map(
    (k) => [k, cumulativeRoutine(k)] as [string, CpuRoutine],
  ),
  ["gather", gatherRoutine],
  ["scatterAdd", scatterAddRoutine],
  ["scatter", scatterRoutine],
  ["convGeneralDilated", convRoutine],
  [
    "dotGeneral",
    (be, ins, inAvals, outAvals, p) => {
      const out = dotGeneralWasm(be, ins, inAvals, outAvals[0], p as unknown as lax.DotGeneralParams);
      return out === undefined ? undefined : [out];
    },
  ],
]);

/** The fast routine registered for a primitive name, if any. */
export function fastRoutine(name: string): CpuRoutine | undefined {
  return routines.get(name);
}
