/**
 * Lowering of `threefry2x32`: the 20-round Threefry-2x32 block as uint32 IR (add, xor, constant
 * shifts), both output words of one element computed by one expression DAG, so the graph builder
 * emits a single two-output kernel. Operands broadcast along size-1 axes or are scalars, as the
 * primitive allows. Same ops and order as the reference, so the results are its bits.
 */
import { THREEFRY_PARITY, THREEFRY_ROTATIONS } from "../primitives/random-prims.ts";
import { constant } from "./index-expr.ts";
import type { Expr, ExprBuilder } from "./ir.ts";
import type { Lazy, LoweringRule } from "./lowering.ts";

function block(b: ExprBuilder, k0: Expr, k1: Expr, x0: Expr, x1: Expr): [Expr, Expr] {
  const u = (v: number): Expr => b.constant(v >>> 0, "u32");
  const add = (p: Expr, q: Expr): Expr => b.op("add", "u32", [p, q], "uint32");
  const xor = (p: Expr, q: Expr): Expr => b.op("xor", "u32", [p, q], "uint32");
  const rotl = (v: Expr, d: number): Expr =>
    b.op(
      "or",
      "u32",
      [b.op("shiftLeft", "u32", [v, u(d)], "uint32"), b.op("shiftRightLogical", "u32", [v, u(32 - d)], "uint32")],
      "uint32",
    );
  const ks = [k0, k1, xor(xor(k0, k1), u(THREEFRY_PARITY))];
  let a = add(x0, ks[0]);
  let c = add(x1, ks[1]);
  for (let inj = 1; inj <= 5; inj++) {
    for (const r of THREEFRY_ROTATIONS[(inj - 1) % 2]) {
      a = add(a, c);
      c = xor(rotl(c, r), a);
    }
    a = add(a, ks[inj % 3]);
    c = add(add(c, ks[(inj + 1) % 3]), u(inj));
  }
  return [a, c];
}

export const threefryRule: LoweringRule = (ctx, inputs, outs) => {
  const { b } = ctx;
  const shape = outs[0].shape;
  const at = (x: Lazy, idx: Parameters<Lazy["at"]>[0], ext: Parameters<Lazy["at"]>[1]): Expr => {
    if (x.aval.ndim === 0) return x.at([], ext)[0];
    return x.at(
      idx.map((l, d) => (x.aval.shape[d] === 1 && shape[d] !== 1 ? constant(0) : l)),
      ext,
    )[0];
  };
  const word = (w: 0 | 1): Lazy => ({
    aval: outs[w],
    cost: 100 + inputs.reduce((s, x) => s + x.cost, 0),
    at(idx, ext) {
      const [k0, k1, x0, x1] = inputs.map((x) => at(x, idx, ext));
      return [block(b, k0, k1, x0, x1)[w]];
    },
  });
  return [word(0), word(1)];
};
