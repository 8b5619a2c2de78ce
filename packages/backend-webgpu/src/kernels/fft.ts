/**
 * WGSL kernel of `fft` (core's primitives/fft.ts): FFT / IFFT / RFFT / IRFFT over the trailing
 * `fftLengths.length` axes, any lengths, complex64 in float32 arithmetic.
 *
 * As the CPU kernel, a multi-axis transform runs one axis at a time (last axis first; RFFT = rfft
 * on the last axis then FFT on the others, IRFFT = IFFT on the others then irfft on the last), each
 * axis as a 1-d transform of every line along it:
 *  - load: gather each line (stride `inner`) into contiguous scratch, as complex — real input gets
 *    imaginary part 0; IRFFT's n//2 + 1 bins expand to the Hermitian spectrum of length n, with
 *    the imaginary parts of the DC and (even n) Nyquist bins dropped, as pocketfft/the CPU do;
 *  - a power-of-two length runs log2(n) radix-2 Stockham passes (fft-wgsl.ts; the stage size in a
 *    uniform so one pipeline serves all stages); any other length goes through Bluestein's
 *    chirp-z: multiply by the chirp c_j = exp(−iπj²/n), zero-pad to M ≥ 2n − 1 (a power of two),
 *    FFT, multiply by FFT_M(conj chirp) (computed by the same passes on one line), FFT again of
 *    the conjugate (= inverse up to conj and 1/M), multiply by the chirp — O(n log n) for all n;
 *  - store: scatter back (cropping RFFT to n//2 + 1 bins, IRFFT to the real part).
 * Inverse transforms use IFFT(x) = conj(FFT(conj x))/n, folded into load and store.
 *
 * Accuracy: twiddles and chirps are accurate to ~2 ulp (fft-wgsl.ts; chirp angles are reduced
 * exactly as (j² mod 2n)/(2n)), so the error is that of a float32 FFT, O(ε·log n) relative to the
 * signal norm (Bluestein: about three transforms of length M), where the CPU's is the float32
 * rounding of a float64 result.
 */
import type { DType, lax } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { WORKGROUP, declare, f32, grid, type Pass, type Slot } from "../program.ts";
import { WGSL_TURN, stageBody, turnConst } from "./fft-wgsl.ts";

type Kind = "c2c" | "r2c" | "c2r";

/** One axis of the transform: lines of the source (outer × inner), its lengths, its slots. */
interface AxisPlan {
  readonly kind: Kind;
  readonly inverse: boolean;
  readonly src: Slot;
  readonly dst: Slot;
  readonly outer: number;
  readonly inner: number;
  /** Logical transform length N. */
  readonly n: number;
  /** Source and destination lengths along the axis (differ for r2c / c2r). */
  readonly srcLen: number;
  readonly dstLen: number;
}

/** Scratch slots: contiguous work lines (ping-pong), the Bluestein filter (ping-pong), axis results. */
const WORK = [0, 1];
const FILTER = [2, 3];
const MID = [4, 5];

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;
/** Length of the power-of-two transforms of an axis of length n (Bluestein's M ≥ 2n − 1). */
function workLen(n: number): number {
  if (isPow2(n)) return n;
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  return m;
}

const UNIFORM = (binding: number): string => `@group(0) @binding(${binding}) var<uniform> U: vec4<u32>;`;

/**
 * WGSL `chirp(j) -> vec2<f32>` = exp(−iπj²/n) = exp(−2πi·(j² mod 2n)/(2n)), j < n, with j² mod 2n
 * exact in u32 (a shift-and-add product mod 2n where j² could overflow).
 */
function wgslChirp(n: number): string {
  const mod = 2 * n;
  const sq = (n - 1) * (n - 1) < 2 ** 32 ? `(j * j) % ${mod}u` : `mulmod(j, j)`;
  return `
fn mulmod(a: u32, b: u32) -> u32 {
  var r = 0u;
  var x = a % ${mod}u;
  var y = b;
  loop {
    if (y == 0u) { break; }
    if ((y & 1u) == 1u) { r = (r + x) % ${mod}u; }
    x = (x * 2u) % ${mod}u;
    y = y >> 1u;
  }
  return r;
}
fn chirp(j: u32) -> vec2<f32> {
  let w = turn(${sq}, ${mod}u, ${turnConst(mod)});
  return vec2<f32>(w.x, -w.y);
}
`;
}

