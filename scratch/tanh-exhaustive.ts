// Every float32 input of one sign (argv[2]: 0 → +, 1 → −): the kernels' tanh.f32x4 against Math.fround(Math.tanh(x)).
import { ModuleBuilder } from "../packages/backend-cpu/src/wasm/emitter.ts";
import { Library } from "../packages/backend-cpu/src/wasm/libm/library.ts";
import { KERNEL_ROUTINES } from "../packages/backend-cpu/src/compile/scalar-routines.ts";
const name = process.argv[3] ?? "tanh";
const ref = ({ tanh: Math.tanh, exp: Math.exp, expm1: Math.expm1, logistic: (v: number) => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v))) } as Record<string, (v: number) => number>)[name];
const N = 1 << 22;
const mem = new WebAssembly.Memory({ initial: (8 * N) / 65536 + 1 });
const mb = new ModuleBuilder({ shared: false, minPages: 0 });
const lib = new Library(mb, KERNEL_ROUTINES);
const vi = lib.index(`${name}.f32x4`);
mb.func(["i32"], [], (c) => {
  const i = c.local("i32");
  c.block().loop(); c.get(i).get(0).op(0x4e).brIf(1);
  c.get(i).i32(2).op(0x74).i32(4 * N).op(0x6a);
  c.get(i).i32(2).op(0x74).simdMem(0x00, 4).call(vi); c.simdMem(0x0b, 4);
  c.get(i).i32(4).op(0x6a).set(i).br(0).end().end();
}, "run");
const run = new WebAssembly.Instance(new WebAssembly.Module(mb.bytes()), { env: { memory: mem } }).exports.run as (n: number) => void;
const bits = new Uint32Array(mem.buffer, 0, N);
const xs = new Float32Array(mem.buffer, 0, N);
const ys = new Float32Array(mem.buffer, 4 * N, N);
const sign = Number(process.argv[2] ?? 0) << 31;
let bad = 0;
const t0 = performance.now();
for (let base = 0; base < 2 ** 31; base += N) {
  for (let i = 0; i < N; i++) bits[i] = (sign | (base + i)) >>> 0;
  run(N);
  for (let i = 0; i < N; i++) {
    const want = Math.fround(ref(xs[i]));
    const got = ys[i];
    if (!(got === want || (got !== got && want !== want)) || (got === 0 && 1 / got !== 1 / want)) {
      if (bad++ < 10) console.log("mismatch", xs[i], got, want);
    }
  }
}
console.log(name, "sign", sign ? "-" : "+", "mismatches", bad, "in", ((performance.now() - t0) / 1000).toFixed(0), "s");
