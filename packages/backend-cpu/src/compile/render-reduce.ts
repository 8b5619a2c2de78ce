/**
 * Render a reduction kernel: per output element, the body is evaluated in the input's row-major
 * order over the reduced axes and accumulated as the reference kernels do (float sums and products
 * in f64, rounded once; integer ones wrapping; max/min NaN-propagating; and/or of x ≠ 0).
 */
import type { compile, DType } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";
import { groupAxes, IndexRenderer, type LoopGroup } from "./loop-nest.ts";
import { outputLanesPlan, renderOutputLanes } from "./render-reduce-simd.ts";
import {
  BodyWriter,
  dependsOn,
  indicesOf,
  kernelParams,
  loop,
  loopTo,
  rangeLoop,
  rangeStart,
  storeValue,
  topo,
  UnsupportedKernel,
  type RenderContext,
} from "./kernel-body.ts";

/**
 * The function body of a reduction; params = [...kernel.inputs, output, lo, hi]: [lo, hi) is the
 * range of the outermost output loop to run (threads split a reduction over its outputs). Returns
 * that loop's extent — 1 for a reduction to one value, which runs whole whatever the range.
 */
export function renderReduce(c: Code, k: compile.ReduceKernel, ctx: RenderContext): number {
  const params = kernelParams(k);
  const ptr = (b: number): number => params.indexOf(b);
  const lo = params.length;
  const hi = params.length + 1;
  const outSize = k.outShape.reduce((p, s) => p * s, 1);
  if (outSize === 0) return 0;
  const dtype = k.output.dtype;
  if (dtype === "complex64" && (k.op === "max" || k.op === "min"))
    throw new UnsupportedKernel("complex max/min reduction");
  const nodes = topo(k.output.values);
  const nOut = k.outShape.length;
  const shape = [...k.outShape, ...k.reduceShape];
  const outAxes = k.outShape.map((_, a) => a);
  const redAxes = k.reduceShape.map((_, a) => nOut + a);
  const groups: LoopGroup[] = groupAxes(shape, [outAxes, redAxes], indicesOf(nodes));
  const counters = groups.map(() => c.local("i32"));
  const idx = new IndexRenderer(groups, counters, shape);
  const body = new BodyWriter(c, idx, ptr, ctx.buffers, ctx.imports, shape, ctx.fastMath ?? false);
  const memo = new Map<number, boolean>();
  const moving = nodes.filter((e) => dependsOn(e, redAxes, memo));
  const fixed = nodes.filter((e) => !dependsOn(e, redAxes, memo));
  const nOutGroups = groups.filter((g) => g.axes.length > 0 && g.axes[0] < nOut).length;
  const o = c.local("i32");
  if (nOutGroups === 0) c.i32(0).set(o);
  else rangeStart(c, lo, outSize / groups[0].extent, o);
  const cplx = dtype === "complex64";
  const isFloat = dtype === "float32" || cplx;
  const accT = isFloat ? "f64" : "i32";
  const accs = (cplx ? [0, 1] : [0]).map(() => c.local(accT));

  const perOutput = (): void => {
    body.scalar(fixed);
    accs.forEach((a, part) => {
      const init = identity(k.op, dtype, part);
      if (accT === "f64") c.f64(init);
      else c.i32(init);
      c.set(a);
    });
    const red = (g: number): void => {
      if (g === groups.length) {
        body.scalar(moving);
        accumulate(
          c,
          k.op,
          dtype,
          accs,
          k.output.values.map((v) => body.value.get(v.id)!),
        );
        return;
      }
      loop(c, counters[g], 0, groups[g].extent, 1, () => red(g + 1));
    };
    red(nOutGroups);
    accs.forEach((a, part) =>
      storeValue(c, ptr(k.output.buffer), o, dtype, part, () => {
        c.get(a);
        if (accT === "f64") c.op(0xb6);
      }),
    );
    c.get(o).i32(1).op(0x6a).set(o);
  };
  const lanesOk = nOutGroups > 0 && outputLanesPlan(k, nodes, body, idx, nOutGroups - 1, groups);
  const nest = (g: number): void => {
    if (g === nOutGroups) return perOutput();
    if (g === nOutGroups - 1 && lanesOk) {
      // Four outputs at a time along the innermost output loop, then the rest one by one.
      const w = counters[g];
      const end = c.local("i32");
      if (g === 0) c.get(lo).set(w).get(hi).set(end);
      else c.i32(0).set(w).i32(groups[g].extent).set(end);
      renderOutputLanes(c, k, nodes, body, idx, groups, counters, g, w, end, o, ptr(k.output.buffer));
      return loopTo(c, w, end, 1, () => perOutput());
    }
    if (g === 0) {
      rangeLoop(c, counters[0], lo, hi, () => nest(1));
    } else loop(c, counters[g], 0, groups[g].extent, 1, () => nest(g + 1));
  };
  nest(0);
  return nOutGroups === 0 ? 1 : groups[0].extent;
}

function identity(op: compile.ReduceOp, dtype: DType, part: number): number {
  switch (op) {
    case "sum":
    case "or":
      return 0;
    case "prod":
      return part === 0 ? 1 : 0;
    case "and":
      return 1;
    case "max":
      return dtype === "float32" ? -Infinity : dtype === "int32" ? -2147483648 : 0;
    case "min":
      return dtype === "float32" ? Infinity : dtype === "int32" ? 2147483647 : dtype === "uint32" ? -1 : 1;
  }
}

/** acc ← acc ⊕ value, as the reference kernels accumulate. */
function accumulate(
  c: Code,
  op: compile.ReduceOp,
  dtype: DType,
  accs: readonly number[],
  vals: readonly number[],
): void {
  const float = dtype === "float32" || dtype === "complex64";
  if (dtype === "complex64" && op === "prod") {
    const [re, im] = accs;
    const [a, b] = vals;
    const t = c.local("f64");
    // r = re·a − im·b; im = re·b + im·a
    c.get(re).get(a).op(0xbb).op(0xa2).get(im).get(b).op(0xbb).op(0xa2).op(0xa1).set(t);
    c.get(re).get(b).op(0xbb).op(0xa2).get(im).get(a).op(0xbb).op(0xa2).op(0xa0).set(im);
    c.get(t).set(re);
    return;
  }
  accs.forEach((acc, part) => {
    const v = vals[part];
    if (op === "sum" || op === "prod") {
      c.get(acc).get(v);
      if (float) c.op(0xbb).op(op === "sum" ? 0xa0 : 0xa2);
      else c.op(op === "sum" ? 0x6a : 0x6c);
      c.set(acc);
    } else if (op === "and" || op === "or") {
      c.get(acc)
        .get(v)
        .i32(0)
        .op(0x47)
        .op(op === "and" ? 0x71 : 0x72)
        .set(acc);
    } else if (float) {
      // acc = (acc is not NaN) && (v is NaN || v ⋛ acc) ? v : acc, in f64 (exact for f32 values).
      c.get(v).op(0xbb).get(acc);
      c.get(acc).get(acc).op(0x61); // acc == acc
      c.get(v).get(v).op(0x5c); // v != v
      c.get(v)
        .op(0xbb)
        .get(acc)
        .op(op === "max" ? 0x64 : 0x63); // f64.gt / f64.lt
      c.op(0x72).op(0x71).op(0x1b).set(acc);
    } else {
      const u = dtype === "uint32" || dtype === "bool";
      c.get(v)
        .get(acc)
        .get(v)
        .get(acc)
        .op(op === "max" ? (u ? 0x4b : 0x4a) : u ? 0x49 : 0x48)
        .op(0x1b)
        .set(acc);
    }
  });
}
