/**
 * The CPU backend's settings from environment variables (LINAX_CPU_THREADS, LINAX_POOL_MIN_WORK,
 * LINAX_FUSE_EPILOGUES …): read through `globalThis.process`, so that a browser, which has no
 * `process`, gets `undefined` (the defaults) instead of a ReferenceError.
 */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}
