/**
 * Threads the CPU backend's pools use, the calling thread included: LINAX_CPU_THREADS in Node,
 * else 2 (this machine class has two cores); in a browser the page's `navigator.hardwareConcurrency`.
 * At most 16.
 */
import { envVar } from "../../env.ts";
export function threadCount(): number {
  const env = envVar("LINAX_CPU_THREADS");
  const hw =
    typeof process === "undefined" && typeof navigator !== "undefined" ? navigator.hardwareConcurrency : undefined;
  const n = env !== undefined ? Number(env) : (hw ?? 2);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 16) : 2;
}
