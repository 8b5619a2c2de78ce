/**
 * Registers the lowering rules of the fusible primitive families. Interim home: the rules
 * themselves are in elementwise-lowering.ts and movement-lowering.ts; moving each registration into
 * its primitive's family file (next to its other rules) comes with wiring the compiler into `jit`.
 * A name missing here throws at load time, so a renamed primitive cannot silently stop fusing.
 */
import { InternalError } from "../errors.ts";
import { listPrimitives, type Primitive } from "../core/primitive.ts";
import {
  clampRule,
  complexPartRule,
  conjRule,
  convertRule,
  elementwiseRule,
  makeComplexRule,
  selectNRule,
} from "./elementwise-lowering.ts";
import { computed, registerLowering, type LoweringRule } from "./lowering.ts";
import {
  broadcastInDimRule,
  concatenateRule,
  iotaRule,
  padRule,
  reshapeRule,
  revRule,
  sliceRule,
  transposeRule,
} from "./movement-lowering.ts";
import type { ReduceOp } from "./ir.ts";
import { threefryRule } from "./random-lowering.ts";

const ELEMENTWISE = [
  "neg add sub mul div integerPow exp log sin cos tanh",
  "eq ne lt le gt ge isFinite not and or xor shiftLeft shiftRightLogical shiftRightArithmetic populationCount clz max min bitcastConvertType",
  "exp2 log1p expm1 tan asin acos atan sinh cosh asinh acosh atanh sqrt rsqrt cbrt abs sign floor ceil round pow rem atan2 nextafter",
  "logistic erf erfc erfInv lgamma digamma polygamma",
].flatMap((s) => s.split(" "));

const REDUCTIONS: Record<string, ReduceOp> = {
  reduceSum: "sum",
  reduceMax: "max",
  reduceMin: "min",
  reduceProd: "prod",
  reduceAnd: "and",
  reduceOr: "or",
};

function prim(name: string): Primitive {
  const p = listPrimitives().find((q) => q.name === name);
  if (p === undefined) throw new InternalError(`compile/rules: no primitive named '${name}' to lower`);
  return p;
}
const reg = (name: string, rule: LoweringRule): void => registerLowering(prim(name), rule);

for (const name of ELEMENTWISE) reg(name, elementwiseRule(name));
reg("selectN", selectNRule);
reg("clamp", clampRule);
reg("convertElementType", convertRule);
reg("real", complexPartRule(0));
reg("imag", complexPartRule(1));
reg("conj", conjRule);
reg("complex", makeComplexRule);
reg("broadcastInDim", broadcastInDimRule as LoweringRule);
reg("reshape", reshapeRule);
reg("transpose", transposeRule as LoweringRule);
reg("slice", sliceRule as LoweringRule);
reg("rev", revRule as LoweringRule);
reg("pad", padRule as LoweringRule);
reg("concatenate", concatenateRule as LoweringRule);
reg("iota", iotaRule as LoweringRule);
reg("threefry2x32", threefryRule);
// stopGradient is the identity when evaluated (its rules act only under transforms).
reg("stopGradient", (_ctx, [x], [out]) => (x.aval.dtype === out.dtype ? [computed(out, [x], 0, ([v]) => v)] : null));
for (const [name, op] of Object.entries(REDUCTIONS)) {
  // max/min of complex values have no order; the routine's kernel decides.
  reg(name, (_ctx, [x], _out, params) =>
    x.aval.dtype === "complex64" && (op === "max" || op === "min")
      ? null
      : { reduce: op, axes: (params as { axes: readonly number[] }).axes },
  );
}
