/**
 * One IR op over four lanes (v128 operands in locals), for the SIMD loops of elementwise kernels
 * and of reductions across outputs: the fastMath polynomial, the exact four-lane routine
 * (wasm/libm), the native SIMD instruction, or — for ops with none — lane by lane through the
 * scalar form. The result is left in a v128 local.
 */
import type { compile } from "@linax-ts/core";
import type { Code } from "../wasm/emitter.ts";
import { emitNativeSimd, fastMathFor, simdNative, simdOperands } from "./scalar-ops.ts";
import { wasmType, type BodyWriter, type Expr } from "./kernel-body.ts";

/** Compute op `e` from its operands' vectors (`vec`) into the v128 local `out`. */
export function emitVectorOp(
  c: Code,
  body: BodyWriter,
  e: compile.OpExpr,
  vec: (e: Expr) => number,
  out: number,
): void {
  const poly = fastMathFor(e, body.fastMath);
  const routine = poly === null ? body.imports.vectorIndexOf?.(e) : undefined;
  if (poly !== null) {
    c.get(vec(e.args[0]));
    poly(c, (t) => c.local(t));
  } else if (routine !== undefined) {
    c.get(vec(e.args[0])).call(routine);
  } else if (simdNative(e)) {
    for (const a of simdOperands(e)) c.get(vec(a));
    emitNativeSimd(c, e);
  } else return laneByLane(c, body, e, vec, out);
  c.set(out);
}

/** An op without a SIMD form: per lane, extract the operands, compute as scalar, insert. Leaves the result in `out`. */
function laneByLane(c: Code, body: BodyWriter, e: compile.OpExpr, vec: (e: Expr) => number, out: number): void {
  const scalarOf = new Map<number, number>();
  const argLocals = e.args.map((a) => c.local(wasmType(a.type)));
  c.simd(0x0c, ...new Array<number>(16).fill(0)).set(out);
  for (let lane = 0; lane < 4; lane++) {
    e.args.forEach((a, i) => {
      c.get(vec(a));
      if (a.type === "f32") c.simd(0x1f, lane);
      else {
        c.simd(0x1b, lane);
        if (a.type === "bool") c.i32(1).op(0x71);
      }
      c.set(argLocals[i]);
      scalarOf.set(a.id, argLocals[i]);
    });
    // Evaluate with the lane's operands standing in for the operands' scalar locals.
    const saved = e.args.map((a) => body.value.get(a.id));
    e.args.forEach((a) => body.value.set(a.id, scalarOf.get(a.id)!));
    c.get(out);
    body.op(e);
    c.simd(e.type === "f32" ? 0x20 : 0x1c, lane).set(out);
    e.args.forEach((a, i) => (saved[i] === undefined ? body.value.delete(a.id) : body.value.set(a.id, saved[i]!)));
  }
  if (e.type === "bool") c.get(out).simd(0xa1).set(out); // 0/1 → mask
}
