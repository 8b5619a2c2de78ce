/** Threads the CPU backend's pools use, the calling thread included: LINAX_CPU_THREADS, else 2 (this machine class has two cores). */
export function threadCount(): number {
  const env = typeof process !== "undefined" ? process.env?.LINAX_CPU_THREADS : undefined;
  const n = env === undefined ? 2 : Number(env);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, 16) : 2;
}
