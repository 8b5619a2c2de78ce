/**
 * A float64 re-evaluation of "smooth" fuzz programs (programs.ts), written on the host from the
 * ops' definitions (numpy/lax semantics) and independent of linax-ts: the grad property
 * differentiates it with central differences in float64, so the library's float32 derivatives
 * are compared with the true derivative to ~1e-10 instead of with a float32 finite difference
 * (whose own rounding noise, ~1e-4 relative, hid errors below that).
 *
 * Values are row-major `{ shape, data: Float64Array }`. Only the smooth subset is implemented —
 * float32 programs of neg/sin/cos/tanh/atan/exp/square/log1pSq/logistic, add/sub/mul/divSafe,
 * sum/prod, movement ops, dot, cumsum/cumprod, cond on a literal, scan (rnn/sum), foriLoop; any
 * other step throws.
 */
import type { Program, Step, UnaryName } from "./programs.ts";

interface Nd {
  shape: number[];
  data: Float64Array;
}

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: readonly number[]): number[] => {
  const st = new globalThis.Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) st[i] = st[i + 1] * s[i + 1];
  return st;
};
/** The multi-index of flat index `f` in `shape`. */
const unravel = (f: number, shape: readonly number[]): number[] => {
  const idx = new globalThis.Array<number>(shape.length).fill(0);
  for (let i = shape.length - 1; i >= 0; i--) {
    idx[i] = f % shape[i];
    f = Math.floor(f / shape[i]);
  }
  return idx;
};
const ravel = (idx: readonly number[], shape: readonly number[]): number =>
  idx.reduce((acc, v, i) => acc * shape[i] + v, 0);

function map(x: Nd, f: (v: number) => number): Nd {
  return { shape: [...x.shape], data: x.data.map(f) };
}

/** numpy broadcasting of x to `shape`. */
function broadcastTo(x: Nd, shape: readonly number[]): Nd {
  const out = new Float64Array(size(shape));
  const off = shape.length - x.shape.length;
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, shape)
      .slice(off)
      .map((v, i) => (x.shape[i] === 1 ? 0 : v));
    out[f] = x.data[ravel(idx, x.shape)];
  }
  return { shape: [...shape], data: out };
}

function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  return globalThis.Array.from({ length: n }, (_, i) => {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    return x === 1 ? y : x;
  });
}

function zip(x: Nd, y: Nd, f: (a: number, b: number) => number): Nd {
  const shape = broadcastShapes(x.shape, y.shape);
  const a = broadcastTo(x, shape).data;
  const b = broadcastTo(y, shape).data;
  return { shape, data: a.map((v, i) => f(v, b[i])) };
}

const logistic = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

function unary(fn: UnaryName, x: Nd): Nd {
  switch (fn) {
    case "neg":
      return map(x, (v) => -v);
    case "sin":
      return map(x, Math.sin);
    case "cos":
      return map(x, Math.cos);
    case "tanh":
      return map(x, Math.tanh);
    case "atan":
      return map(x, Math.atan);
    case "exp":
      return map(x, Math.exp);
    case "square":
      return map(x, (v) => v * v);
    case "log1pSq":
      return map(x, (v) => Math.log1p(v * v));
    case "logistic":
      return map(x, logistic);
    default:
      throw new Error(`host program: unary ${fn} is not in the smooth subset`);
  }
}

function reduce(x: Nd, axes: readonly number[], keepdims: boolean, prod: boolean): Nd {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = new Float64Array(size(kept)).fill(prod ? 1 : 0);
  for (let f = 0; f < x.data.length; f++) {
    const o = ravel(
      unravel(f, x.shape).map((v, i) => (axes.includes(i) ? 0 : v)),
      kept,
    );
    out[o] = prod ? out[o] * x.data[f] : out[o] + x.data[f];
  }
  return { shape: keepdims ? kept : x.shape.filter((_, i) => !axes.includes(i)), data: out };
}

function transpose(x: Nd, perm: readonly number[]): Nd {
  const shape = perm.map((p) => x.shape[p]);
  const out = new Float64Array(size(shape));
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, shape);
    const src = new globalThis.Array<number>(x.shape.length);
    perm.forEach((p, i) => (src[p] = idx[i]));
    out[f] = x.data[ravel(src, x.shape)];
  }
  return { shape, data: out };
}

