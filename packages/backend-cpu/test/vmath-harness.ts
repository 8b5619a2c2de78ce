/**
 * Runs one `emitF32x4*` code sequence over a Float32Array: a tiny module whose function
 * `(in, out, n)` loops v128.load → emit → v128.store over n floats (n a multiple of 4). Shared by
 * the vmath test and the benchmark script. Also the ulp distance the test measures with.
 */
import { type Code, ModuleBuilder } from "../src/wasm/emitter.ts";
import type { Scratch } from "../src/wasm/vmath.ts";

export type Emit = (c: Code, scratch: Scratch) => void;

/** A compiled kernel mapping `xs` (length a multiple of 4) to a new Float32Array. */
export function vmathKernel(emit: Emit): (xs: Float32Array) => Float32Array {
  const m = new ModuleBuilder({ shared: false, minPages: 1 });
  m.func(
    ["i32", "i32", "i32"],
    [],
    (c) => {
      const [inp, out, n] = [0, 1, 2];
      const i = c.local("i32");
      c.block().loop();
      c.get(i).get(n).op(0x4e).brIf(1); // i >= n → exit
      c.get(out).get(i).i32(2).op(0x74).op(0x6a);
      c.get(inp).get(i).i32(2).op(0x74).op(0x6a).simdMem(0x00, 4);
      emit(c, (t) => c.local(t));
      c.simdMem(0x0b, 4);
      c.get(i).i32(4).op(0x6a).set(i).br(0).end().end();
    },
    "run",
  );
  const bytes = m.bytes();
  if (!WebAssembly.validate(bytes)) throw new Error("vmath kernel does not validate");
  const memory = new WebAssembly.Memory({ initial: 1 });
  const run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.run as (
    a: number,
    b: number,
    n: number,
  ) => void;
  return (xs) => {
    if (xs.length % 4 !== 0) throw new Error("vmathKernel: length must be a multiple of 4");
    const need = xs.length * 8 + 64;
    if (memory.buffer.byteLength < need) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    new Float32Array(memory.buffer, 0, xs.length).set(xs);
    run(0, xs.length * 4, xs.length);
    return new Float32Array(memory.buffer, xs.length * 4, xs.length).slice();
  };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** float32 bits mapped to an integer that is monotone in the value (−0 and +0 both 0). */
function ordered(x: number): number {
  f32[0] = x;
  const b = u32[0];
  return b & 0x80000000 ? -(b & 0x7fffffff) : b;
}

/** ulps between two float32 values; 0 if both are NaN, Infinity if exactly one is. */
export function ulpDistance(a: number, b: number): number {
  const na = Number.isNaN(a);
  const nb = Number.isNaN(b);
  if (na || nb) return na && nb ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}

/** The float32 with these bits. */
export function fromBits(u: number): number {
  u32[0] = u >>> 0;
  return f32[0];
}
