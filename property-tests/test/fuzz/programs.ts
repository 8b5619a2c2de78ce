/**
 * Random small programs as data, for the fuzz properties (fuzz-programs.property.test.ts).
 *
 * A program is a list of inputs (shape, dtype) and a list of steps in SSA form: step k reads
 * earlier values by index (inputs first, then the values pushed by earlier steps) and pushes one
 * or two values. `programFn` (run-program.ts) interprets the description with linax-ts ops, so the same program
 * can be run eagerly, under jit (compiled or reference), vmap, grad, and on another backend.
 *
 * Generation is type-directed: fast-check draws raw choices (an op selector and a few naturals
 * per step) and `resolveProgram` turns them into a valid program by tracking each value's
 * shape, dtype, a bound on |x| and whether it depends on a dot product. Because every choice
 * list resolves to a valid program, fast-check's shrinking of the choices always shrinks to a
 * valid (smaller) program.
 *
 * Modes:
 * - "safe": values stay finite and in a moderate range (|x| bounds tracked per value; exp only
 *   of bounded arguments, log of |x|+1, divisions by 1+y², products and cumprods only while the
 *   bound stays small), and discontinuous ops (comparisons, float→int casts, floor, where
 *   predicates, cond predicates) never read a value computed through a dot product — so a
 *   rounding difference in the float32 matmul cannot flip a branch and the comparison of the
 *   two evaluations means something.
 * - "smooth": float32 only, smooth ops only (no abs/max/min/comparisons/casts; cond predicates
 *   are literal constants): the grad-vs-finite-difference subset.
 * - "wild": NaN/Inf allowed: log, sqrt, unguarded division, unbounded exp and products, integer
 *   overflow; no dot products (float32 vs float64 accumulation legitimately disagrees on overflow).
 */
import fc from "fast-check";
import type { DType } from "linax-ts";

export { programFn, inputValues, describeProgram, outputUsesDot } from "./run-program.ts";

export type Mode = "safe" | "smooth" | "wild";

/** The abstract value the generator tracks. */
export interface Val {
  shape: number[];
  dtype: DType;
  /** Upper bound on |x| (Infinity in wild mode once unbounded). */
  bound: number;
  /** Computed through a dot product (float32 accumulation in the compiled matmul). */
  dot: boolean;
}

export type UnaryName =
  | "neg"
  | "sin"
  | "cos"
  | "tanh"
  | "atan"
  | "exp"
  | "square"
  | "log1pSq"
  | "logAbs1"
  | "sqrtAbs"
  | "abs"
  | "floor"
  | "sign"
  | "logistic"
  | "log"
  | "sqrt"
  | "recip"
  | "not"
  | "conj"
  | "real"
  | "imag"
  | "absC";
export type BinaryName =
  "add" | "sub" | "mul" | "divSafe" | "div" | "max" | "min" | "and" | "or" | "xor" | "lt" | "eq" | "ge" | "pow";
export type ReduceName = "sum" | "max" | "min" | "prod" | "any" | "all";
export type CumName = "cumsum" | "cumprod" | "cummax" | "cummin";

export type Step =
  | { op: "unary"; fn: UnaryName; a: number }
  | { op: "binary"; fn: BinaryName; a: number; b: number | { scalar: number } }
  | {
      op: "convert";
      a: number;
      to: DType;
      /** |x| first (safe mode: a negative → uint32 cast would wrap) */ abs: boolean;
    }
  | { op: "toComplex"; a: number; b: number }
  | { op: "reduce"; fn: ReduceName; a: number; axes: number[]; keepdims: boolean }
  | { op: "reshape"; a: number; shape: number[] }
  | { op: "transpose"; a: number; perm: number[] }
  | { op: "slice"; a: number; start: number[]; limit: number[]; strides: number[] }
  | { op: "pad"; a: number; value: number; config: [number, number, number][] }
  | { op: "concat"; parts: number[]; axis: number }
  | { op: "rev"; a: number; dims: number[] }
  | { op: "broadcast"; a: number; shape: number[] }
  | { op: "dot"; a: number; b: number; contract: [number[], number[]] }
  | { op: "where"; pred: number; a: number; b: number }
  | { op: "cumulative"; fn: CumName; a: number; axis: number; reverse: boolean }
  | { op: "cond"; pred: number | boolean; a: number; t: UnaryName; f: UnaryName }
  | {
      op: "scan";
      xs: number;
      /** a value of the slice's shape, or zeros */ init: number | "zeros";
      body: "rnn" | "sum" | "max";
      reverse: boolean;
    }
  | { op: "fori"; a: number; n: number }
  | { op: "while"; a: number; n: number };

