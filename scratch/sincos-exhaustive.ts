// Every float32 input of one sign (argv[2]: 0 → +, 1 → −; optional argv[3..4]: first and end of the
// magnitude-bits range; argv[5] "scalar": skip the .f32x4 forms — on |x| ≥ 2^19 they call the scalar
// routine lane by lane, so there they add only time; "vector": only the .f32x4 forms): the kernels' sin/cos against Math.fround(Math.sin/cos(x)).
// A mismatch prints the input bits, both results, and how far V8's double lies from a float32 midpoint
// (in float64 ulps) — the exception tables in sincos-f32.ts hold only inputs where that is ≤ a few ulps.
import { ModuleBuilder } from "../packages/backend-cpu/src/wasm/emitter.ts";
import { Library } from "../packages/backend-cpu/src/wasm/libm/library.ts";
import { SINCOS_F32 } from "../packages/backend-cpu/src/wasm/libm/sincos-f32.ts";
const N = 1 << 22;
const mem = new WebAssembly.Memory({ initial: (20 * N) / 65536 + 1 });
const mb = new ModuleBuilder({ shared: false, minPages: 0 });
const lib = new Library(mb, SINCOS_F32);
const names = ["sin.f32x4", "cos.f32x4", "sin", "cos"];
const idx = names.map((n) => lib.index(n));
mb.func(["i32"], [], (c) => {
  const i = c.local("i32");
  c.block().loop(); c.get(i).get(0).op(0x4e).brIf(1);
  for (let j = 2; j < 4; j++) { c.get(i).i32(2).op(0x74).i32(4 * N * (j + 1)).op(0x6a); c.get(i).i32(2).op(0x74).op(0x2a, 2, 0).op(0xbb).call(idx[j]).op(0xb6).op(0x38, 2, 0); }
  c.get(i).i32(1).op(0x6a).set(i).br(0).end().end();
}, "scalar");
mb.func(["i32"], [], (c) => {
  const i = c.local("i32");
  c.block().loop(); c.get(i).get(0).op(0x4e).brIf(1);
  for (let j = 0; j < 2; j++) { c.get(i).i32(2).op(0x74).i32(4 * N * (j + 1)).op(0x6a); c.get(i).i32(2).op(0x74).simdMem(0x00, 4).call(idx[j]); c.simdMem(0x0b, 4); }
  c.get(i).i32(4).op(0x6a).set(i).br(0).end().end();
}, "vec");
const inst = new WebAssembly.Instance(new WebAssembly.Module(mb.bytes()), { env: { memory: mem } });
const vec = inst.exports.vec as (n: number) => void;
const sc = inst.exports.scalar as (n: number) => void;
const bits = new Uint32Array(mem.buffer, 0, N);
const xs = new Float32Array(mem.buffer, 0, N);
const outs = [1, 2, 3, 4].map((j) => new Float32Array(mem.buffer, 4 * N * j, N));
const sign = Number(process.argv[2] ?? 0) << 31;
const first = Number(process.argv[3] ?? 0);
const end = Number(process.argv[4] ?? 2 ** 31);
const scalarOnly = process.argv[5] === "scalar";
const vectorOnly = process.argv[5] === "vector";
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const midDist = (d: number): number => { f64[0] = d; return Number((i64[0] & 0x1fffffffn) - 0x10000000n); };
const bad = [0, 0, 0, 0];
const t0 = performance.now();
for (let base = first; base < end; base += N) {
  const n = Math.min(N, end - base);
  for (let i = 0; i < n; i++) bits[i] = (sign | (base + i)) >>> 0;
  if (!vectorOnly) sc(n); // scalar forms into outs[2..3]
  if (!scalarOnly) vec(n - (n % 4));
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    const ds = Math.sin(x), dc = Math.cos(x);
    const ws = Math.fround(ds), wc = Math.fround(dc);
    for (let j = scalarOnly ? 2 : 0; j < (vectorOnly ? 2 : 4); j++) {
      const want = j % 2 ? wc : ws;
      const got = outs[j][i];
      if (!(got === want || (got !== got && want !== want)) || (got === 0 && 1 / got !== 1 / want)) {
        if (bad[j]++ < 40) console.log("mismatch", names[j], "0x" + bits[i].toString(16), x, "got", got, "want", want, "V8 double", j % 2 ? dc : ds, "ulps from midpoint", midDist(j % 2 ? dc : ds));
      }
    }
  }
}
console.log("sign", sign ? "-" : "+", "range", first, end, names.map((n, j) => `${n}: ${(scalarOnly && j < 2) || (vectorOnly && j >= 2) ? "skipped" : bad[j]}`).join(", "), "in", ((performance.now() - t0) / 1000).toFixed(0), "s");
