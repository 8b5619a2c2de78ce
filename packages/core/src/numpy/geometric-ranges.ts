/**
 * numpy's logarithmically spaced ranges: logspace (base^linspace) and geomspace (a geometric
 * progression with exact endpoints). Computed on the host in float64, like `linspace`.
 */
import type { Array } from "../core/array.ts";
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
  if (!Number.isInteger(num) || num < 0) throw new ValueError(`np.${op}: num must be a non-negative integer; got ${num}`);
  if (!Number.isFinite(start) || !Number.isFinite(stop)) throw new ValueError(`np.${op}: start and stop must be finite; got ${start}, ${stop}`);
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

/**
 * `num` samples of the geometric progression from start to stop (numpy's `geomspace`): the
 * endpoints are exact; both must be non-zero with the same sign.
 */
export function geomspace(start: number, stop: number, num = 50, opts: Omit<LogspaceOptions, "base"> = {}): Array {
  if (start === 0 || stop === 0) throw new ValueError("np.geomspace: geometric sequence cannot include zero");
  if (Math.sign(start) !== Math.sign(stop))
    throw new ValueError(`np.geomspace: start and stop must have the same sign (complex results are not supported); got ${start}, ${stop}`);
  const sign = Math.sign(start);
  const v = samples("geomspace", Math.log10(start * sign), Math.log10(stop * sign), num, opts.endpoint ?? true).map((t) => 10 ** t);
  if (num > 0) v[0] = start * sign;
  if (num > 1 && (opts.endpoint ?? true)) v[num - 1] = stop * sign;
  return array(
    v.map((x) => x * sign),
    { dtype: opts.dtype ?? "float32" },
  );
}
