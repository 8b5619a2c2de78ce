/**
 * WGSL kernel of `sort` (core's primitives/sort.ts): multi-operand sort along `dimension` by the
 * lexicographic order of the first `numKeys` operands, always stable (as the CPU kernel, so
 * `isStable: false` gives the same result), every dtype.
 *
 * Plan (each line = the `n` elements along `dimension` at one position of the other axes):
 *  1. one pass per key encodes its elements into order-preserving u32 words (sort-wgsl.ts), laid
 *     out [line][position][word] in scratch buffer 0;
 *  2. a bitonic sorting network over each line's positions 0..P-1 (P = n rounded up to a power of
 *     two; positions ≥ n are padding that sorts last) permutes scratch buffer 1 (`perm`). Ties
 *     break by position, making the order total, so the result is the stable sort. Stages whose
 *     pairs lie within a block of B ≤ 128 positions run in workgroup memory, many stages per
 *     pass; only stages with pair distance ≥ B run one global pass each, with (k, j) in uniforms;
 *  3. one gather pass per operand moves elements (as raw u32 words: bit for bit, NaN payloads
 *     included) to their sorted positions.
 */
import type { DType, lax } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { declare, grid, type Pass, type Program } from "../program.ts";
import { WGSL_FKEY, encodeWords, exchange, keyWords, rawType, wgslBefore } from "./sort-wgsl.ts";

/**
 * Largest block sorted in workgroup memory (B/2 threads, one compare-exchange each). 128 rather
 * than 512: SwiftShader (the CI adapter) compiles the looping, barrier-heavy local pass 3x slower
 * at 256 threads, and a sort of 2^20 elements then needs 91 global passes instead of 66 — cheap ones.
 */
const MAX_BLOCK = 128;
const MAX_GROUPS = 65535;

/** Static geometry of one sort: `lines` lines of `n` elements, `inner` = stride of `dimension`. */
interface Geometry {
  readonly n: number;
  readonly inner: number;
  readonly lines: number;
  /** Network size: n rounded up to a power of two. */
  readonly p: number;
  /** Workgroup-memory block: min(p, MAX_BLOCK). */
  readonly b: number;
  /** Encoded words per element (all keys). */
  readonly w: number;
}

/** WGSL: the line and position along `dimension` of the flat element index `i`. */
function position(g: Geometry): string {
  return `  let o = i / ${g.n * g.inner}u;
  let k = (i / ${g.inner}u) % ${g.n}u;
  let jj = i % ${g.inner}u;
  let line = o * ${g.inner}u + jj;`;
}

const UNIFORM = (binding: number): string => `@group(0) @binding(${binding}) var<uniform> U: vec4<u32>;`;

/** Pass writing key `key`'s encoded words at word offset `off` of every element. */
function encodePass(g: Geometry, key: number, dtype: DType, off: number, size: number): Pass {
  const { wgsl, bindings } = declare([
    { name: "inp", slot: { in: key }, type: rawType(dtype) },
    { name: "keys", slot: { temp: 0 }, type: "u32", write: true },
  ]);
  const words = encodeWords(dtype, "v");
  const stores = words.map((e, c) => `  keys[dst + ${c}u] = ${e};`).join("\n");
  const gr = grid(size);
  const code = `${wgsl}\n${WGSL_FKEY}\n${gr.header}${position(g)}
  let v = inp[i];
  let dst = (line * ${g.n}u + k) * ${g.w}u + ${off}u;
${stores}
}
`;
  return { code, bindings, workgroups: gr.workgroups };
}

/**
 * Pass running, in workgroup memory, the network stages k = U.x..U.y (doubling), starting at
 * pair distance U.z for the first k and k/2 for the others, down to distance 1, on each block of
 * B positions. `init` starts from the identity permutation instead of loading `perm`.
 */
