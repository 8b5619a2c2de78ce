/**
 * Micro-benchmark of the vectorised float32 transcendental functions (src/wasm/vmath.ts): ns per
 * element of each SIMD code sequence against calling the float64 JS function per element from
 * Wasm through an import (f32.load → f64.promote → call → f32.demote → f32.store, what the CPU
 * renderer does today for these ops), on 4M floats; also a plain copy (v128.load/store) as the
 * memory floor. Interleaved rounds, median of R after warm-up.
 *
 *   npx tsx packages/backend-cpu/scripts/bench-vmath.ts [--reps 7] [--n 4194304] [--fns exp,log]
 */
import { type Code, ModuleBuilder } from "../src/wasm/emitter.ts";
import { VMATH, type Scratch } from "../src/wasm/vmath.ts";
import { erfF32, log1pF32, logF32 } from "../src/kernels/special.ts";

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const reps = Number(opt("reps") ?? 7);
const n = Number(opt("n") ?? 4 * 1024 * 1024);
const fns = (opt("fns") ?? Object.keys(VMATH).join(",")).split(",");

/** The reference backend's scalar function per op (what the renderer imports today). */
const SCALAR: Record<string, (x: number) => number> = {
  exp: Math.exp,
  log: logF32,
  tanh: Math.tanh,
  logistic: (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))),
  erf: erfF32,
  sin: Math.sin,
  cos: Math.cos,
  expm1: Math.expm1,
  log1p: log1pF32,
};
/** Inputs of the usual domain per op. */
const RANGE: Record<string, [number, number]> = {
  exp: [-10, 10],
  log: [1e-3, 100],
  tanh: [-5, 5],
  logistic: [-10, 10],
  erf: [-3, 3],
  sin: [-10, 10],
  cos: [-10, 10],
  expm1: [-5, 5],
  log1p: [-0.9, 10],
};

const bytesNeeded = n * 8;
const memory = new WebAssembly.Memory({ initial: Math.ceil(bytesNeeded / 65536) + 1 });

type Run = (inp: number, out: number, n: number) => void;
function instantiate(build: (m: ModuleBuilder) => void, imports: Record<string, (x: number) => number> = {}): Run {
  const m = new ModuleBuilder({ shared: false, minPages: 1 });
  build(m);
  const mod = new WebAssembly.Module(m.bytes());
  return new WebAssembly.Instance(mod, { env: { memory, ...imports } }).exports.run as Run;
}

/** (in, out, n): four lanes at a time through `body` (v128 → v128). */
function simdLoop(m: ModuleBuilder, body: (c: Code, scratch: Scratch) => void): void {
  m.func(
    ["i32", "i32", "i32"],
    [],
    (c) => {
      const i = c.local("i32");
      c.block().loop();
      c.get(i).get(2).op(0x4e).brIf(1);
      c.get(1).get(i).i32(2).op(0x74).op(0x6a);
      c.get(0).get(i).i32(2).op(0x74).op(0x6a).simdMem(0x00, 4);
      body(c, (t) => c.local(t));
      c.simdMem(0x0b, 4);
      c.get(i).i32(4).op(0x6a).set(i).br(0).end().end();
    },
    "run",
  );
}

/** (in, out, n): one imported f64 → f64 call per element. */
function importLoop(m: ModuleBuilder): void {
  const f = m.importFunc("f", ["f64"], ["f64"]);
  m.func(
    ["i32", "i32", "i32"],
    [],
    (c) => {
      const i = c.local("i32");
      c.block().loop();
      c.get(i).get(2).op(0x4e).brIf(1);
      c.get(1).get(i).i32(2).op(0x74).op(0x6a);
      c.get(0).get(i).i32(2).op(0x74).op(0x6a).mem(0x2a, 2).op(0xbb).call(f).op(0xb6).mem(0x38, 2);
      c.get(i).i32(1).op(0x6a).set(i).br(0).end().end();
    },
    "run",
  );
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const inp = 0;
const out = n * 4;
const xs = new Float32Array(memory.buffer, inp, n);
const copy = instantiate((m) => simdLoop(m, () => {}));
const rows: { name: string; simd: number; scalar: number }[] = [];
const timeIt = (run: Run): number => {
  const t0 = performance.now();
  run(inp, out, n);
  return ((performance.now() - t0) * 1e6) / n;
};
const copyTimes: number[] = [];
for (const name of fns) {
  const [lo, hi] = RANGE[name];
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    xs[i] = lo + ((s >>> 8) / 16777216) * (hi - lo);
  }
  const simd = instantiate((m) => simdLoop(m, VMATH[name].emit));
  const scalar = instantiate(importLoop, { f: SCALAR[name] });
  for (let w = 0; w < 4; w++) [simd, scalar, copy].forEach(timeIt);
  const ts: number[] = [];
  const tc: number[] = [];
  for (let r = 0; r < reps; r++) {
    ts.push(timeIt(simd));
    tc.push(timeIt(scalar));
    copyTimes.push(timeIt(copy));
  }
  rows.push({ name, simd: median(ts), scalar: median(tc) });
}
console.log(
  `vmath: ns/element on ${n} float32 (median of ${reps}); copy (v128 load/store) ${median(copyTimes).toFixed(2)} ns/element`,
);
console.log("| function | SIMD ns/elt | Math.* via import ns/elt | speed-up | max ulp |");
console.log("|---|---|---|---|---|");
for (const r of rows)
  console.log(
    `| ${r.name} | ${r.simd.toFixed(2)} | ${r.scalar.toFixed(2)} | ${(r.scalar / r.simd).toFixed(1)}× | ${VMATH[r.name].maxUlp} |`,
  );