/** A pass of `threads` threads over the given buffers running `body` (after grid's header). */
function pass(
  decls: Parameters<typeof declare>[0],
  threads: number,
  body: string,
  prelude: string,
  uniforms?: Uint32Array,
): Pass {
  const { wgsl, bindings } = declare(decls);
  const g = grid(threads);
  const code = `${wgsl}\n${uniforms !== undefined ? UNIFORM(decls.length) : ""}\n${WGSL_TURN}\n${prelude}\n${g.header}${body}\n}\n`;
  return uniforms !== undefined
    ? { code, bindings, uniforms, workgroups: g.workgroups }
    : { code, bindings, workgroups: g.workgroups };
}

/**
 * Stockham passes of length `len` over `lines` lines starting in scratch `slots[from]`; returns
 * the index in `slots` of the result. The thread count is a uniform (U.y, with the grid's row pitch
 * in U.z) rather than baked into the source, so one pipeline per length serves every stage, line
 * count and transform type (pipeline compilation dominates small transforms).
 */
function stages(out: Pass[], slots: readonly number[], from: number, lines: number, len: number): number {
  const { wgsl, bindings } = declare([
    { name: "src", slot: { temp: slots[from] }, type: "complex64" },
    { name: "dst", slot: { temp: slots[1 - from] }, type: "complex64", write: true },
  ]);
  const threads = (lines * len) / 2;
  const g = grid(threads);
  const pitch = g.workgroups[0] * WORKGROUP;
  const code = `${wgsl}\n${UNIFORM(2)}\n${WGSL_TURN}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i: u32 = gid.x + gid.y * U.z;
  if (i >= U.y) { return; }
${stageBody(len)}
}
`;
  let cur = from;
  for (let m = 1; m < len; m *= 2) {
    const b = cur === from ? bindings : [bindings[1], bindings[0]].map((x, k) => ({ slot: x.slot, write: k === 1 }));
    out.push({ code, bindings: b, uniforms: new Uint32Array([m, threads, pitch, 0]), workgroups: g.workgroups });
    cur = 1 - cur;
  }
  return cur;
}

/** Passes of one axis (see the file comment), appended to `out`. */
function axisPasses(out: Pass[], a: AxisPlan): void {
  const lines = a.outer * a.inner;
  const len = workLen(a.n);
  const blue = len !== a.n;
  const chirp = blue ? wgslChirp(a.n) : "";
  const srcType: DType = a.kind === "r2c" ? "float32" : "complex64";
  const at = (p: string): string => `src[(o * ${a.srcLen}u + ${p}) * ${a.inner}u + ii]`;
  const value = a.kind === "r2c" ? `vec2<f32>(${at("p")}, 0.0f)` : at("p");
  const lineOf = (l: number): string =>
    `  let line = i / ${l}u;\n  let p = i % ${l}u;\n  let o = line / ${a.inner}u;\n  let ii = line % ${a.inner}u;\n`;
  // c2r reads bin p for p ≤ n/2, else conj(bin n − p) (the Hermitian half it mirrors).
  const load =
    lineOf(len) +
    (a.kind === "c2r"
      ? `  var v = vec2<f32>(0.0f);\n  if (p < ${a.n}u) {\n    let q = select(${a.n}u - p, p, 2u * p <= ${a.n}u);\n    v = ${at("q")};\n    if (2u * p > ${a.n}u) { v = conj(v); }\n    if (p == 0u || 2u * p == ${a.n}u) { v.y = 0.0f; }\n  }\n`
      : `  var v = vec2<f32>(0.0f);\n  if (p < ${a.n}u) { v = ${value}; }\n`) +
    (a.inverse ? "  v = conj(v);\n" : "") +
    (blue ? "  if (p < " + `${a.n}u) { v = cmul(v, chirp(p)); }\n` : "") +
    "  work[i] = v;";
  out.push(
    pass(
      [
        { name: "src", slot: a.src, type: srcType },
        { name: "work", slot: { temp: WORK[0] }, type: "complex64", write: true },
      ],
      lines * len,
      load,
      chirp,
    ),
  );
  let cur = stages(out, WORK, 0, lines, len);
  if (blue) {
    // The filter FFT_M(b), b_k = conj(chirp(|k|)) circularly, then conj(A·B̂) for the second FFT.
    out.push(
      pass(
        [{ name: "bf", slot: { temp: FILTER[0] }, type: "complex64", write: true }],
        len,
        `  var j = 0u;\n  if (i < ${a.n}u) { j = i; } else if (i > ${len - a.n}u) { j = ${len}u - i; } else { bf[i] = vec2<f32>(0.0f); return; }\n  bf[i] = conj(chirp(j));`,
        chirp,
      ),
    );
    const f = stages(out, FILTER, 0, 1, len);
    out.push(
      pass(
        [
          { name: "bf", slot: { temp: FILTER[f] }, type: "complex64" },
          { name: "work", slot: { temp: WORK[cur] }, type: "complex64", write: true },
        ],
        lines * len,
        `  work[i] = conj(cmul(work[i], bf[i % ${len}u]));`,
        "",
      ),
    );
    cur = stages(out, WORK, cur, lines, len);
  }
  // Store: undo Bluestein's conj and 1/M and multiply by the chirp, then the inverse's conj and 1/n.
  let store = lineOf(a.dstLen) + `  var v = work[line * ${len}u + p];\n`;
  if (blue) store += `  v = cmul(conj(v) * ${f32(1 / len)}, chirp(p));\n`;
  if (a.inverse) store += `  v = conj(v) * ${f32(1 / a.n)};\n`;
  const dstIdx = `(o * ${a.dstLen}u + p) * ${a.inner}u + ii`;
  store += a.kind === "c2r" ? `  dst[${dstIdx}] = v.x;` : `  dst[${dstIdx}] = v;`;
  out.push(
    pass(
      [
        { name: "work", slot: { temp: WORK[cur] }, type: "complex64" },
        { name: "dst", slot: a.dst, type: a.kind === "c2r" ? "float32" : "complex64", write: true },
      ],
      lines * a.dstLen,
      store,
      chirp,
    ),
  );
}

