/**
 * Interpretation of the program descriptions of programs.ts with linax-ts ops (so one program
 * runs eagerly, under jit, vmap, grad and on any backend), input values, and the listing printed
 * on failure.
 */
import { lax, np, type Array } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import type { BinaryName, Program, ReduceName, Step, UnaryName } from "./programs.ts";

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const pick = <T>(xs: readonly T[], r: number): T => xs[r % xs.length];

function applyUnary(fn: UnaryName, x: Array): Array {
  switch (fn) {
    case "neg":
      return np.negative(x);
    case "sin":
      return np.sin(x);
    case "cos":
      return np.cos(x);
    case "tanh":
      return np.tanh(x);
    case "atan":
      return np.arctan(x);
    case "exp":
      return np.exp(x);
    case "square":
      return np.square(x);
    case "log1pSq":
      return np.log1p(np.square(x));
    case "logAbs1":
      return np.log(np.add(np.abs(x), 1));
    case "sqrtAbs":
      return np.sqrt(np.add(np.abs(x), 1));
    case "abs":
      return np.abs(x);
    case "floor":
      return np.floor(x);
    case "sign":
      return np.sign(x);
    case "logistic":
      return lax.logistic(x);
    case "log":
      return np.log(x);
    case "sqrt":
      return np.sqrt(x);
    case "recip":
      return np.reciprocal(x);
    case "not":
      return x.dtype === "bool" ? np.logicalNot(x) : np.bitwiseNot(x);
    case "conj":
      return np.conj(x);
    case "real":
      return np.real(x);
    case "imag":
      return np.imag(x);
    case "absC":
      return np.abs(x);
  }
}

function applyBinary(fn: BinaryName, x: Array, y: Array | number): Array {
  switch (fn) {
    case "add":
      return np.add(x, y);
    case "sub":
      return np.subtract(x, y);
    case "mul":
      return np.multiply(x, y);
    case "divSafe":
      return np.divide(x, np.add(np.square(y), 1));
    case "div":
      return np.divide(x, y);
    case "max":
      return np.maximum(x, y);
    case "min":
      return np.minimum(x, y);
    case "and":
      return np.bitwiseAnd(x, y);
    case "or":
      return np.bitwiseOr(x, y);
    case "xor":
      return np.bitwiseXor(x, y);
    case "lt":
      return np.less(x, y);
    case "eq":
      return np.equal(x, y);
    case "ge":
      return np.greaterEqual(x, y);
    case "pow":
      return np.power(x, y);
  }
}

function applyReduce(fn: ReduceName, x: Array, axes: number[], keepdims: boolean): Array {
  const o = { axis: axes, keepdims };
  switch (fn) {
    case "sum":
      return np.sum(x, { ...o, dtype: x.dtype });
    case "prod":
      return np.prod(x, { ...o, dtype: x.dtype });
    case "max":
      return np.max(x, o);
    case "min":
      return np.min(x, o);
    case "any":
      return np.any(x, o);
    case "all":
      return np.all(x, o);
  }
}

/** A scalar bool predicate from any value: Σx > 0 (bool: any). */
function predicateOf(x: Array): Array {
  if (x.dtype === "bool") return np.any(x);
  return np.greater(np.sum(x, { dtype: x.dtype }), 0);
}

function scalarLike(value: number, x: Array): Array {
  return np.array(value, { dtype: x.dtype });
}

