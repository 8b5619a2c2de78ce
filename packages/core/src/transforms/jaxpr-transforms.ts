/**
 * Transforms applied to whole jaxprs, for higher-order primitives (jit, scan, cond, …): the JVP
 * of a jaxpr, its batched version, and its transpose — each produced by tracing the ordinary
 * transform of `evalJaxpr` into a new jaxpr.
 */
import type { Array } from "../core/array.ts";
import type { ShapedArray } from "../core/aval.ts";
import { type ClosedJaxpr, evalJaxpr } from "../core/jaxpr.ts";
import { UndefinedPrimal, type AxisInfo, type BatchDim } from "../core/primitive.ts";
import { jvpFlat } from "./jvp.ts";
import { traceToJaxpr } from "./staging.ts";
import { backwardPass, tangentAval } from "./transpose.ts";
import { vmapFlatRaw } from "./vmap.ts";
import { moveBdim } from "../primitives/batching.ts";
import { zerosLikeAval } from "./zeros.ts";

/**
 * JVP of a jaxpr: the result takes (primals..., tangents...) and returns (primalsOut...,
 * tangentsOut...). Tangent inputs for `nonzeros[i] === false` are omitted.
 */
export function jvpJaxpr(cj: ClosedJaxpr, nonzeros: readonly boolean[]): ClosedJaxpr {
  const inAvals = cj.inAvals;
  const tanAvals = inAvals.filter((_, i) => nonzeros[i]).map(tangentAval);
  return traceToJaxpr(
    (...xs: Array[]) => {
      const n = inAvals.length;
      const primals = xs.slice(0, n);
      let k = n;
      const tangents = inAvals.map((_, i) => (nonzeros[i] ? xs[k++] : null));
      const [po, to] = jvpFlat((...ps) => evalJaxpr(cj.jaxpr, cj.consts, ps), primals, tangents);
      return [...po, ...(to as Array[])];
    },
    [...inAvals, ...tanAvals],
    "jvp",
    true,
  );
}

/** Aval of an input batched at `bdim` with `size`. */
export function batchedAval(a: ShapedArray, bdim: BatchDim, size: number): ShapedArray {
  if (bdim === null) return a;
  const s = [...a.shape];
  s.splice(bdim, 0, size);
  return a.withShape(s);
}

/**
 * Batch a jaxpr: inputs batched at `inDims`; outputs forced to batch dim 0 where `outBatched[i]`
 * (or all outputs if `outBatched` is true), else left unbatched when possible.
 * Returns the jaxpr and which outputs are batched (at axis 0).
 */
export function vmapJaxpr(
  cj: ClosedJaxpr,
  axis: AxisInfo,
  inDims: readonly BatchDim[],
  forceOut: readonly boolean[] | boolean = true,
): { jaxpr: ClosedJaxpr; outBatched: boolean[] } {
  let outBatched: boolean[] = [];
  const force = (i: number) => (typeof forceOut === "boolean" ? forceOut : forceOut[i]);
  const jaxpr = traceToJaxpr(
    (...xs: Array[]) => {
      const [outs, dims] = vmapFlatRaw((...ys) => evalJaxpr(cj.jaxpr, cj.consts, ys), xs, inDims, axis);
      outBatched = dims.map((d, i) => d !== null || force(i));
      return outs.map((o, i) => (outBatched[i] ? moveBdim(o, dims[i], 0, axis.size) : o));
    },
    cj.inAvals.map((a, i) => batchedAval(a, inDims[i], axis.size)),
    "vmap",
    true,
  );
  return { jaxpr, outBatched };
}

/**
 * Transpose a jaxpr that is linear in the inputs marked `linear`. The result takes
 * (nonlinear inputs..., cotangents of outputs...) and returns cotangents of the linear inputs
 * (zeros instantiated).
 */
export function transposeJaxpr(cj: ClosedJaxpr, linear: readonly boolean[]): ClosedJaxpr {
  const inAvals = cj.inAvals;
  const nonlinAvals = inAvals.filter((_, i) => !linear[i]);
  const linAvals = inAvals.filter((_, i) => linear[i]);
  return traceToJaxpr(
    (...xs: Array[]) => {
      const res = xs.slice(0, nonlinAvals.length);
      const cts = xs.slice(nonlinAvals.length);
      let k = 0;
      const args = inAvals.map((a, i) => (linear[i] ? new UndefinedPrimal(a) : res[k++]));
      const ctsIn = backwardPass(cj.jaxpr, cj.consts, args, cts);
      return ctsIn.filter((_, i) => linear[i]).map((c, j) => c ?? zerosLikeAval(linAvals[j]));
    },
    [...nonlinAvals, ...cj.outAvals.map(tangentAval)],
    "transpose",
    true,
  );
}
