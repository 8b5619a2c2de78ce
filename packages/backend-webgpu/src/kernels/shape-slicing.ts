/**
 * Slicing-family kernels: slice, pad, concatenate, rev, iota, dynamicSlice, dynamicUpdateSlice.
 * Every dtype; elements move as raw words (see shape.ts), so results are bit-exact with the CPU
 * kernels. One thread per output element, except concatenate (one pass per operand, each thread
 * copying one operand element: any number of operands fits the storage-binding limit).
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import {
  declare,
  grid,
  ravel,
  simpleProgram,
  strides,
  unravel,
  type BufferDecl,
  type Pass,
  type Program,
} from "../program.ts";
import { affineIndex, copyProgram, inWords, outWords, viewProgram } from "./shape.ts";

registerKernel("slice", ([x], [o], params) => {
  const { startIndices, strides: steps } = params as unknown as lax.SliceParams;
  const st = strides(x.shape);
  const base = startIndices.reduce((acc, s, d) => acc + s * st[d], 0);
  return viewProgram(
    x,
    o,
    st.map((s, d) => s * (steps === null ? 1 : steps[d])),
    `${base}u`,
  );
});

registerKernel("rev", ([x], [o], params) => {
  const { dimensions } = params as unknown as lax.RevParams;
  const st = strides(x.shape);
  // Reversed axes start at their last element and step backwards (a wrapping u32 term).
  const base = x.shape.reduce((acc, n, d) => acc + (dimensions.includes(d) ? Math.max(n - 1, 0) * st[d] : 0), 0);
  return viewProgram(
    x,
    o,
    st.map((s, d) => (dimensions.includes(d) ? -s : s)),
    `${base}u`,
  );
});

registerKernel("pad", ([x, pv], [o], params) => {
  const { paddingConfig: cfg } = params as unknown as lax.PadParams;
  const st = strides(x.shape);
  // Output coordinate idx lands on operand coordinate q = (idx - lo) / (interior + 1) when the
  // division is exact and q is in range; negative lo/hi crop (lo shifts idx the other way).
  const lines: string[] = [unravel(o.shape, "i")];
  const conds: string[] = [];
  const terms: string[] = [];
  cfg.forEach(([lo, , interior], d) => {
    const e = interior + 1;
    lines.push(`  let p${d}: i32 = i32(idx${d}) - (${lo}i);`);
    lines.push(`  let q${d}: i32 = p${d} / ${e}i;`);
    conds.push(`p${d} >= 0i`, `q${d} < ${x.shape[d]}i`);
    if (e !== 1) conds.push(`p${d} % ${e}i == 0i`);
    terms.push(`u32(q${d}) * ${st[d]}u`);
  });
  const inside = conds.length === 0 ? "true" : conds.join(" && ");
  // An empty operand is not bound: its 4-byte placeholder buffer is too small for complex64's
  // 8-byte element and would fail validation.
  if (x.size === 0) return simpleProgram([inWords("pv", 1, pv), outWords(o)], o.size, "  out[i] = pv[0];");
  lines.push(
    `  if (${inside}) { out[i] = x[${terms.length === 0 ? "0u" : terms.join(" + ")}]; } else { out[i] = pv[0]; }`,
  );
  return simpleProgram([inWords("x", 0, x), inWords("pv", 1, pv), outWords(o)], o.size, lines.join("\n"));
});

registerKernel("concatenate", (xs, [o], params) => {
  const { dimension: dim } = params as unknown as lax.ConcatenateParams;
  const inner = o.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
  const rowOut = o.shape[dim] * inner;
  const passes: Pass[] = [];
  let off = 0;
  xs.forEach((a, k) => {
    const chunk = a.shape[dim] * inner;
    if (a.size > 0) {
      // Operand element j = (outer row r, offset c in its chunk) goes to r·rowOut + off + c.
      const { wgsl, bindings } = declare([inWords("x", k, a), outWords(o)]);
      const g = grid(a.size);
      const body = `  let r = i / ${chunk}u;\n  out[r * ${rowOut}u + ${off}u + (i - r * ${chunk}u)] = x[i];`;
      passes.push({ code: `${wgsl}\n${g.header}${body}\n}\n`, bindings, workgroups: g.workgroups });
    }
    off += chunk;
  });
  return { passes: o.size === 0 ? [] : passes };
});

registerKernel("iota", (_xs, [o], params) => {
  const { dimension } = params as unknown as lax.IotaParams;
  const st = strides(o.shape);
  const v = `(i / ${st[dimension]}u) % ${o.shape[dimension]}u`;
  // u32 → f32 rounded to nearest even as Float32Array stores it: both halves convert exactly
  // (<= 16 significant bits) and their sum is one correctly rounded addition. WGSL's own f32(u32)
  // may round either way above 2^24.
  const asF32 = "(f32(v & 0xffff0000u) + f32(v & 0xffffu))";
  const store: Record<string, string> = {
    float32: `bitcast<u32>${asF32}`,
    int32: "v",
    uint32: "v",
    complex64: `vec2<u32>(bitcast<u32>${asF32}, 0u)`,
  };
  const s = store[o.dtype];
  if (s === undefined) return undefined;
  return simpleProgram([outWords(o)], o.size, `  let v: u32 = ${v};\n  out[i] = ${s};`);
});

// ---------------------------------------------------------------- dynamic slices

/** Most storage buffers one pass binds that every adapter allows. */
const MAX_BINDINGS = 8;

