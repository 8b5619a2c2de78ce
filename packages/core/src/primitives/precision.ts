/**
 * JAX's `precision` argument of the dot and convolution products (`lax.Precision`).
 *
 * On XLA:CPU it changes nothing: float32 products are always computed in float32 ("highest"), and
 * the values JAX gives on CPU are the same for every precision. Our backends do the same (the CPU
 * kernels and the WGSL kernels multiply and accumulate float32 in float32 for every setting), so
 * `precision` is validated and accepted, and results equal JAX's on CPU. (On TPU, and for
 * "default" on some GPUs, JAX trades accuracy for speed with bfloat16 / TF32 passes; that
 * lower-precision arithmetic is never emulated here.)
 */
import { ValueError } from "../errors.ts";

/** The names `lax.Precision` accepts (its members and their aliases). */
export type PrecisionName = "default" | "high" | "highest" | "fastest" | "bfloat16" | "tensorfloat32" | "float32";
/** `precision=`: one name for both operands, a pair (lhs, rhs), or null (the default). */
export type PrecisionLike = PrecisionName | readonly [PrecisionName, PrecisionName] | null;

const NAMES: readonly string[] = ["default", "high", "highest", "fastest", "bfloat16", "tensorfloat32", "float32"];

/** Validate a `precision` option (`lax.canonicalize_precision`'s accepted forms). */
export function checkPrecision(op: string, p: unknown): void {
  if (p === undefined || p === null) return;
  const ok = (v: unknown): boolean => typeof v === "string" && NAMES.includes(v.toLowerCase());
  if (ok(p)) return;
  if (globalThis.Array.isArray(p) && p.length === 2 && p.every(ok)) return;
  throw new ValueError(
    `${op}: precision must be null, one of ${NAMES.map((n) => `'${n}'`).join(", ")}, or a pair of them (lhs, rhs); got ${JSON.stringify(p) ?? String(p)}`,
  );
}
