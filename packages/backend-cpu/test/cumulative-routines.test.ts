/**
 * The cumulative routines (compile/routines/cumulative.ts on wasm/scan-lines.ts) == the reference
 * kernels (kernels/cumulative.ts) bit for bit (any NaN equals any NaN): every primitive and dtype
 * it takes, random shapes of rank 1–4 with sizes 0/1 and odd widths (every strip width and tail),
 * every axis, reverse, the transposed recurrence, special values (±0, ±∞, NaN, wrapping integers);
 * then eager calls on transposed operands, jitted programs and gradients through jitted programs,
 * each against the same program with `jitCompile` off (the reference backend).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, lax, np, random, ShapedArray, type Array, type DType, type TypedArray } from "linax-ts";
import { cpu, getKernel } from "@linax-ts/backend-cpu";
import type { CpuBuffer } from "../src/backend.ts";
import { cumulativeRoutine } from "../src/compile/routines/cumulative.ts";
import { fastRoutine } from "../src/compile/routine-table.ts";

/** mulberry32: a small seeded generator, so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

function assertSame(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    if (!sameBits(got[i], want[i])) assert.fail(`${what}: element ${i}: routine ${got[i]}, reference ${want[i]}`);
}

/** Random data of `dtype`, with special values mixed in. */
function data(dtype: DType, size: number, r: () => number, kind: string): TypedArray {
  const n = dtype === "complex64" ? 2 * size : size;
  if (dtype === "int32" || dtype === "uint32") {
    const out = dtype === "int32" ? new Int32Array(n) : new Uint32Array(n);
    // Small values (exact running products stay interesting) and full-range ones (wrapping).
    for (let i = 0; i < n; i++) out[i] = r() < 0.7 ? Math.floor(r() * 9) - 4 : Math.floor(r() * 2 ** 32);
    return out;
  }
  const out = new Float32Array(n);
  const specials = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e-30];
  for (let i = 0; i < n; i++) {
    const u = r();
    // Recurrence coefficients near 1 keep long lines finite; cumprod near ±1 as well.
    out[i] =
      u < 0.04
        ? specials[Math.floor(r() * specials.length)]
        : kind === "linearRecurrence" || kind === "cumprod"
          ? 0.6 + 0.5 * r() * (r() < 0.5 ? -1 : 1)
          : 4 * r() - 2;
  }
  return out;
}

const KINDS = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "linearRecurrence"] as const;
const DTYPES: Record<(typeof KINDS)[number], DType[]> = {
  cumsum: ["float32", "complex64", "int32", "uint32"],
  cumprod: ["float32", "complex64", "int32", "uint32"],
  cummax: ["float32", "int32", "uint32"],
  cummin: ["float32", "int32", "uint32"],
  cumlogsumexp: ["float32"],
  linearRecurrence: ["float32", "complex64"],
};
const DIMS = [0, 1, 1, 2, 3, 4, 5, 7, 16, 17, 19, 33];

test("cumulative routines are registered for every cumulative primitive", () => {
  for (const k of KINDS) assert.notEqual(fastRoutine(k), undefined, k);
});

for (const kind of KINDS) {
  test(`${kind} routine == reference kernel, bit for bit (random shapes, axes, reverse, dtypes)`, () => {
    const r = rng(1234 + kind.length);
    let cases = 0;
    for (const dtype of DTYPES[kind]) {
      for (let trial = 0; trial < 40; trial++) {
        const rank = 1 + Math.floor(r() * 4);
        const shape = globalThis.Array.from({ length: rank }, () => DIMS[Math.floor(r() * DIMS.length)]);
        // Keep sizes moderate, but let one case per dtype have a long scanned axis.
        if (trial === 0) shape.splice(0, shape.length, 3, 300, 21);
        const size = shape.reduce((a, b) => a * b, 1);
        if (size > 40000) continue;
        const aval = new ShapedArray(shape, dtype);
        const ins =
          kind === "linearRecurrence"
            ? [data(dtype, size, r, kind), data(dtype, size, r, "b")]
            : [data(dtype, size, r, kind)];
        for (let axis = 0; axis < shape.length; axis++) {
          for (const reverse of [false, true]) {
            for (const transposed of kind === "linearRecurrence" ? [false, true] : [false]) {
              const params = { axis, reverse, transposed };
              const what = `${kind} ${dtype} [${shape}] axis=${axis} reverse=${reverse} transposed=${transposed}`;
              const bufs = ins.map((d) => cpu.fromHost(d, aval) as CpuBuffer);
              const res = cumulativeRoutine(kind)(
                cpu,
                bufs,
                ins.map(() => aval),
                [aval],
                params,
              );
              assert.notEqual(res, undefined, `${what}: the routine took it`);
              const want = getKernel(kind)!(
                ins,
                ins.map(() => aval),
                [aval],
                params,
              )[0];
              assertSame(cpu.readSync(res![0]), want, what);
              for (const b of [...bufs, ...res!]) cpu.dispose(b);
              cases++;
            }
          }
        }
      }
    }
    assert.ok(cases > 50, `${cases} cases ran`);
  });
}