/** WGSL expression: start index word `w` of dtype `dtype`, clamped into [0, hi] (XLA's clamp). */
function clampStart(w: string, dtype: string, hi: number): string {
  // A uint32 start above 2^31 is a large positive number, so it clamps to hi (as on the CPU).
  return dtype === "uint32" ? `min(${w}, ${hi}u)` : `u32(clamp(bitcast<i32>(${w}), 0i, ${hi}i))`;
}

/**
 * How a pass reads the clamped starts `s0..s{r-1}` of a dynamic slice whose start-index scalars
 * are inputs `first..first+r-1`: bound directly when they fit the binding limit next to the pass's
 * `others` buffers, otherwise packed first into a scratch buffer by pre-passes (up to 7 scalars
 * each) — operands of rank > 5 would need more bindings than an adapter must offer.
 */
function dynamicStarts(
  idx: readonly ShapedArray[],
  first: number,
  hi: readonly number[],
  others: number,
): { decls: BufferDecl[]; lets: string; pre: Pass[]; temps: number[] } {
  const r = idx.length;
  if (others + r <= MAX_BINDINGS) {
    const decls = idx.map((_a, d): BufferDecl => ({ name: `st${d}`, slot: { in: first + d }, type: "u32" }));
    const lets = idx.map((a, d) => `  let s${d}: u32 = ${clampStart(`st${d}[0]`, a.dtype, hi[d])};`).join("\n");
    return { decls, lets, pre: [], temps: [] };
  }
  const pre: Pass[] = [];
  const group = MAX_BINDINGS - 1;
  for (let g0 = 0; g0 < r; g0 += group) {
    const ds = idx.slice(g0, g0 + group).map((_, j) => g0 + j);
    const { wgsl, bindings } = declare([
      ...ds.map((d): BufferDecl => ({ name: `st${d}`, slot: { in: first + d }, type: "u32" })),
      { name: "starts", slot: { temp: 0 }, type: "u32", write: true },
    ]);
    const body = ds.map((d) => `  starts[${d}] = ${clampStart(`st${d}[0]`, idx[d].dtype, hi[d])};`).join("\n");
    pre.push({
      code: `${wgsl}\n@compute @workgroup_size(1)\nfn main() {\n${body}\n}\n`,
      bindings,
      workgroups: [1, 1, 1],
    });
  }
  const decls: BufferDecl[] = [{ name: "starts", slot: { temp: 0 }, type: "u32" }];
  const lets = idx.map((_, d) => `  let s${d}: u32 = starts[${d}];`).join("\n");
  return { decls, lets, pre, temps: [4 * r] };
}

/** A main pass after `dynamicStarts`' pre-passes. */
function withStarts(main: Program, s: { pre: Pass[]; temps: number[] }): Program {
  if (main.passes.length === 0) return main;
  return { passes: [...s.pre, ...main.passes], temps: s.temps };
}

registerKernel("dynamicSlice", ([x, ...idx], [o], params) => {
  const { sliceSizes } = params as unknown as lax.DynamicSliceParams;
  const st = strides(x.shape);
  const s = dynamicStarts(
    idx,
    1,
    x.shape.map((n, d) => n - sliceSizes[d]),
    2,
  );
  const base = st.map((v, d) => `s${d} * ${v}u`).join(" + ") || "0u";
  const body = `${s.lets}\n${unravel(o.shape, "i")}\n  out[i] = x[${affineIndex(st, `(${base})`)}];`;
  return withStarts(simpleProgram([inWords("x", 0, x), ...s.decls, outWords(o)], o.size, body), s);
});

registerKernel("dynamicUpdateSlice", ([x, u, ...idx], [o]) => {
  // An empty update changes nothing (and is not bound: see pad).
  if (u.size === 0) return copyProgram(x, o);
  const s = dynamicStarts(
    idx,
    2,
    x.shape.map((n, d) => n - u.shape[d]),
    3,
  );
  // Offsets into the update window wrap below its start, so `< size` tests both ends.
  const offs = x.shape.map((_, d) => `  let w${d}: u32 = idx${d} - s${d};`).join("\n");
  const inside = u.shape.map((n, d) => `w${d} < ${n}u`).join(" && ") || "true";
  const src = ravel(
    u.shape,
    u.shape.map((_, d) => `w${d}`),
  );
  const body = `${s.lets}\n${unravel(o.shape, "i")}\n${offs}\n  if (${inside}) { out[i] = upd[${src}]; } else { out[i] = x[i]; }`;
  return withStarts(
    simpleProgram([inWords("x", 0, x), inWords("upd", 1, u), ...s.decls, outWords(o)], o.size, body),
    s,
  );
});