function slice(x: Nd, start: readonly number[], limit: readonly number[], strides: readonly number[]): Nd {
  const shape = start.map((s, i) => Math.max(0, Math.ceil((limit[i] - s) / strides[i])));
  const out = new Float64Array(size(shape));
  for (let f = 0; f < out.length; f++)
    out[f] =
      x.data[
        ravel(
          unravel(f, shape).map((v, i) => start[i] + v * strides[i]),
          x.shape,
        )
      ];
  return { shape, data: out };
}

/** lax.pad: lo/hi may be negative (crop); interior inserts `it` values between elements. */
function pad(x: Nd, value: number, config: readonly [number, number, number][]): Nd {
  const shape = config.map(([lo, hi, it], i) => x.shape[i] + Math.max(0, x.shape[i] - 1) * it + lo + hi);
  const out = new Float64Array(size(shape)).fill(value);
  for (let f = 0; f < x.data.length; f++) {
    const pos = unravel(f, x.shape).map((v, i) => config[i][0] + v * (config[i][2] + 1));
    if (pos.every((p, i) => p >= 0 && p < shape[i])) out[ravel(pos, shape)] = x.data[f];
  }
  return { shape, data: out };
}

function concat(parts: readonly Nd[], axis: number): Nd {
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const out = new Float64Array(size(shape));
  let offset = 0;
  for (const p of parts) {
    for (let f = 0; f < p.data.length; f++) {
      const idx = unravel(f, p.shape);
      idx[axis] += offset;
      out[ravel(idx, shape)] = p.data[f];
    }
    offset += p.shape[axis];
  }
  return { shape, data: out };
}

function rev(x: Nd, dims: readonly number[]): Nd {
  const out = new Float64Array(x.data.length);
  for (let f = 0; f < out.length; f++)
    out[f] =
      x.data[
        ravel(
          unravel(f, x.shape).map((v, i) => (dims.includes(i) ? x.shape[i] - 1 - v : v)),
          x.shape,
        )
      ];
  return { shape: [...x.shape], data: out };
}

/** dotGeneral with contracting dims only: result axes = a's free axes, then b's. */
function dot(a: Nd, b: Nd, [ca, cb]: [number[], number[]]): Nd {
  const fa = a.shape.map((_, i) => i).filter((i) => !ca.includes(i));
  const fb = b.shape.map((_, i) => i).filter((i) => !cb.includes(i));
  const shape = [...fa.map((i) => a.shape[i]), ...fb.map((i) => b.shape[i])];
  const cshape = ca.map((i) => a.shape[i]);
  const out = new Float64Array(size(shape));
  for (let f = 0; f < out.length; f++) {
    const idx = unravel(f, shape);
    let s = 0;
    for (let c = 0; c < size(cshape); c++) {
      const cidx = unravel(c, cshape);
      const ai = new globalThis.Array<number>(a.shape.length);
      const bi = new globalThis.Array<number>(b.shape.length);
      fa.forEach((ax, k) => (ai[ax] = idx[k]));
      fb.forEach((ax, k) => (bi[ax] = idx[fa.length + k]));
      ca.forEach((ax, k) => (ai[ax] = cidx[k]));
      cb.forEach((ax, k) => (bi[ax] = cidx[k]));
      s += a.data[ravel(ai, a.shape)] * b.data[ravel(bi, b.shape)];
    }
    out[f] = s;
  }
  return { shape, data: out };
}

function cumulative(x: Nd, prod: boolean, axis: number, reverse: boolean): Nd {
  const out = new Float64Array(x.data.length);
  const st = stridesOf(x.shape)[axis];
  const n = x.shape[axis];
  for (let f = 0; f < x.data.length; f++) {
    const idx = unravel(f, x.shape);
    if (idx[axis] !== 0) continue; // one pass per line along the axis
    let acc = prod ? 1 : 0;
    for (let k = 0; k < n; k++) {
      const j = reverse ? n - 1 - k : k;
      const at = f + j * st;
      acc = prod ? acc * x.data[at] : acc + x.data[at];
      out[at] = acc;
    }
  }
  return { shape: [...x.shape], data: out };
}

/** Element `t` of the leading axis. */
function take0(x: Nd, t: number): Nd {
  const m = size(x.shape.slice(1));
  return { shape: x.shape.slice(1), data: x.data.slice(t * m, (t + 1) * m) };
}