registerKernel("fft", ([xa], [oa], params) => {
  const { fftType, fftLengths } = params as unknown as lax.FftParams;
  if (xa.size === 0 || oa.size === 0) return { passes: [] };
  const nd = xa.ndim;
  const L = fftLengths.length;
  const first = nd - L;
  // Axes in the order the CPU kernel transforms them, with their kind.
  const axes: { axis: number; kind: Kind; inverse: boolean }[] = [];
  if (fftType === "FFT" || fftType === "IFFT")
    for (let ax = nd - 1; ax >= first; ax--) axes.push({ axis: ax, kind: "c2c", inverse: fftType === "IFFT" });
  else if (fftType === "RFFT") {
    axes.push({ axis: nd - 1, kind: "r2c", inverse: false });
    for (let ax = nd - 2; ax >= first; ax--) axes.push({ axis: ax, kind: "c2c", inverse: false });
  } else {
    for (let ax = nd - 2; ax >= first; ax--) axes.push({ axis: ax, kind: "c2c", inverse: true });
    axes.push({ axis: nd - 1, kind: "c2r", inverse: true });
  }
  const passes: Pass[] = [];
  const temps = [0, 0, 0, 0, 0, 0];
  const grow = (slot: number, bytes: number): void => {
    temps[slot] = Math.max(temps[slot], bytes);
  };
  let shape = [...xa.shape];
  let src: Slot = { in: 0 };
  axes.forEach(({ axis, kind, inverse }, idx) => {
    const srcLen = shape[axis];
    const n = kind === "c2c" ? srcLen : fftLengths[L - 1];
    const dstLen = kind === "r2c" ? (n >> 1) + 1 : n;
    const outer = shape.slice(0, axis).reduce((p, v) => p * v, 1);
    const inner = shape.slice(axis + 1).reduce((p, v) => p * v, 1);
    const last = idx === axes.length - 1;
    const dst: Slot = last ? { out: 0 } : { temp: MID[idx % 2] };
    const lines = outer * inner;
    const len = workLen(n);
    grow(WORK[0], lines * len * 8);
    grow(WORK[1], lines * len * 8);
    if (len !== n) {
      grow(FILTER[0], len * 8);
      grow(FILTER[1], len * 8);
    }
    if (!last) grow(MID[idx % 2], lines * dstLen * 8);
    axisPasses(passes, { kind, inverse, src, dst, outer, inner, n, srcLen, dstLen });
    shape = [...shape];
    shape[axis] = dstLen;
    src = dst;
  });
  // Unused scratch slots still get a (tiny) buffer: slots are positional.
  return { passes, temps: temps.map((b) => Math.max(4, b)) };
});
