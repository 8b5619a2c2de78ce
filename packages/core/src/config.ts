/**
 * Global configuration flags, as JAX's `jax.config`: `config.update("jitCompile", false)`,
 * `config.read("jitCompile")`. Each flag can also come from an environment variable
 * (`LINAX_JIT_COMPILE=0`), read once at load time in Node; `update` always wins.
 */
import { ValueError } from "./errors.ts";

/** Every flag, its type and default. */
export interface ConfigFlags {
  /** `jit` compiles jaxprs to fused kernels (true) or interprets them primitive by primitive (false, the reference). */
  jitCompile: boolean;
  /**
   * `jit` stages nothing: a jitted function (nested ones and nn's `filterJit` included) runs its
   * body eagerly, op by op on concrete arrays — no tracing, no compile, so `x.item()` and JS
   * control flow on values work inside it (JAX's `jax_disable_jit`). See `disableJit(fn)`.
   */
  disableJit: boolean;
  /** Raise at the first primitive that produces a NaN. */
  debugNans: boolean;
  /** Raise at the first primitive that produces an infinity. */
  debugInfs: boolean;
  /** Check for tracers that outlive their transform. */
  checkTracerLeaks: boolean;
  /**
   * Compiled CPU kernels compute exp, log, tanh, logistic, erf, expm1 and log1p of float32 with
   * vectorised polynomials (each within its stated ulp bound, see backend-cpu/src/wasm/vmath.ts)
   * instead of the reference's scalar functions: much faster, no longer bit-identical to the reference.
   */
  fastMath: boolean;
  /**
   * The most input signatures each jitted function keeps traced (and compiled); past it the least
   * recently used is evicted (env `LINAX_JIT_CACHE_SIZE`, a positive integer). `clearCaches()`
   * empties them all.
   */
  jitCacheSize: number;
}

const DEFAULTS: ConfigFlags = {
  jitCompile: true,
  disableJit: false,
  debugNans: false,
  debugInfs: false,
  checkTracerLeaks: false,
  fastMath: false,
  jitCacheSize: 256,
};

/** `jitCompile` → `LINAX_JIT_COMPILE`. */
function envName(flag: string): string {
  return "LINAX_" + flag.replace(/[A-Z]/g, (c) => "_" + c).toUpperCase();
}

function parseBool(flag: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off", ""].includes(v)) return false;
  throw new ValueError(
    `config: environment variable ${envName(flag)}=${JSON.stringify(raw)} is not a boolean (use 1/0, true/false)`,
  );
}

function parseCount(flag: string, raw: string): number {
  const v = Number(raw.trim());
  if (raw.trim() === "" || !Number.isInteger(v) || v < 1)
    throw new ValueError(
      `config: environment variable ${envName(flag)}=${JSON.stringify(raw)} is not a positive integer`,
    );
  return v;
}

function readEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}

const values: ConfigFlags = { ...DEFAULTS };
for (const flag of Object.keys(DEFAULTS) as (keyof ConfigFlags)[]) {
  const raw = readEnv(envName(flag));
  if (raw === undefined) continue;
  if (typeof DEFAULTS[flag] === "number") (values as unknown as Record<string, number>)[flag] = parseCount(flag, raw);
  else (values as unknown as Record<string, boolean>)[flag] = parseBool(flag, raw);
}

function checkFlag(op: string, name: string): asserts name is keyof ConfigFlags {
  if (!Object.prototype.hasOwnProperty.call(DEFAULTS, name)) {
    throw new ValueError(`config.${op}: unknown flag '${name}' (flags: ${Object.keys(DEFAULTS).join(", ")})`);
  }
}

const onUpdate: ((name: keyof ConfigFlags) => void)[] = [];

/** Call `f` after every `config.update` (jit's caches shrink at once when their bound is lowered). */
export function onConfigUpdate(f: (name: keyof ConfigFlags) => void): void {
  onUpdate.push(f);
}

/** The library's configuration. */
export const config = {
  /** Set a flag. Unknown names and values of the wrong type are errors. */
  update<K extends keyof ConfigFlags>(name: K, value: ConfigFlags[K]): void {
    checkFlag("update", name);
    if (typeof value !== typeof DEFAULTS[name]) {
      throw new ValueError(
        `config.update('${name}', ${String(value)}): expected a ${typeof DEFAULTS[name]}, got ${typeof value}`,
      );
    }
    // Number flags are counts (cache sizes): a positive integer, never NaN, 0 or 2.5.
    if (typeof value === "number" && (!Number.isInteger(value) || value < 1)) {
      throw new ValueError(`config.update('${name}', ${String(value)}): expected a positive integer`);
    }
    values[name] = value;
    for (const f of onUpdate) f(name);
  },
  /** The current value of a flag. */
  read<K extends keyof ConfigFlags>(name: K): ConfigFlags[K] {
    checkFlag("read", name);
    return values[name];
  },
  /** Every flag's current value (a copy). */
  values(): Readonly<ConfigFlags> {
    return { ...values };
  },
  /** The environment variable that sets `name` at load time. */
  envName(name: keyof ConfigFlags): string {
    checkFlag("envName", name);
    return envName(name);
  },
};

/**
 * Run `fn` with `config.disableJit` set to `disable` (default true) and restore the previous value
 * afterwards, however `fn` exits — JAX's `with jax.disable_jit():` context manager. Every `jit`
 * called inside runs eagerly, which makes a jitted function debuggable with ordinary JS (print a
 * value with `x.item()`, branch on it). Synchronous: for an async `fn` only the part before its
 * first `await` runs under the flag, so set it with `config.update` around awaited code instead.
 */
export function disableJit<T>(fn: () => T, disable = true): T {
  if (typeof fn !== "function")
    throw new ValueError(`disableJit: expected a function to run, got ${fn === null ? "null" : typeof fn}`);
  if (typeof disable !== "boolean")
    throw new ValueError(`disableJit: disable must be a boolean, got ${typeof disable}`);
  const prev = values.disableJit;
  config.update("disableJit", disable);
  try {
    return fn();
  } finally {
    config.update("disableJit", prev);
  }
}