export interface Program {
  mode: Mode;
  inputs: { shape: number[]; dtype: DType }[];
  steps: Step[];
  /** Indices of the values returned (one or two). */
  outputs: number[];
  /** Per value (inputs then steps' results): what the generator knows of it. */
  vals: Val[];
}

/** Raw choices drawn by fast-check; resolveProgram makes a program of them. */
export interface Choices {
  mode: Mode;
  base: number[];
  inputs: { dtype: number; ones: boolean[]; drop: number }[];
  steps: { k: number; r: number[] }[];
  outs: number;
}

const R = 8;
/** Default program length (steps drawn; a step that does not fit its operand is skipped). */
export const MAX_STEPS = 10;

/** Arbitrary raw choices for programs of up to `maxSteps` steps. */
export function choices(mode: Mode, maxSteps = MAX_STEPS): fc.Arbitrary<Choices> {
  // Sides 0 and 1 often enough that empty arrays and broadcasting come up, mostly 2..4.
  const side = fc.oneof(
    { weight: 1, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.constant(1) },
    { weight: 8, arbitrary: fc.integer({ min: 2, max: 4 }) },
  );
  return fc.record({
    mode: fc.constant(mode),
    base: fc.array(side, { minLength: 0, maxLength: 3, size: "max" }).map((b) => (b.length === 0 ? b : b)),
    inputs: fc.array(
      fc.record({ dtype: fc.nat(99), ones: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), drop: fc.nat(3) }),
      {
        minLength: 1,
        maxLength: 3,
      },
    ),
    steps: fc.array(fc.record({ k: fc.nat(), r: fc.array(fc.nat(), { minLength: R, maxLength: R }) }), {
      minLength: 1,
      maxLength: maxSteps,
      size: "max",
    }),
    outs: fc.nat(),
  });
}

const isFloat = (d: DType): boolean => d === "float32" || d === "complex64";
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const pick = <T>(xs: readonly T[], r: number): T => xs[r % xs.length];
const subset = (n: number, r: number): number[] =>
  globalThis.Array.from({ length: n }, (_, i) => i).filter((i) => ((r >> i) & 1) === 1);

