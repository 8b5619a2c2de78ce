/**
 * Higher-order eqns inside a compiled WebGPU program that run as compiled sub-programs instead of
 * eagerly on borrowed views (executor.ts):
 *
 * - `scan` (and so `foriLoop` with static bounds, `lax.map`, the chunk loop of Mamba's selective
 *   scan): its body is compiled once; a call encodes `length` iterations into the open command
 *   encoder — per iteration, each xs operand's slice is copied out of the stacked operand
 *   (slices along the leading axis are contiguous bytes), the body's steps are encoded with the
 *   carry buffers of the previous iteration, and each y is copied into its row of the stacked
 *   output. No host read, no JS work per element; the carries ping-pong through the pool.
 * - `jit` and `remat` calls: their jaxpr compiled as a sub-program (no extra submit, temps from
 *   the same pool), rather than a nested executable that owns arrays and submits on its own.
 *
 * `whileLoop` stays a routine: its predicate would have to be read on the host; its impl raises
 * its clear error for GPU predicates.
 */
import type { Jaxpr, ShapedArray, lax } from "@linax-ts/core";
import type { WebGPUBackend } from "../backend.ts";
import { storageBytes } from "../storage.ts";

/** A GPU buffer the caller owns, and whether it goes back to the pool when released. */
export interface Owned {
  readonly gpu: GPUBuffer;
  readonly pooled: boolean;
}

/** Something that encodes work on GPU buffers and returns fresh owned outputs (a compiled program). */
export interface GpuRunner {
  run(inputs: readonly GPUBuffer[]): Owned[];
  /** Dispatches encoded by the last `run`. */
  readonly lastDispatches: number;
}

/** Compiles a jaxpr to a runner, or says why not. */
export type CompileBody = (jaxpr: Jaxpr) => GpuRunner | string;

const bytesOf = (a: ShapedArray): number => a.size * storageBytes(a.dtype);
/** copyBufferToBuffer wants multiples of 4 bytes (every storage element is 4 or 8 bytes). */
const copyBytes = (n: number): number => Math.ceil(n / 4) * 4;

/** `jit` / `remat` as a compiled sub-program; a string when it has none. */
export function buildCall(params: Readonly<Record<string, unknown>>, compileBody: CompileBody): GpuRunner | string {
  const cj = params.jaxpr as { jaxpr: Jaxpr; consts: readonly unknown[] } | undefined;
  if (cj === undefined || cj.consts.length > 0) return "a call with consts";
  return compileBody(cj.jaxpr);
}

/** A scan whose body is a compiled program, run as a loop of its dispatches. */
export class ScanLoop implements GpuRunner {
  lastDispatches = 0;
  private constructor(
    private readonly be: WebGPUBackend,
    private readonly p: lax.ScanParams,
    private readonly body: GpuRunner,
    /** Avals of the scan's operands (consts, carries, stacked xs) and outputs (carries, stacked ys). */
    private readonly inAvals: readonly ShapedArray[],
    private readonly outAvals: readonly ShapedArray[],
  ) {}

  static build(
    be: WebGPUBackend,
    params: Readonly<Record<string, unknown>>,
    inAvals: readonly ShapedArray[],
    outAvals: readonly ShapedArray[],
    compileBody: CompileBody,
  ): ScanLoop | string {
    const p = params as unknown as lax.ScanParams;
    if (p.jaxpr.consts.length > 0) return "a scan body with consts";
    const body = compileBody(p.jaxpr.jaxpr);
    if (typeof body === "string") return body;
    return new ScanLoop(be, p, body, inAvals, outAvals);
  }

  run(inputs: readonly GPUBuffer[]): Owned[] {
    const { be, p } = this;
    const nC = p.numConsts;
    const nK = p.numCarry;
    const consts = inputs.slice(0, nC);
    const xs = inputs.slice(nC + nK);
    const xAvals = this.inAvals.slice(nC + nK);
    const xBytes = xAvals.map((a) => bytesOf(a) / Math.max(1, p.length));
    const yAvals = this.outAvals.slice(nK);
    const yBytes = yAvals.map((a) => bytesOf(a) / Math.max(1, p.length));
    // Stacked ys: written row by row; every row is written, so no initialisation is needed.
    const ys = yAvals.map((a) => be.pool.acquire(Math.max(4, bytesOf(a))));
    let carry: Owned[] | null = null;
    const init = inputs.slice(nC, nC + nK);
    this.lastDispatches = 0;
    for (let step = 0; step < p.length; step++) {
      const t = p.reverse ? p.length - 1 - step : step;
      const enc = be.commandEncoder();
      const slices = xs.map((x, k) => {
        const s = be.pool.acquire(Math.max(4, xBytes[k]));
        if (xBytes[k] > 0) enc.copyBufferToBuffer(x, t * xBytes[k], s, 0, copyBytes(xBytes[k]));
        return s;
      });
      const outs = this.body.run([...consts, ...(carry === null ? init : carry.map((c) => c.gpu)), ...slices]);
      this.lastDispatches += this.body.lastDispatches;
      // The body may have flushed (every 256 dispatches): take the encoder anew.
      const enc2 = be.commandEncoder();
      outs.slice(nK).forEach((y, k) => {
        if (yBytes[k] > 0) enc2.copyBufferToBuffer(y.gpu, 0, ys[k], t * yBytes[k], copyBytes(yBytes[k]));
        be.releaseGpu(y.gpu, y.pooled);
      });
      for (const s of slices) be.pool.release(s);
      if (carry !== null) for (const c of carry) be.releaseGpu(c.gpu, c.pooled);
      carry = outs.slice(0, nK);
    }
    if (carry === null) {
      // length 0: the carries come out as they went in (copied: the caller owns its outputs).
      const enc = be.commandEncoder();
      carry = init.map((g, k) => {
        const n = bytesOf(this.inAvals[nC + k]);
        const c = be.pool.acquire(Math.max(4, n));
        if (n > 0) enc.copyBufferToBuffer(g, 0, c, 0, copyBytes(n));
        return { gpu: c, pooled: true };
      });
    }
    return [...carry, ...ys.map((gpu) => ({ gpu, pooled: true }))];
  }
}