function runStep(s: Step, env: Array[]): Array[] {
  const at = (i: number) => env[i];
  switch (s.op) {
    case "unary":
      return [applyUnary(s.fn, at(s.a))];
    case "binary":
      return [applyBinary(s.fn, at(s.a), typeof s.b === "number" ? at(s.b) : s.b.scalar)];
    case "convert":
      return [lax.convertElementType(s.abs ? np.abs(at(s.a)) : at(s.a), s.to)];
    case "toComplex":
      return [lax.complex(at(s.a), at(s.b))];
    case "reduce":
      return [applyReduce(s.fn, at(s.a), s.axes, s.keepdims)];
    case "reshape":
      return [lax.reshape(at(s.a), s.shape)];
    case "transpose":
      return [lax.transpose(at(s.a), s.perm)];
    case "slice":
      return [lax.slice(at(s.a), s.start, s.limit, s.strides)];
    case "pad":
      return [lax.pad(at(s.a), scalarLike(s.value, at(s.a)), s.config)];
    case "concat":
      return [lax.concatenate(s.parts.map(at), s.axis)];
    case "rev":
      return [lax.rev(at(s.a), s.dims)];
    case "broadcast":
      return [np.broadcastTo(at(s.a), s.shape)];
    case "dot":
      return [lax.dotGeneral(at(s.a), at(s.b), { contractingDims: s.contract })];
    case "where":
      return [np.where(at(s.pred), at(s.a), at(s.b))];
    case "cumulative":
      return [lax[s.fn](at(s.a), s.axis, s.reverse)];
    case "cond": {
      const pred = typeof s.pred === "boolean" ? s.pred : predicateOf(at(s.pred));
      return [
        lax.cond(
          pred,
          (x: Array) => applyUnary(s.t, x),
          (x: Array) => applyUnary(s.f, x),
          at(s.a),
        ),
      ];
    }
    case "scan": {
      const xs = at(s.xs);
      const body = (c: Array, x: Array): [Array, Array] => {
        const next =
          s.body === "rnn"
            ? np.tanh(np.add(np.multiply(c, 0.75), np.sin(x)))
            : s.body === "sum"
              ? np.add(c, x)
              : np.maximum(c, x);
        return [next, np.add(next, x)];
      };
      const init = s.init === "zeros" ? np.zeros(xs.shape.slice(1), { dtype: xs.dtype }) : at(s.init);
      const [carry, ys] = lax.scan(body, init, xs, { reverse: s.reverse });
      return [carry, ys];
    }
    case "fori": {
      const x = at(s.a);
      return [
        lax.foriLoop(
          0,
          s.n,
          (i: Array, c: Array) =>
            c.dtype === "int32"
              ? np.add(c, np.multiply(i, 2))
              : np.add(np.multiply(c, 0.5), np.cos(np.add(c, lax.convertElementType(i, "float32")))),
          x,
        ),
      ];
    }
    case "while": {
      const x = at(s.a);
      const step = (c: Array) => (c.dtype === "int32" ? np.add(c, 2) : np.add(np.multiply(c, 0.5), np.sin(c)));
      const [, out] = lax.whileLoop(
        ([i]: Array[]) => np.less(i, s.n),
        ([i, c]: Array[]) => [np.add(i, 1), step(c)],
        [np.array(0, { dtype: "int32" }), x],
      );
      return [out];
    }
  }
}

/** The program as a function of its inputs (returns an array of the output values). */
export function programFn(p: Program): (...xs: Array[]) => Array[] {
  return (...xs: Array[]) => {
    const env = [...xs];
    for (const s of p.steps) env.push(...runStep(s, env));
    return p.outputs.map((i) => env[i]);
  };
}

/** Values of a safe range per dtype (or, in wild mode, with specials mixed in). */
export function inputValues(p: Program, seed: number): Array[] {
  const rand = mulberry32(seed);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e-30, 3.4e38];
  const intSpecials = [2147483647, -2147483648, 65536, -1];
  return p.inputs.map(({ shape, dtype }) => {
    const n = size(shape) * (dtype === "complex64" ? 2 : 1);
    const vals = globalThis.Array.from({ length: n }, () => {
      const u = rand();
      const wildPick = p.mode === "wild" && rand() < 0.2;
      switch (dtype) {
        case "bool":
          return u < 0.5 ? 0 : 1;
        case "int32":
          return wildPick ? pick(intSpecials, Math.floor(u * 97)) : Math.floor(u * 13) - 6;
        case "uint32":
          return wildPick ? 4294967295 - Math.floor(u * 3) : Math.floor(u * 13);
        default:
          return wildPick ? pick(specials, Math.floor(u * 97)) : Math.fround(u * 4 - 2);
      }
    });
    return fromValues(vals, shape, dtype);
  });
}

function fmtVal(i: number, p: Program): string {
  return i < p.inputs.length ? `in${i}` : `v${i}`;
}

/** A readable listing of the program (printed on failure). */
export function describeProgram(p: Program): string {
  const lines = p.inputs.map((x, i) => `  in${i}: ${x.dtype}[${x.shape}]`);
  let k = p.inputs.length;
  for (const s of p.steps) {
    const { op, ...rest } = s;
    const outs = s.op === "scan" ? 2 : 1;
    const names = globalThis.Array.from({ length: outs }, (_, j) => `v${k + j}`);
    const types = names.map((_, j) => `${p.vals[k + j].dtype}[${p.vals[k + j].shape}]`);
    const args = JSON.stringify(rest)
      .replace(/"(a|b|xs|init|pred)":(\d+)/g, (_, key, idx) => `"${key}":${fmtVal(Number(idx), p)}`)
      .replace(
        /"parts":\[([\d,]+)\]/,
        (_, l: string) =>
          `"parts":[${l
            .split(",")
            .map((x) => fmtVal(Number(x), p))
            .join(",")}]`,
      );
    lines.push(`  ${names.join(", ")} = ${op} ${args}  → ${types.join(", ")}`);
    k += outs;
  }
  lines.push(`  return ${p.outputs.map((i) => fmtVal(i, p)).join(", ")}`);
  return `program (${p.mode}):\n${lines.join("\n")}`;
}

/** Whether a program uses a dot product anywhere upstream of output `i`. */
export const outputUsesDot = (p: Program, i: number): boolean => p.vals[p.outputs[i]].dot;
