/**
 * Test harness of the WebAssembly libm routines (src/wasm/libm), shared by wasm-libm.test.ts
 * and wasm-libm-sincos.test.ts: the loop that runs a four-lane (f32x4) or two-lane (f64x2)
 * routine over a whole buffer, so a test compares every lane of many vectors in one call, and the
 * bit-exact comparison and seeded generator both tests use. Not a test file itself.
 */
import { ModuleBuilder } from "../src/wasm/emitter.ts";
import { Library, type LibDef } from "../src/wasm/libm/library.ts";
import { KERNEL_ROUTINES } from "../src/compile/scalar-routines.ts";

// Wasm opcodes the loop uses (the emitter writes raw opcodes; see src/wasm/emitter.ts).
const I32_GE_S = 0x4e;
const I32_ADD = 0x6a;
const V128_LOAD = 0x00;
const V128_STORE = 0x0b;

/**
 * Add to `mb` an exported function `exportAs(bytes: i32, out: i32)` that calls library function
 * `routine` (v128 → v128) on each 16-byte vector of memory[0, bytes) and stores its result at the
 * same offset from `out` (`out` ≥ `bytes`, or `out` = 0 to work in place).
 */
export function emitVectorLoop(mb: ModuleBuilder, routine: number, exportAs: string): void {
  mb.func(
    ["i32", "i32"],
    [],
    (c) => {
      const i = c.local("i32");
      c.block().loop();
      c.get(i).get(0).op(I32_GE_S).brIf(1);
      c.get(i).get(1).op(I32_ADD);
      c.get(i).simdMem(V128_LOAD, 4).call(routine);
      c.simdMem(V128_STORE, 4);
      c.get(i).i32(16).op(I32_ADD).set(i).br(0).end().end();
    },
    exportAs,
  );
}

/**
 * A module of one such loop over routine `name` of the library `defs` (default: the kernels'
 * routines): `(bytes, out) => void` over `memory`.
 */
export function vectorKernel(
  name: string,
  memory: WebAssembly.Memory,
  defs: Readonly<Record<string, LibDef>> = KERNEL_ROUTINES,
): (bytes: number, out: number) => void {
  const mb = new ModuleBuilder({ shared: false, minPages: 0 });
  emitVectorLoop(mb, new Library(mb, defs).index(name), "run");
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mb.bytes()), { env: { memory } });
  return inst.exports.run as (bytes: number, out: number) => void;
}

/** Equal as values, with ±0 told apart and any NaN equal to any NaN (the routines' contract). */
export const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

/** A seeded generator (xorshift32) of uint32 values, so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}