function localPass(g: Geometry, init: boolean, kFrom: number, kTo: number, jFrom: number): Pass {
  const { wgsl, bindings } = declare([
    { name: "keys", slot: { temp: 0 }, type: "u32" },
    { name: "perm", slot: { temp: 1 }, type: "u32", write: true },
  ]);
  const half = g.b / 2;
  const perLine = g.p / g.b;
  const groups = g.lines * perLine;
  const nx = Math.min(groups, MAX_GROUPS);
  const ny = Math.ceil(groups / nx);
  const load = init
    ? `  sh[t] = base + t;\n  sh[t + ${half}u] = base + t + ${half}u;`
    : `  sh[t] = perm[row + base + t];\n  sh[t + ${half}u] = perm[row + base + t + ${half}u];`;
  // Barriers sit in control flow that depends only on workgroup_id and uniforms (uniform).
  const code = `${wgsl}
${UNIFORM(2)}
var<workgroup> sh: array<u32, ${g.b}>;
${wgslBefore(g.n, g.w)}
@compute @workgroup_size(${half})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let wg = wid.x + wid.y * ${nx}u;
  if (wg >= ${groups}u) { return; }
  let line = wg / ${perLine}u;
  let base = (wg % ${perLine}u) * ${g.b}u;
  let row = line * ${g.p}u;
${load}
  workgroupBarrier();
  var k = U.x;
  var j = U.z;
  loop {
    if (k > U.y) { break; }
    loop {
      if (j == 0u) { break; }
      let lo = (t / j) * 2u * j + (t % j);
      {${exchange("sh", "lo", "lo + j", "base + lo", "k", "line")}
      }
      workgroupBarrier();
      j = j / 2u;
    }
    k = k * 2u;
    j = k / 2u;
  }
  perm[row + base + t] = sh[t];
  perm[row + base + t + ${half}u] = sh[t + ${half}u];
}
`;
  return { code, bindings, uniforms: new Uint32Array([kFrom, kTo, jFrom, 0]), workgroups: [nx, ny, 1] };
}

/** One global stage (k, j) of the network (pair distance j ≥ B), one thread per pair. */
function globalPass(g: Geometry, k: number, j: number): Pass {
  const { wgsl, bindings } = declare([
    { name: "keys", slot: { temp: 0 }, type: "u32" },
    { name: "perm", slot: { temp: 1 }, type: "u32", write: true },
  ]);
  const pairs = g.p / 2;
  const gr = grid(g.lines * pairs);
  const code = `${wgsl}
${UNIFORM(2)}
${wgslBefore(g.n, g.w)}
${gr.header}  let line = i / ${pairs}u;
  let q = i % ${pairs}u;
  let j = U.y;
  let lo = (q / j) * 2u * j + (q % j);
  let row = line * ${g.p}u;
  {${exchange("perm", "row + lo", "row + lo + j", "lo", "U.x", "line")}
  }
}
`;
  return { code, bindings, uniforms: new Uint32Array([k, j, 0, 0]), workgroups: gr.workgroups };
}

/** Pass moving operand `op` to its sorted order (`sorted`: false when n = 1, a plain copy). */
function gatherPass(g: Geometry, op: number, dtype: DType, size: number, sorted: boolean): Pass {
  const { wgsl, bindings } = declare([
    { name: "inp", slot: { in: op }, type: rawType(dtype) },
    { name: "out", slot: { out: op }, type: rawType(dtype), write: true },
    ...(sorted ? [{ name: "perm", slot: { temp: 1 }, type: "u32" }] : []),
  ]);
  const gr = grid(size);
  const body = sorted
    ? `${position(g)}\n  out[i] = inp[(o * ${g.n}u + perm[line * ${g.p}u + k]) * ${g.inner}u + jj];`
    : "  out[i] = inp[i];";
  return { code: `${wgsl}\n${gr.header}${body}\n}\n`, bindings, workgroups: gr.workgroups };
}

/** The whole sort program (see the file comment). */
function sortProgram(dtypes: readonly DType[], shape: readonly number[], dimension: number, numKeys: number): Program {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 0) return { passes: [] };
  const n = shape[dimension];
  const inner = shape.slice(dimension + 1).reduce((a, b) => a * b, 1);
  let p = 1;
  while (p < n) p *= 2;
  const keys = dtypes.slice(0, numKeys);
  const w = keys.reduce((s, d) => s + keyWords(d), 0);
  const g: Geometry = { n, inner, lines: size / n, p, b: Math.min(p, MAX_BLOCK), w };
  const passes: Pass[] = [];
  if (n > 1) {
    let off = 0;
    keys.forEach((d, key) => {
      passes.push(encodePass(g, key, d, off, size));
      off += keyWords(d);
    });
    // Every stage with k ≤ B in one pass, from the identity permutation.
    passes.push(localPass(g, true, 2, g.b, 1));
    for (let k = 2 * g.b; k <= p; k *= 2) {
      for (let j = k / 2; j >= g.b; j /= 2) passes.push(globalPass(g, k, j));
      passes.push(localPass(g, false, k, k, g.b / 2));
    }
  }
  dtypes.forEach((d, op) => passes.push(gatherPass(g, op, d, size, n > 1)));
  return n > 1 ? { passes, temps: [g.lines * n * w * 4, g.lines * p * 4] } : { passes };
}

registerKernel("sort", (inAvals, _outAvals, params) => {
  const { dimension, numKeys } = params as unknown as lax.SortParams;
  return sortProgram(
    inAvals.map((a) => a.dtype),
    inAvals[0].shape,
    dimension,
    numKeys,
  );
});
