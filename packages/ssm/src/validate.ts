/**
 * Checks shared by the model-system configs. linax validates almost nothing (SPEC §3, §14.6) and
 * fails later with shape errors deep inside a call; the port rejects a bad field when the config
 * is constructed, naming the config, the field and the value.
 */
import { ValueError } from "@linax-ts/core";

/** `value` as a positive integer, or a `ValueError` naming `where` and `field`. */
export function positiveInt(where: string, field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new ValueError(`${where}: ${field} must be a positive integer; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` as a number in `[lo, hi)`, or a `ValueError`. */
export function inHalfOpen(where: string, field: string, value: unknown, lo: number, hi: number): number {
  if (typeof value !== "number" || !(value >= lo && value < hi)) {
    throw new ValueError(`${where}: ${field} must be a number in [${lo}, ${hi}); got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` as a boolean, or a `ValueError` (catches `"false"` and `0` passed by mistake). */
export function bool(where: string, field: string, value: unknown): boolean {
  if (typeof value !== "boolean")
    throw new ValueError(`${where}: ${field} must be a boolean; got ${JSON.stringify(value)}`);
  return value;
}

/** `value` if it is an instance of `cls`, else a `ValueError` saying what was expected. */
export function instanceOf<T>(
  where: string,
  field: string,
  value: unknown,
  cls: abstract new (...args: never[]) => T,
): T {
  if (!(value instanceof cls)) {
    const got =
      value === null || value === undefined
        ? String(value)
        : typeof value === "object"
          ? (value as object).constructor.name
          : typeof value;
    throw new ValueError(`${where}: ${field} must be a ${cls.name}; got ${got}`);
  }
  return value;
}

/**
 * Reject option keys a config does not know (a typo such as `stateDimm` must not silently fall
 * back to the default): `opts` is undefined or a plain object with keys from `allowed`.
 */
export function knownOptions(where: string, opts: unknown, allowed: readonly string[]): void {
  if (opts === undefined) return;
  if (typeof opts !== "object" || opts === null || globalThis.Array.isArray(opts)) {
    throw new ValueError(
      `${where}: expected an options object; got ${opts === null ? "null" : globalThis.Array.isArray(opts) ? "a list" : typeof opts}`,
    );
  }
  for (const k of Object.keys(opts)) {
    if (!allowed.includes(k))
      throw new ValueError(`${where}: unknown option '${k}'; the options are ${allowed.join(", ")}`);
  }
}

/** `value` as a finite number > 0 (`orZero`: ≥ 0), or a `ValueError` (NaN and ±Infinity included). */
export function positiveFinite(where: string, field: string, value: unknown, orZero = false): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !(orZero ? value >= 0 : value > 0)) {
    throw new ValueError(
      `${where}: ${field} must be a finite number ${orZero ? "≥" : ">"} 0; got ${typeof value === "number" ? String(value) : JSON.stringify(value)}`,
    );
  }
  return value;
}

/** The initial step range of an SSM: `0 < dtMin ≤ dtMax < ∞` (log-uniform sampling needs both positive). */
export function stepRange(where: string, dtMin: unknown, dtMax: unknown): void {
  positiveFinite(where, "dtMin", dtMin);
  positiveFinite(where, "dtMax", dtMax);
  if ((dtMin as number) > (dtMax as number))
    throw new ValueError(`${where}: need dtMin ≤ dtMax; got dtMin=${String(dtMin)}, dtMax=${String(dtMax)}`);
}
