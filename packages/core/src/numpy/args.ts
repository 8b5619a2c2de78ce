/**
 * Argument checking for the numpy layer: numpy/JAX take `axis` positionally (`np.sum(x, -1)`)
 * or as a keyword (`np.sum(x, { axis: -1 })`), and a JS caller can pass anything. These helpers
 * accept both spellings and reject what numpy would reject — an unknown option key, a string
 * where an axis belongs, an axis given twice — with an error naming the function and argument,
 * instead of silently ignoring it (before this, `np.sum(x, -1)` summed every axis).
 */
import { Array } from "../core/array.ts";
import { isDType } from "../dtype.ts";
import { ValueError } from "../errors.ts";

/**
 * What an option may hold: "axis" (an integer or null), "axes" (an integer, a list of them, or
 * null), "boolean", "number", "integer", "dtype", "arraylike" (an Array, number, boolean or nested
 * list), "any" (checked by the function itself), or a list of the allowed strings.
 */
export type OptionKind =
  "axis" | "axes" | "boolean" | "number" | "integer" | "dtype" | "arraylike" | "any" | readonly string[];
/** The options a function accepts, each with its kind. */
export type OptionSpec = Readonly<Record<string, OptionKind>>;

/** A short description of a received value for error messages. */
export function describeValue(v: unknown): string {
  if (v instanceof Array) return `an array ${v.aval.toString()}`;
  if (v === null) return "null";
  if (globalThis.Array.isArray(v)) return `the list ${safeJson(v)}`;
  if (typeof v === "string") return `the string ${JSON.stringify(v)}`;
  if (typeof v === "object") return `an object (${(v as object).constructor?.name ?? "Object"})`;
  if (typeof v === "function") return "a function";
  return `${typeof v} ${String(v)}`;
}

function safeJson(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return "[...]";
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

function isArrayLike(v: unknown): boolean {
  if (v instanceof Array || typeof v === "number" || typeof v === "boolean" || ArrayBuffer.isView(v)) return true;
  return globalThis.Array.isArray(v) && v.every(isArrayLike);
}

function kindOk(v: unknown, kind: OptionKind): boolean {
  if (typeof kind !== "string") return typeof v === "string" && kind.includes(v);
  switch (kind) {
    case "axis":
      return v === null || isInt(v);
    case "axes":
      return v === null || isInt(v) || (globalThis.Array.isArray(v) && v.every(isInt));
    case "boolean":
      return typeof v === "boolean";
    case "number":
      return typeof v === "number";
    case "integer":
      return isInt(v);
    case "dtype":
      return isDType(v);
    case "arraylike":
      return isArrayLike(v);
    case "any":
      return true;
  }
  return false;
}

function kindName(kind: OptionKind): string {
  if (typeof kind !== "string") return `one of ${kind.map((s) => JSON.stringify(s)).join(", ")}`;
  switch (kind) {
    case "axis":
      return "an integer axis or null";
    case "axes":
      return "an integer axis, a list of integer axes, or null";
    case "boolean":
      return "a boolean";
    case "number":
      return "a number";
    case "integer":
      return "an integer";
    case "dtype":
      return "a dtype name";
    case "arraylike":
      return "an array, a number, a boolean or a nested list of numbers";
    default:
      return "a value";
  }
}

/** Whether `v` is a plain options object (not an Array, list, typed array or null). */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === "object" &&
    v !== null &&
    !(v instanceof Array) &&
    !globalThis.Array.isArray(v) &&
    !ArrayBuffer.isView(v)
  );
}

/**
 * Check an options object against `spec`: it must be a plain object, every key must be known and
 * every (defined) value of the right kind. `undefined` passes (no options).
 */
export function checkOptions(op: string, opts: unknown, spec: OptionSpec): void {
  if (opts === undefined) return;
  if (!isOptionsObject(opts)) {
    throw new ValueError(
      `${op}: expected an options object { ${Object.keys(spec).join(", ")} }; got ${describeValue(opts)}`,
    );
  }
  for (const [k, v] of Object.entries(opts)) {
    const kind = spec[k];
    if (kind === undefined) {
      const known = Object.keys(spec);
      throw new ValueError(
        `${op}: unknown option '${k}'${known.length ? `; the options are ${known.join(", ")}` : " (it takes no options)"}`,
      );
    }
    if (v !== undefined) checkValue(op, k, v, kind);
  }
}

/** Check one argument value (`arg` names it in the message). */
export function checkValue(op: string, arg: string, v: unknown, kind: OptionKind): void {
  if (!kindOk(v, kind)) throw new ValueError(`${op}: '${arg}' must be ${kindName(kind)}; got ${describeValue(v)}`);
}

/**
 * Read numpy's `(x, axis, opts)` / `(x, opts)` calling conventions into one options object.
 * `axisOrOpts` is the positional axis (checked against `spec.axis`) or the options object;
 * giving the axis both ways is an error, as numpy's "got multiple values for argument 'axis'".
 */
export function axisOptions<O extends object>(op: string, axisOrOpts: unknown, opts: unknown, spec: OptionSpec): O {
  const axisKind = spec.axis ?? "axes";
  if (axisOrOpts === undefined) {
    checkOptions(op, opts, spec);
    return { ...((opts as O | undefined) ?? {}) } as O;
  }
  if (isOptionsObject(axisOrOpts)) {
    if (opts !== undefined)
      throw new ValueError(
        `${op}: options were given twice (an options object in place of the axis, and another after it)`,
      );
    checkOptions(op, axisOrOpts, spec);
    return { ...axisOrOpts } as O;
  }
  checkValue(op, "axis", axisOrOpts, axisKind);
  checkOptions(op, opts, spec);
  if (opts !== undefined && (opts as { axis?: unknown }).axis !== undefined) {
    throw new ValueError(
      `${op}: got multiple values for 'axis' (positionally ${describeValue(axisOrOpts)} and in the options)`,
    );
  }
  return { ...((opts as O | undefined) ?? {}), axis: axisOrOpts } as O;
}
