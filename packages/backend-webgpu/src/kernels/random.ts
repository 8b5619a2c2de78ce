/**
 * WGSL kernel of the `threefry2x32` PRNG primitive (core's primitives/random-prims.ts): the
 * Threefry-2x32 block cipher, 20 rounds (Random123), one thread per output element. All
 * arithmetic is u32 — WGSL's runtime `+` wraps and shifts by 1..31 are exact — so the result is
 * bit-identical to the CPU kernel (packages/backend-cpu/src/kernels/random.ts).
 *
 * Operands broadcast as core's abstract eval allows: each is a scalar or has the output's rank
 * with size-1 axes read at index 0 (stride 0) — the shapes `vmap` of a scalar key produces.
 * (`fma`, which the CPU keeps in its random.ts, is registered with the elementwise math kernels.)
 */
import type { ShapedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { simpleProgram, strides, unravel, type BufferDecl } from "../program.ts";

/** Rotation amounts of the rounds; the two sets alternate every 4 rounds (as core's THREEFRY_ROTATIONS). */
const ROTATIONS = [
  [13, 15, 26, 6],
  [17, 29, 16, 24],
] as const;

/**
 * WGSL statements of the 20 rounds on `var a, b: u32` with key schedule `ks0..ks2`: after every 4
 * rounds, a key injection adds the next two schedule words and the injection count to `b`.
 */
function rounds(): string {
  const lines: string[] = [];
  const ks = ["ks0", "ks1", "ks2"];
  for (let inj = 1; inj <= 5; inj++) {
    for (const r of ROTATIONS[(inj - 1) % 2]) {
      lines.push(`  a = a + b; b = ((b << ${r}u) | (b >> ${32 - r}u)) ^ a;`);
    }
    lines.push(`  a = a + ${ks[inj % 3]}; b = b + ${ks[(inj + 1) % 3]} + ${inj}u;`);
  }
  return lines.join("\n");
}

/**
 * WGSL index expression of operand `a` at the output element whose multi-index is `idx0..`:
 * `i` when shapes match, `0u` for a single element, else the ravel with size-1 axes skipped.
 */
function operandIndex(a: ShapedArray, out: ShapedArray): string {
  if (a.size === out.size) return "i";
  if (a.size === 1) return "0u";
  const st = strides(a.shape);
  const terms = a.shape.map((d, k) => (d === 1 ? "" : `idx${k} * ${st[k]}u`)).filter((t) => t !== "");
  return terms.join(" + ");
}

registerKernel("threefry2x32", (inAvals, outAvals) => {
  const out = outAvals[0];
  const n = out.size;
  const names = ["k0", "k1", "x0", "x1"];
  const decls: BufferDecl[] = [
    ...inAvals.map((a, k): BufferDecl => ({ name: names[k], slot: { in: k }, type: "uint32" })),
    { name: "y0", slot: { out: 0 }, type: "uint32", write: true },
    { name: "y1", slot: { out: 1 }, type: "uint32", write: true },
  ];
  const needIdx = inAvals.some((a) => a.size !== n && a.size !== 1);
  const loads = inAvals.map((a, k) => `  let ${names[k]}v = ${names[k]}[${operandIndex(a, out)}];`);
  const body = [
    needIdx ? unravel(out.shape, "i") : "",
    ...loads,
    "  let ks0 = k0v;",
    "  let ks1 = k1v;",
    "  let ks2 = k0v ^ k1v ^ 0x1bd11bdau;",
    "  var a: u32 = x0v + ks0;",
    "  var b: u32 = x1v + ks1;",
    rounds(),
    "  y0[i] = a;",
    "  y1[i] = b;",
  ].join("\n");
  return simpleProgram(decls, n, body);
});
