// ns/element of a jitted float32 sin (and cos) over 4M floats: the WebAssembly routines
// (sincos-f32.ts, registered in scalar-routines.ts) against the import of the reference's JS
// function, both in this one process. The import path is had by hiding "sin"/"cos" from
// ROUTINE_OPS/VECTOR_OPS (a patched Set.prototype.has) while those programs compile.
//   node --import tsx scratch/sincos-bench.ts [minval maxval]
import { jit, np, random, type Array } from "linax-ts";
const N = 1 << 22;
const lo = Number(process.argv[2] ?? -10);
const hi = Number(process.argv[3] ?? 10);
const x = random.uniform(random.PRNGKey(0), [N], { minval: lo, maxval: hi });
const has = Set.prototype.has;
let hide = false;
Set.prototype.has = function (this: Set<unknown>, v: unknown): boolean {
  if (hide && (v === "sin" || v === "cos") && has.call(this, "tanh")) return false; // ROUTINE_OPS / VECTOR_OPS only
  return has.call(this, v);
};
// Which path each program took: the function imports of each WebAssembly module compiled.
const Module = WebAssembly.Module;
const imports: number[] = [];
(WebAssembly as { Module: unknown }).Module = new Proxy(Module, {
  construct(target, args: [BufferSource]) {
    const m = new target(...args);
    imports.push(Module.imports(m).filter((i) => i.kind === "function").length);
    return m;
  },
});
const time = (f: (a: Array) => Array): number => {
  for (let i = 0; i < 3; i++) f(x).dispose();
  const ts: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    const r = f(x);
    r.dataSync();
    ts.push(performance.now() - t0);
    r.dispose();
  }
  ts.sort((a, b) => a - b);
  return (ts[ts.length >> 1] * 1e6) / N;
};
for (const [name, op] of [["sin", np.sin], ["cos", np.cos]] as const) {
  imports.length = 0;
  hide = true;
  const imported = jit((a: Array) => op(a));
  imported(x).dispose(); // compiled while hidden
  hide = false;
  const routine = jit((a: Array) => op(a).mul(1)); // a different program, so no cached module is shared
  const plainRoutine = jit((a: Array) => op(a));
  plainRoutine(x).dispose();
  routine(x).dispose();
  const ti = time(imported);
  const tr = time(plainRoutine);
  const tr2 = time(routine);
  const a = imported(x).dataSync();
  const b = plainRoutine(x).dataSync();
  let diff = 0;
  for (let i = 0; i < N; i++) if (!Object.is(a[i], b[i])) diff++;
  console.log(`${name} over ${N} floats in [${lo}, ${hi}]: import ${ti.toFixed(2)} ns/elt, routine ${tr.toFixed(2)} ns/elt (×${(ti / tr).toFixed(1)}; with a fused ·1 ${tr2.toFixed(2)}); results differing: ${diff}; function imports of the modules compiled (import, routine, ·1 routine): ${imports.join(", ")}`);
}