test("cumulative routines decline what they do not cover", () => {
  const aval = new ShapedArray([4], "bool");
  const b = cpu.fromHost(new Uint8Array(4), aval) as CpuBuffer;
  assert.equal(cumulativeRoutine("cumsum")(cpu, [b], [aval], [aval], { axis: 0, reverse: false }), undefined);
  cpu.dispose(b);
});

/** f() with the fast paths on, then with the reference backend; outputs must be identical. */
function onVsOff(what: string, f: () => Array[]): void {
  config.update("jitCompile", true);
  const got = f().map((a) => a.dataSync());
  config.update("jitCompile", false);
  let want: TypedArray[];
  try {
    want = f().map((a) => a.dataSync());
  } finally {
    config.update("jitCompile", true);
  }
  got.forEach((g, i) => assertSame(g, want[i], `${what}: output ${i}`));
}

const x = random.normal(random.PRNGKey(0), [6, 19, 5]);
const a = np.add(np.multiply(random.uniform(random.PRNGKey(1), [6, 19, 5]), 0.5), 0.5);
const ac = lax.complex(a, np.multiply(random.normal(random.PRNGKey(2), [6, 19, 5]), 0.3));
const bc = lax.complex(x, random.normal(random.PRNGKey(3), [6, 19, 5]));

test("eager cumulative ops on transposed and sliced operands == reference", () => {
  const xt = np.transpose(x, [2, 0, 1]);
  for (const axis of [0, 1, 2]) {
    for (const reverse of [false, true]) {
      onVsOff(`eager axis=${axis} reverse=${reverse}`, () => [
        lax.cumsum(xt, axis, reverse),
        lax.cumprod(np.multiply(xt, 0.5), axis, reverse),
        lax.cummax(xt, axis, reverse),
        lax.cummin(lax.slice(xt, [0, 1, 2], [5, 6, 19], [1, 2, 3]), axis, reverse),
        lax.cumlogsumexp(xt, axis, reverse),
        lax.cumsum(lax.convertElementType(np.multiply(xt, 1000), "int32"), axis, reverse),
        lax.linearRecurrence(np.transpose(a, [2, 0, 1]), xt, axis, reverse),
        lax.linearRecurrence(np.transpose(ac, [1, 0, 2]), np.transpose(bc, [1, 0, 2]), axis, reverse),
      ]);
    }
  }
});

test("jitted programs with cumulative ops == reference", () => {
  const f = jit((p: Array, q: Array, pc: Array, qc: Array): Array[] => {
    const h = lax.linearRecurrence(p, np.tanh(q), 1);
    const hc = lax.linearRecurrence(pc, qc, 2, true);
    return [
      np.add(lax.cumsum(h, 2), lax.cummax(q, 0, true)),
      lax.cumprod(hc, 1),
      lax.cumlogsumexp(np.multiply(h, 2), 1),
    ];
  });
  onVsOff("jit", () => f(a, x, ac, bc));
});

test("gradients through jitted programs with cumulative ops == reference", () => {
  const loss = (p: Array, q: Array, pc: Array, qc: Array): Array => {
    const h = lax.linearRecurrence(p, q, 1);
    const hc = lax.linearRecurrence(pc, qc, 1, true);
    const terms = [
      np.sum(np.multiply(h, h)),
      np.sum(np.real(np.multiply(hc, np.conj(hc)))),
      np.sum(np.multiply(lax.cumprod(p, 2), q)),
      np.sum(np.multiply(lax.cummax(q, 1), p)),
      np.sum(lax.cumlogsumexp(q, 0, true)),
      np.sum(np.multiply(lax.cumsum(q, 2, true), p)),
    ];
    return terms.reduce((s, t) => np.add(s, t));
  };
  const g = jit(grad(loss, { argnums: [0, 1, 2, 3] }));
  onVsOff("jit(grad)", () => g(a, x, ac, bc) as Array[]);
});
