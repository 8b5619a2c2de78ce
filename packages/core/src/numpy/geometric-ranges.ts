/**
 * numpy's logarithmically spaced ranges: logspace (base^linspace) and geomspace (a geometric
 * progression with exact endpoints). Computed on the host in float64, like `linspace`.
 */
import { Array } from "../core/array.ts";
import { ValueError } from "../errors.ts";
import { array } from "./convert.ts";
import type { DTypeOptions } from "./creation.ts";

export interface LogspaceOptions extends DTypeOptions {
  /** Include the end point (default true). */
  endpoint?: boolean;
  /** The base of the exponents (default 10). */
  base?: number;
}

function samples(op: string, start: number, stop: number, num: number, endpoint: boolean): number[] {
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`np.${op}: num must be a non-negative integer; got ${num}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop))
    throw new ValueError(`np.${op}: start and stop must be finite; got ${start}, ${stop}`);
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const out = globalThis.Array.from({ length: num }, (_, i) => start + i * step);
  if (endpoint && num > 1) out[num - 1] = stop;
  return out;
}

/** `num` samples base^t for t evenly spaced from start to stop (numpy's `logspace`). */
export function logspace(start: number, stop: number, num = 50, opts: LogspaceOptions = {}): Array {
  const base = opts.base ?? 10;
  const v = samples("logspace", start, stop, num, opts.endpoint ?? true).map((t) => base ** t);
  return array(v, { dtype: opts.dtype ?? "float32" });
}

/** A geomspace endpoint: a JS number, or a concrete 0-d array (complex64 included). */
export type GeomspaceEndpoint = number | Array;

type Complex = readonly [number, number];

/** A concrete scalar endpoint as (re, im), or a clear error for anything else. */
function endpoint(name: string, v: unknown): Complex {
  if (typeof v === "number") return [v, 0];
  if (v instanceof Array) {
    if (v.ndim !== 0)
      throw new ValueError(
        `np.geomspace: ${name} must be a number or a 0-d array; got an array of shape [${v.shape.join(", ")}]`,
      );
    if (v.dtype === "complex64") return v.itemComplex();
    return [v.dtype === "bool" ? Number(v.itemBool()) : v.item(), 0];
  }
  throw new ValueError(`np.geomspace: ${name} must be a number or a 0-d array; got ${v === null ? "null" : typeof v}`);
}

const cmul = (a: Complex, b: Complex): Complex => [a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]];
/**
 * a / b by numpy's complex division (Smith's scaled form, npymath): the same values and the same
 * signed zeros, which pick the side of the branch cut the spiral takes (−1 + 0i vs −1 − 0i).
 */
function cdiv(a: Complex, b: Complex): Complex {
  if (Math.abs(b[0]) >= Math.abs(b[1])) {
    const rat = b[1] / b[0];
    const scl = 1 / (b[0] + b[1] * rat);
    return [(a[0] + a[1] * rat) * scl, (a[1] - a[0] * rat) * scl];
  }
  const rat = b[0] / b[1];
  const scl = 1 / (b[1] + b[0] * rat);
  return [(a[0] * rat + a[1]) * scl, (a[1] * rat - a[0]) * scl];
}

/**
 * `num` samples of the geometric progression from start to stop (numpy's `geomspace`): the
 * endpoints are exact; neither may be 0. Real endpoints must share a sign (negative ones give a
 * negative progression: `geomspace(-1000, -1, 4)` = [-1000, -100, -10, -1]); numpy would return
 * NaN between endpoints of opposite signs — here that is an error, and a complex64 `dtype` (or a
 * complex endpoint) gives numpy's logarithmic spiral instead: start is rotated to the positive real
 * axis, the progression follows the principal logarithm, and the rotation is undone
 * (`geomspace(-1, 1, 5, { dtype: "complex64" })` walks the upper unit half-circle).
 * Computed on the host in float64 like numpy, rounded once to `dtype` (default float32, or
 * complex64 when an endpoint is complex; integer dtypes truncate, as numpy's `astype`).
 */
export function geomspace(
  start: GeomspaceEndpoint,
  stop: GeomspaceEndpoint,
  num = 50,
  opts: Omit<LogspaceOptions, "base"> = {},
): Array {
  const a = endpoint("start", start);
  const b = endpoint("stop", stop);
  if ((a[0] === 0 && a[1] === 0) || (b[0] === 0 && b[1] === 0))
    throw new ValueError("np.geomspace: geometric sequence cannot include zero");
  const endpointOn = opts.endpoint ?? true;
  const isComplexIn =
    a[1] !== 0 ||
    b[1] !== 0 ||
    (start instanceof Array && start.dtype === "complex64") ||
    (stop instanceof Array && stop.dtype === "complex64");
  const dtype = opts.dtype ?? (isComplexIn ? "complex64" : "float32");
  if (isComplexIn && dtype !== "complex64")
    throw new ValueError(`np.geomspace: complex endpoints need a complex dtype; got dtype ${dtype}`);
  if (dtype !== "complex64") {
    if (Math.sign(a[0]) !== Math.sign(b[0]))
      throw new ValueError(
        `np.geomspace: real start and stop must have the same sign; got ${a[0]}, ${b[0]} (pass { dtype: "complex64" } for numpy's spiral through the complex plane)`,
      );
    const sign = Math.sign(a[0]);
    const v = samples("geomspace", Math.log10(a[0] * sign), Math.log10(b[0] * sign), num, endpointOn).map(
      (t) => 10 ** t,
    );
    if (num > 0) v[0] = a[0] * sign;
    if (num > 1 && endpointOn) v[num - 1] = b[0] * sign;
    return array(
      v.map((x) => x * sign),
      { dtype },
    );
  }
  // numpy: out_sign = start/|start|; start → |start|, stop → stop/out_sign; 10^linspace(log10 ·); rotate back.
  const mag = Math.hypot(a[0], a[1]);
  const sign: Complex = [a[0] / mag, a[1] / mag];
  const t = cdiv(b, sign);
  const logStart: Complex = [Math.log10(mag), 0];
  const logStop: Complex = [Math.log10(Math.hypot(t[0], t[1])), Math.atan2(t[1], t[0]) / Math.LN10];
  const re = samples("geomspace", logStart[0], logStop[0], num, endpointOn);
  const im = samples("geomspace", logStart[1], logStop[1], num, endpointOn);
  const v: Complex[] = re.map((r, k) => {
    const m = 10 ** r;
    return [m * Math.cos(im[k] * Math.LN10), m * Math.sin(im[k] * Math.LN10)];
  });
  if (num > 0) v[0] = [mag, 0];
  if (num > 1 && endpointOn) v[num - 1] = t;
  const data = new Float32Array(2 * num);
  v.forEach((z, k) => {
    const w = cmul(z, sign);
    data[2 * k] = w[0];
    data[2 * k + 1] = w[1];
  });
  return array(data, { dtype: "complex64" });
}
