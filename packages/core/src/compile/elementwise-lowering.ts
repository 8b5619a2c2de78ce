/**
 * Lowering rules shared by the elementwise families: one generic rule for n-ary ops named by
 * their primitive, plus the ops whose IR form is not "apply op to operands" — selectN (a select
 * chain), clamp (scalar bounds broadcast), convertElementType, and complex parts. The family
 * files register these next to each primitive's other rules.
 *
 * complex64 values are (re, im) pairs of f32 expressions. Only the complex ops whose real form is
 * short and matches the reference kernels exactly are lowered (add, sub, neg, mul, select,
 * real/imag/complex/conj, conversions); the others decline and run as routines.
 */
import { scalarTypeOf, type Expr } from "./ir.ts";
import { computed, zeros, type Lazy, type LoweringRule } from "./lowering.ts";

/** Operand values as seen at the output index; size-1 operands of a larger output are broadcast scalars. */
function operandsAt(inputs: readonly Lazy[], outSize: number): Lazy[] {
  return inputs.map((x) =>
    x.aval.size === 1 && outSize !== 1 ? { ...x, at: (_i, ext) => x.at(zeros(x.aval.ndim), ext) } : x,
  );
}

/** The generic rule: the primitive's op applied to its operands' expressions. */
export function elementwiseRule(name: string): LoweringRule {
  return (ctx, inputs, [out], params) => {
    const { b } = ctx;
    const inDType = inputs[0].aval.dtype;
    const outType = scalarTypeOf(out.dtype);
    if (inDType === "complex64") {
      if (out.dtype !== "complex64") return null;
      switch (name) {
        case "add":
        case "sub":
          return [
            computed(out, inputs, 2, ([x, y]) => [
              b.op(name, "f32", [x[0], y[0]], "float32"),
              b.op(name, "f32", [x[1], y[1]], "float32"),
            ]),
          ];
        case "neg":
          return [
            computed(out, inputs, 2, ([x]) => [
              b.op("neg", "f32", [x[0]], "float32"),
              b.op("neg", "f32", [x[1]], "float32"),
            ]),
          ];
        case "mul":
          // The reference computes (ac − bd, ad + bc) in float64 and rounds each part once.
          return [
            computed(out, inputs, 6, ([x, y]) => {
              const args = [x[0], x[1], y[0], y[1]];
              return [b.op("cmul.re", "f32", args, "float32"), b.op("cmul.im", "f32", args, "float32")];
            }),
          ];
        default:
          return null;
      }
    }
    const ps = params as Readonly<Record<string, unknown>>;
    return [
      computed(out, inputs, 1, (vals) => [
        b.op(
          name,
          outType,
          vals.map((v) => v[0]),
          inDType,
          ps,
        ),
      ]),
    ];
  };
}

/** selectN(which, *cases): a select chain; out-of-range int32 indices clamp into range, as the reference. */
export const selectNRule: LoweringRule = (ctx, inputs, [out]) => {
  const { b } = ctx;
  const [which, ...cases] = operandsAt(inputs, out.size);
  const wd = which.aval.dtype;
  return [
    computed(out, [which, ...cases], cases.length, ([w, ...cs]) => {
      const width = cs[0].length;
      const parts: Expr[] = [];
      for (let j = 0; j < width; j++) {
        let acc = cs[cs.length - 1][j];
        for (let k = cs.length - 2; k >= 0; k--) {
          const cond =
            wd === "bool"
              ? b.op("not", "bool", [w[0]], "bool")
              : k === 0
                ? b.op("le", "bool", [w[0], b.constant(0, scalarTypeOf(wd))], wd)
                : b.op("eq", "bool", [w[0], b.constant(k, scalarTypeOf(wd))], wd);
          acc = b.select(cond, cs[k][j], acc);
        }
        parts.push(acc);
      }
      return parts;
    }),
  ];
};

/** clamp(lo, x, hi) = min(max(x, lo), hi), NaN-propagating; lo/hi may be scalars. */
export const clampRule: LoweringRule = (ctx, inputs, [out]) => {
  const { b } = ctx;
  if (out.dtype === "complex64") return null;
  const t = scalarTypeOf(out.dtype);
  const d = out.dtype;
  return [
    computed(out, operandsAt(inputs, out.size), 2, ([lo, x, hi]) => [
      b.op("min", t, [b.op("max", t, [x[0], lo[0]], d), hi[0]], d),
    ]),
  ];
};

/** convertElementType: the cast op (complex→real drops imag; real→complex has a zero imag part). */
export const convertRule: LoweringRule = (ctx, [x], [out]) => {
  const { b } = ctx;
  const from = x.aval.dtype;
  const to = out.dtype;
  if (from === to) return [computed(out, [x], 0, ([v]) => v)];
  if (from === "complex64") {
    if (to === "bool") return null;
    return [
      computed(out, [x], 1, ([v]) => [
        b.op("convertElementType", scalarTypeOf(to), [v[0]], "float32", { newDType: to }),
      ]),
    ];
  }
  if (to === "complex64") {
    const re = (v: readonly Expr[]): Expr =>
      from === "float32" ? v[0] : b.op("convertElementType", "f32", [v[0]], from, { newDType: "float32" });
    return [computed(out, [x], 1, ([v]) => [re(v), b.constant(0, "f32")])];
  }
  return [
    computed(out, [x], 1, ([v]) => [b.op("convertElementType", scalarTypeOf(to), [v[0]], from, { newDType: to })]),
  ];
};

/** real / imag: one part of a complex value. */
export const complexPartRule =
  (part: 0 | 1): LoweringRule =>
  (_ctx, [x], [out]) =>
    x.aval.dtype === "complex64" ? [computed(out, [x], 0, ([v]) => [v[part]])] : null;

export const conjRule: LoweringRule = (ctx, [x], [out]) =>
  x.aval.dtype === "complex64"
    ? [computed(out, [x], 1, ([v]) => [v[0], ctx.b.op("neg", "f32", [v[1]], "float32")])]
    : null;

/** complex(re, im) from two float32 operands. */
export const makeComplexRule: LoweringRule = (_ctx, inputs, [out]) => [
  computed(out, operandsAt(inputs, out.size), 0, ([re, im]) => [re[0], im[0]]),
];