function scan(xs: Nd, init: Nd, body: "rnn" | "sum" | "max", reverse: boolean): [Nd, Nd] {
  const T = xs.shape[0];
  const ys = new Float64Array(xs.data.length);
  const m = size(xs.shape.slice(1));
  let c = init;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    const x = take0(xs, t);
    if (body === "max") throw new Error("host program: scan body max is not in the smooth subset");
    const next =
      body === "rnn"
        ? zip(
            map(c, (v) => 0.75 * v),
            map(x, Math.sin),
            (a, b) => Math.tanh(a + b),
          )
        : zip(c, x, (a, b) => a + b);
    ys.set(zip(next, x, (a, b) => a + b).data, t * m);
    c = next;
  }
  return [c, { shape: [...xs.shape], data: ys }];
}

function step(s: Step, env: Nd[]): Nd[] {
  const at = (i: number) => env[i];
  switch (s.op) {
    case "unary":
      return [unary(s.fn, at(s.a))];
    case "binary": {
      const y: Nd = typeof s.b === "number" ? at(s.b) : { shape: [], data: Float64Array.of(Math.fround(s.b.scalar)) };
      const f = {
        add: (a: number, b: number) => a + b,
        sub: (a: number, b: number) => a - b,
        mul: (a: number, b: number) => a * b,
        divSafe: (a: number, b: number) => a / (b * b + 1),
      }[s.fn as "add"];
      if (f === undefined) throw new Error(`host program: binary ${s.fn} is not in the smooth subset`);
      return [zip(at(s.a), y, f)];
    }
    case "reduce":
      if (s.fn !== "sum" && s.fn !== "prod")
        throw new Error(`host program: reduce ${s.fn} is not in the smooth subset`);
      return [reduce(at(s.a), s.axes, s.keepdims, s.fn === "prod")];
    case "reshape":
      return [{ shape: [...s.shape], data: at(s.a).data }];
    case "transpose":
      return [transpose(at(s.a), s.perm)];
    case "slice":
      return [slice(at(s.a), s.start, s.limit, s.strides)];
    case "pad":
      return [pad(at(s.a), s.value, s.config)];
    case "concat":
      return [concat(s.parts.map(at), s.axis)];
    case "rev":
      return [rev(at(s.a), s.dims)];
    case "broadcast":
      return [broadcastTo(at(s.a), s.shape)];
    case "dot":
      return [dot(at(s.a), at(s.b), s.contract)];
    case "cumulative":
      if (s.fn !== "cumsum" && s.fn !== "cumprod") throw new Error(`host program: ${s.fn} is not in the smooth subset`);
      return [cumulative(at(s.a), s.fn === "cumprod", s.axis, s.reverse)];
    case "cond":
      if (typeof s.pred !== "boolean")
        throw new Error("host program: cond on a computed predicate is not in the smooth subset");
      return [unary(s.pred ? s.t : s.f, at(s.a))];
    case "scan": {
      const xs = at(s.xs);
      const init =
        s.init === "zeros" ? { shape: xs.shape.slice(1), data: new Float64Array(size(xs.shape.slice(1))) } : at(s.init);
      return scan(xs, init, s.body, s.reverse);
    }
    case "fori": {
      let c = at(s.a);
      for (let i = 0; i < s.n; i++) c = map(c, (v) => 0.5 * v + Math.cos(v + i));
      return [c];
    }
    default:
      throw new Error(`host program: step ${s.op} is not in the smooth subset`);
  }
}

/** The program in float64: flat input values per input → flat values per output. */
export function hostProgram(p: Program): (...xs: Float64Array[]) => Float64Array[] {
  if (p.mode !== "smooth") throw new Error(`host program: only smooth programs (got ${p.mode})`);
  return (...xs: Float64Array[]) => {
    const env: Nd[] = p.inputs.map((inp, i) => ({ shape: [...inp.shape], data: xs[i] }));
    for (const s of p.steps) env.push(...step(s, env));
    return p.outputs.map((i) => env[i].data);
  };
}

/** `Σ over outputs of Σ elements` in float64 (the scalar the grad property differentiates). */
export function hostTotal(p: Program): (...xs: Float64Array[]) => Float64Array[] {
  const f = hostProgram(p);
  return (...xs: Float64Array[]) => [
    Float64Array.of(f(...xs).reduce((acc, o) => acc + o.reduce((a, v) => a + v, 0), 0)),
  ];
}