function permutation(n: number, r: number): number[] {
  const rest = globalThis.Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  while (rest.length > 0) {
    out.push(rest.splice(r % rest.length, 1)[0]);
    r = Math.floor(r / 3) + 7;
  }
  return out;
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function promote(a: DType, b: DType): DType | null {
  if (a === b) return a;
  const order: DType[] = ["bool", "uint32", "int32", "float32", "complex64"];
  if ((a === "uint32" && b === "int32") || (a === "int32" && b === "uint32")) return null; // would widen to int64 in numpy
  return order.indexOf(a) > order.indexOf(b) ? a : b;
}

/** Input dtypes per mode (drawn with weights by a 0..99 choice). */
function inputDType(mode: Mode, r: number): DType {
  if (mode === "smooth") return "float32";
  if (r < 55) return "float32";
  if (r < 72) return "int32";
  if (r < 82) return "uint32";
  if (r < 92) return "bool";
  return "complex64";
}

/** Bound on |x| of the inputs of each dtype (see inputValues). */
const INPUT_BOUND: Record<DType, number> = {
  float32: 2,
  complex64: 2 * Math.SQRT2,
  int32: 6,
  uint32: 12,
  bool: 1,
  float16: 2,
} as Record<DType, number>;

/** Resolve raw choices into a valid program. */
export function resolveProgram(c: Choices, exclude: readonly Step["op"][] = []): Program {
  const mode = c.mode;
  const vals: Val[] = [];
  const inputs = c.inputs.map((inp) => {
    const drop = Math.min(inp.drop % 2 === 0 ? 0 : inp.drop, c.base.length);
    const shape = c.base.slice(drop).map((d, i) => (inp.ones[i] ? 1 : d));
    const dtype = inputDType(mode, inp.dtype);
    vals.push({ shape, dtype, bound: INPUT_BOUND[dtype], dot: false });
    return { shape, dtype };
  });
  const steps: Step[] = [];
  for (const s of c.steps) {
    const made = makeStep(mode, vals, s.k, s.r);
    if (made === null || exclude.includes(made.step.op)) continue;
    steps.push(made.step);
    vals.push(...made.out);
  }
  const last = vals.length - 1;
  const outputs = c.outs % 3 === 0 && last > 0 ? [last, c.outs % last] : [last];
  return { mode, inputs, steps, outputs, vals };
}

const OPS = [
  "unary",
  "unary",
  "binary",
  "binary",
  "convert",
  "reduce",
  "reshape",
  "transpose",
  "slice",
  "pad",
  "concat",
  "rev",
  "broadcast",
  "dot",
  "where",
  "cumulative",
  "cond",
  "scan",
  "fori",
  "while",
  "toComplex",
] as const;

const SAFE_FLOAT_UNARY: UnaryName[] = [
  "neg",
  "sin",
  "cos",
  "tanh",
  "atan",
  "exp",
  "square",
  "log1pSq",
  "logAbs1",
  "sqrtAbs",
  "abs",
  "floor",
  "sign",
  "logistic",
];
const SMOOTH_UNARY: UnaryName[] = ["neg", "sin", "cos", "tanh", "atan", "exp", "square", "log1pSq", "logistic"];
const WILD_FLOAT_UNARY: UnaryName[] = [
  "neg",
  "sin",
  "tanh",
  "exp",
  "square",
  "log",
  "sqrt",
  "recip",
  "abs",
  "floor",
  "sign",
  "logistic",
];
const DISCONTINUOUS: UnaryName[] = ["floor", "sign"];

/** Bound of a unary op's result given the operand's bound. */
function unaryBound(fn: UnaryName, b: number): number {
  switch (fn) {
    case "sin":
    case "cos":
    case "tanh":
    case "sign":
    case "logistic":
      return 1;
    case "atan":
      return Math.PI / 2;
    case "exp":
      return Math.exp(b);
    case "square":
      return b * b;
    case "log1pSq":
      return Math.log1p(b * b);
    case "logAbs1":
      return Math.log1p(b);
    case "sqrtAbs":
      return Math.sqrt(b + 1);
    case "floor":
      return b + 1;
    default:
      return b;
  }
}

/** Ranks stay ≤ MAX_RANK (broadcast and dot would otherwise grow them). */
const MAX_RANK = 4;

function makeStep(mode: Mode, vals: Val[], k: number, raw: number[]): { step: Step; out: Val[] } | null {
  // r[j] for any j: per-axis choices of rank-4 values run past the R raw naturals.
  const r = globalThis.Array.from({ length: 4 * R }, (_, j) => (raw[j % R] ^ (Math.floor(j / R) * 0x9e37)) >>> 0);
  const n = vals.length;
  // Mostly the latest value (programs compose rather than fan out), sometimes an older one.
  const a = r[0] % 3 === 0 ? r[0] % n : n - 1;
  const v = vals[a];
  const op = OPS[k % OPS.length];
  const limit = mode === "wild" ? Infinity : 1e4;
  const ok = (b: number) => b <= limit;
  const same = (b: number, dtype = v.dtype, dot = v.dot): Val[] => [{ shape: [...v.shape], dtype, bound: b, dot }];
  switch (op) {
    case "unary": {
      if (v.dtype === "complex64") {
        if (mode === "smooth") return null;
        const fn = pick<UnaryName>(["neg", "conj", "real", "imag", "absC", "exp"], r[1]);
        if (fn === "exp" && mode !== "wild" && v.bound > 5) return null;
        const dt: DType = fn === "real" || fn === "imag" || fn === "absC" ? "float32" : "complex64";
        return { step: { op: "unary", fn, a }, out: same(fn === "exp" ? Math.exp(v.bound) : v.bound, dt) };
      }
      if (v.dtype === "float32") {
        const fns = mode === "smooth" ? SMOOTH_UNARY : mode === "wild" ? WILD_FLOAT_UNARY : SAFE_FLOAT_UNARY;
        const fn = pick(fns, r[1]);
        if (v.dot && DISCONTINUOUS.includes(fn)) return null;
        if (fn === "exp" && mode !== "wild" && v.bound > 6) return null;
        const b = unaryBound(fn, v.bound);
        return ok(b) ? { step: { op: "unary", fn, a }, out: same(mode === "wild" ? Infinity : b) } : null;
      }
      if (mode === "smooth") return null;
      const fn = pick<UnaryName>(
        v.dtype === "bool"
          ? ["not"]
          : v.dtype === "uint32"
            ? ["not", "square"]
            : ["neg", "abs", "sign", "not", "square"],
        r[1],
      );
      const b = fn === "square" ? v.bound * v.bound : fn === "not" ? (v.dtype === "bool" ? 1 : 2 ** 32) : v.bound;
      if (fn === "not" && v.dtype !== "bool" && mode !== "wild") return null;
      return ok(b) ? { step: { op: "unary", fn, a }, out: same(b) } : null;
    }
    case "binary": {
      const cands = vals
        .map((w, i) => i)
        .filter((i) => broadcastShape(v.shape, vals[i].shape) !== null && promote(v.dtype, vals[i].dtype) !== null);
      const useScalar = r[2] % 4 === 0 && v.dtype !== "bool";
      const bi = pick(cands, r[3]);
      const w = useScalar ? null : vals[bi];
      const dt = w === null ? v.dtype : (promote(v.dtype, w.dtype) as DType);
      const shape = w === null ? v.shape : (broadcastShape(v.shape, w.shape) as number[]);
      const scalarVal =
        v.dtype === "float32" || v.dtype === "complex64"
          ? ((r[4] % 9) - 4) / 2
          : (r[4] % 5) - (v.dtype === "uint32" ? 0 : 2);
      const wb = w === null ? Math.abs(scalarVal) : w.bound;
      const dot = v.dot || (w?.dot ?? false);
      let fns: BinaryName[];
      if (mode === "smooth") fns = ["add", "sub", "mul", "divSafe"];
      else if (dt === "bool") fns = ["and", "or", "xor", "eq", "max"];
      else if (dt === "complex64") fns = ["add", "sub", "mul", "eq"];
      else if (dt === "float32")
        fns =
          mode === "wild"
            ? ["add", "sub", "mul", "div", "max", "min", "lt", "eq", "pow"]
            : ["add", "sub", "mul", "divSafe", "max", "min", "lt", "ge", "eq"];
      else fns = ["add", "sub", "mul", "max", "min", "and", "or", "xor", "lt", "eq"];
      const fn = pick(fns, r[5]);
      if ((fn === "and" || fn === "or" || fn === "xor") && w !== null && w.dtype !== v.dtype) return null;
      if ((fn === "and" || fn === "or" || fn === "xor") && dt === "float32") return null;
      const cmp = fn === "lt" || fn === "eq" || fn === "ge";
      if (cmp && dot) return null;
      if (dt === "uint32" && fn === "sub" && mode !== "wild") return null; // wraps around: bounds would not hold
      const b =
        fn === "mul"
          ? v.bound * wb
          : fn === "divSafe"
            ? v.bound
            : fn === "add" || fn === "sub"
              ? v.bound + wb
              : fn === "and" || fn === "or" || fn === "xor"
                ? Math.max(v.bound, wb) * 2
                : cmp
                  ? 1
                  : fn === "pow"
                    ? Infinity
                    : Math.max(v.bound, wb);
      if (!ok(b)) return null;
      const b2: number | { scalar: number } = w === null ? { scalar: scalarVal } : bi;
      return {
        step: { op: "binary", fn, a, b: b2 },
        out: [{ shape, dtype: cmp ? "bool" : dt, bound: cmp ? 1 : b, dot }],
      };
    }
    case "convert": {
      if (mode === "smooth") return null;
      const to = pick<DType>(["float32", "int32", "uint32", "bool"], r[1]);
      if (to === v.dtype || v.dtype === "complex64") return null;
      if (v.dot && !isFloat(to)) return null;
      if ((to === "int32" || to === "uint32") && v.bound > 1e6 && mode !== "wild") return null;
      const abs = to === "uint32" && (v.dtype === "float32" || (v.dtype === "int32" && mode !== "wild"));
      return { step: { op: "convert", a, to, abs }, out: same(to === "bool" ? 1 : v.bound + 1, to) };
    }
    case "toComplex": {
      if (mode === "smooth" || v.dtype !== "float32") return null;
      const cands = vals
        .map((_, i) => i)
        .filter((i) => vals[i].dtype === "float32" && vals[i].shape.join() === v.shape.join());
      const b = pick(cands, r[1]);
      return { step: { op: "toComplex", a, b }, out: same(v.bound + vals[b].bound, "complex64", v.dot || vals[b].dot) };
    }
    case "reduce": {
      const fns: ReduceName[] =
        v.dtype === "bool"
          ? ["any", "all"]
          : v.dtype === "complex64"
            ? ["sum", "prod"]
            : mode === "smooth"
              ? ["sum", "prod"]
              : ["sum", "max", "min", "prod"];
      const fn = pick(fns, r[1]);
      const axes = subset(v.shape.length, r[2]);
      const keepdims = r[3] % 2 === 0;
      const m = size(axes.map((i) => v.shape[i]));
      if ((fn === "max" || fn === "min") && m === 0) return null; // no identity (numpy raises)
      const b = fn === "sum" ? v.bound * Math.max(m, 1) : fn === "prod" ? Math.max(1, v.bound) ** m : v.bound;
      if (!ok(b)) return null;
      const shape = keepdims
        ? v.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : v.shape.filter((_, i) => !axes.includes(i));
      return { step: { op: "reduce", fn, a, axes, keepdims }, out: [{ shape, dtype: v.dtype, bound: b, dot: v.dot }] };
    }
    case "reshape": {
      // Factor the size into the sides of a random new shape (inserting 1s), or flatten.
      const sz = size(v.shape);
      const shape: number[] = [];
      if (sz === 0) shape.push(...permutation(v.shape.length, r[1]).map((i) => v.shape[i]));
      else {
        let rest = sz;
        const divisors = (m: number) =>
          globalThis.Array.from({ length: m }, (_, i) => i + 1).filter((d) => m % d === 0);
        for (let i = 0; rest > 1 && i < 3; i++) {
          const d = pick(divisors(rest), r[1 + i]);
          shape.push(d);
          rest /= d;
        }
        if (rest > 1) shape.push(rest);
        if (r[4] % 3 === 0 && shape.length < MAX_RANK) shape.splice(r[5] % (shape.length + 1), 0, 1);
      }
      return { step: { op: "reshape", a, shape }, out: [{ shape, dtype: v.dtype, bound: v.bound, dot: v.dot }] };
    }
    case "transpose": {
      const perm = permutation(v.shape.length, r[1]);
      return {
        step: { op: "transpose", a, perm },
        out: [{ shape: perm.map((i) => v.shape[i]), dtype: v.dtype, bound: v.bound, dot: v.dot }],
      };
    }
    case "slice": {
      // Mostly drop an element or two at either end; sometimes an arbitrary (possibly empty) window.
      const wide = r[7] % 4 === 0;
      const start = v.shape.map((d, i) => Math.min(d, wide ? r[1 + i] % (d + 1) : r[1 + i] % 2));
      const limit = v.shape.map((d, i) =>
        wide ? start[i] + (r[4 + i] % (d - start[i] + 1)) : Math.max(start[i], d - (r[4 + i] % 2)),
      );
      const strides = v.shape.map((_, i) => 1 + ((r[7] >> (i + 2)) % 2));
      const shape = start.map((s, i) => Math.ceil((limit[i] - s) / strides[i]));
      return {
        step: { op: "slice", a, start, limit, strides },
        out: [{ shape, dtype: v.dtype, bound: v.bound, dot: v.dot }],
      };
    }
    case "pad": {
      const config = v.shape.map((d, i): [number, number, number] => {
        const interior = d > 1 ? (r[1 + i] >> 3) % 2 : 0;
        const full = d + Math.max(0, d - 1) * interior;
        const lo = (r[1 + i] % 4) - 1;
        const hi = (r[4 + i] % 4) - 1;
        return full + lo + hi >= 0 && full + lo >= 0 ? [lo, hi, interior] : [0, 0, interior];
      });
      const shape = config.map(([lo, hi, it], i) => v.shape[i] + Math.max(0, v.shape[i] - 1) * it + lo + hi);
      const value = v.dtype === "bool" ? r[7] % 2 : v.dtype === "uint32" ? r[7] % 3 : (r[7] % 5) - 2;
      return {
        step: { op: "pad", a, value, config },
        out: [{ shape, dtype: v.dtype, bound: Math.max(v.bound, Math.abs(value)), dot: v.dot }],
      };
    }
    case "concat": {
      if (v.shape.length === 0) return null;
      const axis = r[1] % v.shape.length;
      const fits = vals
        .map((_, i) => i)
        .filter(
          (i) =>
            vals[i].dtype === v.dtype &&
            vals[i].shape.length === v.shape.length &&
            vals[i].shape.every((d, j) => j === axis || d === v.shape[j]),
        );
      const parts = [a, pick(fits, r[2]), ...(r[3] % 3 === 0 ? [pick(fits, r[4])] : [])];
      const shape = v.shape.map((d, j) => (j === axis ? parts.reduce((s, p) => s + vals[p].shape[axis], 0) : d));
      return {
        step: { op: "concat", parts, axis },
        out: [
          {
            shape,
            dtype: v.dtype,
            bound: Math.max(...parts.map((p) => vals[p].bound)),
            dot: parts.some((p) => vals[p].dot),
          },
        ],
      };
    }
    case "rev":
      return { step: { op: "rev", a, dims: subset(v.shape.length, r[1]) }, out: same(v.bound) };
    case "broadcast": {
      if (v.shape.length >= MAX_RANK) return null;
      const lead = r[1] % 3 === 0 ? [] : [1 + (r[2] % 3)];
      const shape = [...lead, ...v.shape.map((d, i) => (d === 1 ? pick([1, 2, 3], r[3 + i]) : d))];
      return { step: { op: "broadcast", a, shape }, out: [{ shape, dtype: v.dtype, bound: v.bound, dot: v.dot }] };
    }
    case "dot": {
      if (mode === "wild" || v.dtype === "bool" || v.shape.length === 0) return null;
      const bi = pick(
        vals
          .map((_, i) => i)
          .filter(
            (i) =>
              vals[i].dtype === v.dtype &&
              vals[i].shape.length > 0 &&
              vals[i].shape.length + v.shape.length <= MAX_RANK + 2,
          ),
        r[1],
      );
      if (bi === undefined) return null;
      const w = vals[bi];
      // Contract one or two axis pairs of equal sides.
      const pairs: [number, number][] = [];
      for (let i = 0; i < v.shape.length; i++)
        for (let j = 0; j < w.shape.length; j++) if (v.shape[i] === w.shape[j]) pairs.push([i, j]);
      if (pairs.length === 0) return null;
      const p1 = pick(pairs, r[2]);
      const chosen = [p1];
      const p2 = pick(pairs, r[3]);
      if (r[4] % 3 === 0 && p2[0] !== p1[0] && p2[1] !== p1[1]) chosen.push(p2);
      const contract: [number[], number[]] = [chosen.map((p) => p[0]), chosen.map((p) => p[1])];
      const m = size(contract[0].map((i) => v.shape[i]));
      const b = v.bound * w.bound * Math.max(m, 1);
      if (!ok(b)) return null;
      const shape = [
        ...v.shape.filter((_, i) => !contract[0].includes(i)),
        ...w.shape.filter((_, j) => !contract[1].includes(j)),
      ];
      return {
        step: { op: "dot", a, b: bi, contract },
        out: [{ shape, dtype: v.dtype, bound: b, dot: isFloat(v.dtype) || v.dot || w.dot }],
      };
    }
    case "where": {
      if (mode === "smooth") return null;
      const preds = vals
        .map((_, i) => i)
        .filter((i) => vals[i].dtype === "bool" && !vals[i].dot && broadcastShape(vals[i].shape, v.shape) !== null);
      if (preds.length === 0) return null;
      const pred = pick(preds, r[1]);
      const others = vals
        .map((_, i) => i)
        .filter(
          (i) =>
            vals[i].dtype === v.dtype &&
            broadcastShape(broadcastShape(vals[pred].shape, v.shape) as number[], vals[i].shape) !== null,
        );
      const b = pick(others, r[2]);
      const shape = broadcastShape(broadcastShape(vals[pred].shape, v.shape) as number[], vals[b].shape) as number[];
      return {
        step: { op: "where", pred, a, b },
        out: [{ shape, dtype: v.dtype, bound: Math.max(v.bound, vals[b].bound), dot: v.dot || vals[b].dot }],
      };
    }
    case "cumulative": {
      if (v.shape.length === 0 || v.dtype === "bool" || v.dtype === "complex64") return null;
      const fn = pick<CumName>(
        mode === "smooth" ? ["cumsum", "cumprod"] : ["cumsum", "cumprod", "cummax", "cummin"],
        r[1],
      );
      const axis = r[2] % v.shape.length;
      const m = v.shape[axis];
      const b = fn === "cumsum" ? v.bound * m : fn === "cumprod" ? Math.max(1, v.bound) ** m : v.bound;
      if (!ok(b)) return null;
      return { step: { op: "cumulative", fn, a, axis, reverse: r[3] % 2 === 1 }, out: same(b) };
    }
    case "cond": {
      if (v.dtype !== "float32") return null;
      const fns =
        mode === "smooth"
          ? SMOOTH_UNARY.filter((f) => f !== "exp" && f !== "square")
          : (["sin", "cos", "tanh", "neg", "atan", "logAbs1"] as UnaryName[]);
      const t = pick(fns, r[1]);
      const f = pick(fns, r[2]);
      let pred: number | boolean;
      if (mode === "smooth") pred = r[3] % 2 === 0;
      else {
        const ps = vals.map((_, i) => i).filter((i) => !vals[i].dot && vals[i].dtype !== "complex64");
        pred = pick(ps, r[3]);
      }
      return {
        step: { op: "cond", pred, a, t, f },
        out: same(Math.max(unaryBound(t, v.bound), unaryBound(f, v.bound))),
      };
    }
    case "scan": {
      if (v.shape.length === 0 || (v.dtype !== "float32" && v.dtype !== "int32")) return null;
      const body =
        v.dtype === "int32"
          ? pick<"sum" | "max">(["sum", "max"], r[1])
          : mode === "smooth"
            ? pick<"rnn" | "sum">(["rnn", "sum"], r[1])
            : pick<"rnn" | "sum" | "max">(["rnn", "sum", "max"], r[1]);
      const elem = v.shape.slice(1);
      const inits = vals
        .map((_, i) => i)
        .filter((i) => vals[i].dtype === v.dtype && vals[i].shape.join() === elem.join());
      const init = inits.length === 0 || r[2] % 3 === 0 ? "zeros" : pick(inits, r[2]);
      const iv: Val = init === "zeros" ? { shape: elem, dtype: v.dtype, bound: 0, dot: false } : vals[init];
      const T = v.shape[0];
      const b = body === "rnn" ? 1 : body === "sum" ? iv.bound + T * v.bound : Math.max(iv.bound, v.bound);
      if (!ok(b)) return null;
      const dot = v.dot || iv.dot;
      return {
        step: { op: "scan", xs: a, init, body, reverse: r[3] % 2 === 1 },
        out: [
          { shape: elem, dtype: v.dtype, bound: b, dot },
          { shape: [...v.shape], dtype: v.dtype, bound: b, dot },
        ],
      };
    }
    case "fori":
    case "while": {
      if (v.dtype !== "float32" && v.dtype !== "int32") return null;
      if (op === "while" && mode === "smooth") return null; // whileLoop is forward-mode only
      const nIter = r[1] % 4;
      const b = v.dtype === "int32" ? v.bound + 2 * nIter : Math.max(v.bound, 2);
      if (!ok(b)) return null;
      return { step: { op, a, n: nIter }, out: same(b) };
    }
  }
}

/** Arbitrary resolved programs. */
export function programs(
  mode: Mode,
  maxSteps = MAX_STEPS,
  opts: { exclude?: readonly Step["op"][] } = {},
): fc.Arbitrary<Program> {
  const exclude = opts.exclude ?? [];
  return choices(mode, maxSteps).map((c) => resolveProgram(c, exclude));
}
