/**
 * sort kernel: stable multi-operand sort along one dimension. Keys compare lexicographically
 * (first key, then the next, …) in numpy's order: NaNs last, -0 equal to 0, complex by real part
 * then imaginary part (a NaN part sorts after every number in that part).
 */
import type { lax, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { alloc } from "./strided-index.ts";

/** Compare two reals with NaN last (NaN == NaN). */
function cmpReal(a: number, b: number): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an === bn ? 0 : an ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

registerKernel("sort", (inputs, avals, outAvals, params) => {
  const { dimension, numKeys } = params as unknown as lax.SortParams;
  const shape = avals[0].shape;
  const n = shape[dimension];
  const inner = shape.slice(dimension + 1).reduce((a, b) => a * b, 1);
  const outer = shape.slice(0, dimension).reduce((a, b) => a * b, 1);
  const outs = outAvals.map((a) => alloc(a));
  const cplx = avals.map((a) => a.dtype === "complex64");
  const line = new Int32Array(n);
  const order: number[] = new Array<number>(n);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      for (let k = 0; k < n; k++) {
        line[k] = (o * n + k) * inner + j;
        order[k] = k;
      }
      // Array.prototype.sort is stable (ES2019), so equal keys keep their input order.
      order.sort((p, q) => {
        const a = line[p];
        const b = line[q];
        for (let key = 0; key < numKeys; key++) {
          const x: TypedArray = inputs[key];
          const c = cplx[key]
            ? cmpReal(x[2 * a], x[2 * b]) || cmpReal(x[2 * a + 1], x[2 * b + 1])
            : cmpReal(x[a], x[b]);
          if (c !== 0) return c;
        }
        return 0;
      });
      for (let op = 0; op < inputs.length; op++) {
        const src = inputs[op];
        const dst = outs[op];
        if (cplx[op]) {
          for (let k = 0; k < n; k++) {
            dst[2 * line[k]] = src[2 * line[order[k]]];
            dst[2 * line[k] + 1] = src[2 * line[order[k]] + 1];
          }
        } else for (let k = 0; k < n; k++) dst[line[k]] = src[line[order[k]]];
      }
    }
  }
  return outs;
});
