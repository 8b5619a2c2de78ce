/**
 * convGeneralDilated: XLA's general convolution (strides, low/high padding, lhs ("transposed")
 * and rhs ("atrous") dilation, arbitrary dimension layouts, feature and batch groups). Bilinear:
 * the JVP is two convolutions and reverse mode uses the transpose rules below, which follow
 * JAX's `_conv_general_dilated_transpose_lhs/rhs` (feature and batch groups included). The batch
 * rule folds the vmapped axis into the batch or feature dims as JAX's
 * `_conv_general_dilated_batch_rule` does.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive } from "../core/primitive.ts";
import { DTypeError, InternalError, ShapeError, ValueError } from "../errors.ts";
import { isDType, isInexact, type DType } from "../dtype.ts";
import { fmtShape } from "../shape.ts";
import { add, ALL } from "./elementwise.ts";
import { reshape, transpose } from "./shape-ops.ts";
import { revAxes } from "./masks-and-shifts.ts";
import { checkPrecision, type PrecisionLike } from "./precision.ts";

/** Layout of each operand: `[batch/out-feature dim, feature/in-feature dim, ...spatial dims]`. */
export interface ConvDimensionNumbers {
  readonly lhsSpec: readonly number[];
  readonly rhsSpec: readonly number[];
  readonly outSpec: readonly number[];
}

export interface ConvParams {
  readonly windowStrides: readonly number[];
  /** `[lo, hi]` per spatial dim; negative values crop. */
  readonly padding: readonly (readonly [number, number])[];
  readonly lhsDilation: readonly number[];
  readonly rhsDilation: readonly number[];
  readonly dimensionNumbers: ConvDimensionNumbers;
  readonly featureGroupCount: number;
  readonly batchGroupCount: number;
  readonly preferredElementType: DType | null;
}

/**
 * Group geometry of a convolution, shared by the backends' kernels (XLA semantics): N input batch,
 * C input features, O output features; G feature groups pair output feature block o / Og with input
 * features (o / Og)·Cg ..; BG batch groups pair output feature block o / Ob with input batch block
 * (o / Ob)·(N / BG) ...
 */
export interface ConvGroupSizes {
  readonly N: number;
  readonly C: number;
  readonly O: number;
  readonly G: number;
  readonly BG: number;
  readonly Cg: number;
  readonly Og: number;
  readonly Ob: number;
}

/** The group geometry of a convolution of an lhs of `lhsShape` with an rhs of `rhsShape`. */
export function convGroupSizes(
  lhsShape: readonly number[],
  rhsShape: readonly number[],
  p: ConvParams,
): ConvGroupSizes {
  const { lhsSpec: ls, rhsSpec: rs } = p.dimensionNumbers;
  const N = lhsShape[ls[0]];
  const C = lhsShape[ls[1]];
  const O = rhsShape[rs[0]];
  const G = p.featureGroupCount;
  const BG = p.batchGroupCount;
  return { N, C, O, G, BG, Cg: C / G, Og: O / G, Ob: O / BG };
}

/** Dimension numbers as layout strings (`["NHWC", "HWIO", "NHWC"]`) or explicit specs. */
export type ConvDimensionNumbersLike = readonly [string, string, string] | ConvDimensionNumbers | null;

export interface ConvOptions {
  windowStrides?: readonly number[];
  /** `[[lo, hi], ...]`, or "VALID" / "SAME" / "SAME_LOWER". Default: no padding. */
  padding?: readonly (readonly [number, number])[] | "VALID" | "SAME" | "SAME_LOWER";
  lhsDilation?: readonly number[];
  rhsDilation?: readonly number[];
  /** Default: NCH…, OIH…, NCH… (JAX's default). */
  dimensionNumbers?: ConvDimensionNumbersLike;
  featureGroupCount?: number;
  batchGroupCount?: number;
  /** JAX's `precision` (validated; every setting computes in float32, as XLA:CPU does — see precision.ts). */
  precision?: PrecisionLike;
  preferredElementType?: DType | null;
}

const iotaList = (n: number): number[] => globalThis.Array.from({ length: n }, (_, i) => i);
/** Size of a dilated extent: 0 stays 0, else 1 + d·(n − 1). */
const dilateDim = (n: number, d: number): number => (n === 0 ? 0 : 1 + d * (n - 1));

/** JAX's `conv_general_permutations`: layout strings → specs (spatial dims ordered as in rhs). */
export function convDimensionNumbers(ndim: number, dn: ConvDimensionNumbersLike | undefined): ConvDimensionNumbers {
  if (dn === null || dn === undefined)
    return { lhsSpec: iotaList(ndim), rhsSpec: iotaList(ndim), outSpec: iotaList(ndim) };
  if (!globalThis.Array.isArray(dn)) return dn as ConvDimensionNumbers;
  const [l, r, o] = dn as readonly [string, string, string];
  const pairs: [string, string, string][] = [
    [l, "N", "C"],
    [r, "O", "I"],
    [o, "N", "C"],
  ];
  for (const [spec, a, b] of pairs) {
    if (
      typeof spec !== "string" ||
      spec.length !== ndim ||
      new Set(spec).size !== spec.length ||
      spec.split(a).length !== 2 ||
      spec.split(b).length !== 2
    ) {
      throw new ValueError(
        `convGeneralDilated: dimension numbers ${JSON.stringify(dn)}: '${String(spec)}' must have ${ndim} distinct characters including exactly one '${a}' and one '${b}'`,
      );
    }
  }
  const spatial = (s: string, pair: string) =>
    [...s]
      .filter((c) => !pair.includes(c))
      .sort()
      .join("");
  if (spatial(l, "NC") !== spatial(r, "OI") || spatial(o, "NC") !== spatial(r, "OI")) {
    throw new ValueError(
      `convGeneralDilated: dimension numbers ${JSON.stringify(dn)} must use the same spatial dimension characters in lhs, rhs and out`,
    );
  }
  const perm = (s: string, a: string, b: string): number[] => {
    const sp = iotaList(s.length).filter((i) => s[i] !== a && s[i] !== b);
    if (s !== r) sp.sort((i, j) => r.indexOf(s[i]) - r.indexOf(s[j]));
    return [s.indexOf(a), s.indexOf(b), ...sp];
  };
  return { lhsSpec: perm(l, "N", "C"), rhsSpec: perm(r, "O", "I"), outSpec: perm(o, "N", "C") };
}

function isPermutation(spec: readonly number[], n: number): boolean {
  return spec.length === n && [...spec].sort((a, b) => a - b).every((v, i) => v === i);
}

export const convGeneralDilatedP: Primitive<ConvParams> = definePrimitive<ConvParams>("convGeneralDilated", {
  abstractEval([lhs, rhs], p) {
    const op = "convGeneralDilated";
    const shapes = `lhs shape ${fmtShape(lhs.shape)}, rhs shape ${fmtShape(rhs.shape)}`;
    if (lhs.dtype !== rhs.dtype)
      throw new DTypeError(`${op}: lhs and rhs must have equal dtypes; got lhs ${lhs.dtype} and rhs ${rhs.dtype}`);
    if (!ALL.includes(lhs.dtype)) throw new DTypeError(`${op}: unsupported dtype ${lhs.dtype}`);
    if (lhs.ndim !== rhs.ndim || lhs.ndim < 2)
      throw new ShapeError(`${op}: lhs and rhs must have the same rank (at least 2); got ${shapes}`);
    const nd = lhs.ndim;
    const ns = nd - 2;
    const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
    for (const [name, spec] of [
      ["lhsSpec", ls],
      ["rhsSpec", rs],
      ["outSpec", os],
    ] as const) {
      if (!isPermutation(spec, nd))
        throw new ShapeError(
          `${op}: dimensionNumbers.${name} ${JSON.stringify(spec)} is not a permutation of the ${nd} dims of the operands (${shapes})`,
        );
    }
    const checkList = (name: string, v: readonly unknown[], positive: boolean) => {
      if (v.length !== ns)
        throw new ShapeError(
          `${op}: ${name} must have one entry per spatial dimension (${ns}); got ${JSON.stringify(v)} (${shapes})`,
        );
      if (positive && !v.every((x) => Number.isInteger(x) && (x as number) >= 1))
        throw new ValueError(`${op}: ${name} entries must be positive integers; got ${JSON.stringify(v)}`);
    };
    checkList("windowStrides", p.windowStrides, true);
    checkList("lhsDilation", p.lhsDilation, true);
    checkList("rhsDilation", p.rhsDilation, true);
    checkList("padding", p.padding, false);
    if (!p.padding.every((pr) => pr.length === 2 && Number.isInteger(pr[0]) && Number.isInteger(pr[1])))
      throw new ValueError(`${op}: padding must be [lo, hi] integer pairs; got ${JSON.stringify(p.padding)}`);
    const G = p.featureGroupCount;
    const BG = p.batchGroupCount;
    if (!Number.isInteger(G) || G < 1)
      throw new ValueError(`${op}: featureGroupCount must be a positive integer; got ${G}`);
    if (!Number.isInteger(BG) || BG < 1)
      throw new ValueError(`${op}: batchGroupCount must be a positive integer; got ${BG}`);
    if (G > 1 && BG > 1)
      throw new ValueError(`${op}: featureGroupCount (${G}) and batchGroupCount (${BG}) cannot both be greater than 1`);
    const N = lhs.shape[ls[0]];
    const C = lhs.shape[ls[1]];
    const O = rhs.shape[rs[0]];
    const I = rhs.shape[rs[1]];
    if (C % G !== 0)
      throw new ShapeError(
        `${op}: featureGroupCount ${G} must divide the lhs feature dimension (size ${C}, lhs dim ${ls[1]}) (${shapes})`,
      );
    if (C / G !== I)
      throw new ShapeError(
        `${op}: lhs feature dimension (size ${C}) divided by featureGroupCount ${G} must equal the rhs input feature dimension (size ${I}, rhs dim ${rs[1]}) (${shapes})`,
      );
    if (O % G !== 0)
      throw new ShapeError(
        `${op}: featureGroupCount ${G} must divide the rhs output feature dimension (size ${O}, rhs dim ${rs[0]}) (${shapes})`,
      );
    if (N % BG !== 0)
      throw new ShapeError(`${op}: batchGroupCount ${BG} must divide the lhs batch dimension (size ${N}) (${shapes})`);
    if (O % BG !== 0)
      throw new ShapeError(
        `${op}: batchGroupCount ${BG} must divide the rhs output feature dimension (size ${O}) (${shapes})`,
      );
    const out = new globalThis.Array<number>(nd);
    out[os[0]] = N / BG;
    out[os[1]] = O;
    for (let i = 0; i < ns; i++) {
      const inD = dilateDim(lhs.shape[ls[2 + i]], p.lhsDilation[i]) + p.padding[i][0] + p.padding[i][1];
      const kD = dilateDim(rhs.shape[rs[2 + i]], p.rhsDilation[i]);
      out[os[2 + i]] = Math.max(0, Math.floor((inD - kD) / p.windowStrides[i]) + 1);
    }
    let dt = lhs.dtype;
    const pref = p.preferredElementType;
    if (pref !== null && pref !== undefined && pref !== dt) {
      const intLike = dt === "int32" || dt === "uint32" || dt === "bool";
      if (!isDType(pref) || !intLike || pref === "bool" || pref === "complex64")
        throw new DTypeError(`${op}: preferredElementType ${String(pref)} is not allowed for ${dt} operands`);
      dt = pref;
    }
    return [new ShapedArray(out, dt, lhs.weakType && rhs.weakType)];
  },
  jvp([lhs, rhs], [dl, dr], p) {
    const y = convGeneralDilatedP.bind1([lhs, rhs], p);
    if (!isInexact(lhs.dtype)) return [[y], [null]];
    return [[y], [add(convGeneralDilatedP.bind1([dl, rhs], p), convGeneralDilatedP.bind1([lhs, dr], p))]];
  },
  transpose([ct], [lhs, rhs], p) {
    if (ct === null) return [null, null];
    if (isUndefined(lhs) && isUndefined(rhs))
      throw new InternalError("convGeneralDilated: transpose with both operands linear (non-linear use of a tangent)");
    return [
      isUndefined(lhs) ? transposeLhs(ct, lhs.aval, rhs as Array, p) : null,
      isUndefined(rhs) ? transposeRhs(ct, lhs as Array, rhs.aval, p) : null,
    ];
  },
  batch([lhs, rhs], [lbd, rbd], p) {
    return convBatch(lhs, rhs, lbd, rbd, p);
  },
});

// ------------------------------------------------------------------ reshape helpers (JAX's)

/** Merge axis `src` into axis `dst` (numbered after removing `src`), `src` as the major part. */
export function reshapeAxisInto(src: number, dst: number, x: Array): Array {
  const perm = iotaList(x.ndim).filter((i) => i !== src);
  perm.splice(dst, 0, src);
  const newShape = x.shape.filter((_, i) => i !== src);
  newShape[dst] *= x.shape[src];
  return reshape(transpose(x, perm), newShape);
}

/** Split axis `src` into `[size1, shape[src] / size1]`. */
export function reshapeAxisOutOf(src: number, size1: number, x: Array): Array {
  const shape = [...x.shape];
  shape.splice(src, 1, size1, shape[src] / size1);
  return reshape(x, shape);
}

const specTranspose = (s: readonly number[]): number[] => [s[1], s[0], ...s.slice(2)];

// ------------------------------------------------------------------ transposes

function transposeLhs(g: Array, lhsAval: ShapedArray, rhs: Array, p: ConvParams): Array {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  let G = p.featureGroupCount;
  const BG = p.batchGroupCount;
  let r = rhs;
  if (G > 1) {
    // Move the feature-group factor of rhs's output features into its input-feature dim.
    r = reshapeAxisInto(rs[0], rs[1], reshapeAxisOutOf(rs[0], G, r));
  } else if (BG > 1) {
    r = reshapeAxisInto(rs[0], rs[1], reshapeAxisOutOf(rs[0], BG, r));
    G = BG;
  }
  const ns = ls.length - 2;
  const padding: [number, number][] = [];
  for (let i = 0; i < ns; i++) {
    const lhsD = dilateDim(lhsAval.shape[ls[2 + i]], p.lhsDilation[i]);
    const rhsD = dilateDim(r.shape[rs[2 + i]], p.rhsDilation[i]);
    const outD = dilateDim(g.shape[os[2 + i]], p.windowStrides[i]);
    const before = rhsD - p.padding[i][0] - 1;
    const after = lhsD + rhsD - 1 - outD - before;
    padding.push([before, after]);
  }
  const spatialRhs = rs.slice(2);
  const out = convGeneralDilatedP.bind1([g, revAxes(r, spatialRhs)], {
    windowStrides: p.lhsDilation,
    padding,
    lhsDilation: p.windowStrides,
    rhsDilation: p.rhsDilation,
    dimensionNumbers: { lhsSpec: os, rhsSpec: specTranspose(rs), outSpec: ls },
    featureGroupCount: G,
    batchGroupCount: 1,
    preferredElementType: null,
  });
  if (BG > 1) return reshapeAxisInto(ls[1], ls[0], reshapeAxisOutOf(ls[1], BG, out));
  return out;
}

function transposeRhs(g: Array, lhs: Array, rhsAval: ShapedArray, p: ConvParams): Array {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  let G = p.featureGroupCount;
  let BG = p.batchGroupCount;
  if (BG > 1) {
    G = BG;
    BG = 1;
  } else if (G > 1) {
    BG = G;
    G = 1;
  }
  const ns = ls.length - 2;
  const padding: [number, number][] = [];
  for (let i = 0; i < ns; i++) {
    const lhsD = dilateDim(lhs.shape[ls[2 + i]], p.lhsDilation[i]);
    const rhsD = dilateDim(rhsAval.shape[rs[2 + i]], p.rhsDilation[i]);
    const outD = dilateDim(g.shape[os[2 + i]], p.windowStrides[i]);
    const lo = p.padding[i][0];
    padding.push([lo, outD - lhsD + (rhsD - lo - 1)]);
  }
  return convGeneralDilatedP.bind1([lhs, g], {
    windowStrides: p.rhsDilation,
    padding,
    lhsDilation: p.lhsDilation,
    rhsDilation: p.windowStrides,
    dimensionNumbers: { lhsSpec: specTranspose(ls), rhsSpec: specTranspose(os), outSpec: specTranspose(rs) },
    featureGroupCount: G,
    batchGroupCount: BG,
    preferredElementType: null,
  });
}

// ------------------------------------------------------------------ batching

function convBatch(lhs: Array, rhs: Array, lbd: number | null, rbd: number | null, p: ConvParams): [Array[], number[]] {
  const { lhsSpec: ls, rhsSpec: rs, outSpec: os } = p.dimensionNumbers;
  let G = p.featureGroupCount;
  let BG = p.batchGroupCount;
  const conv = (l: Array, r: Array) =>
    convGeneralDilatedP.bind1([l, r], { ...p, featureGroupCount: G, batchGroupCount: BG });
  if (lbd !== null && rbd !== null) {
    const B = lhs.shape[lbd];
    let newLhs: Array;
    if (BG > 1) {
      newLhs = reshapeAxisInto(lbd, ls[0], lhs);
      BG *= B;
    } else {
      // Each vmapped instance becomes its own group of features.
      newLhs = reshapeAxisInto(lbd, ls[1], lhs);
      G *= B;
    }
    const newRhs = reshapeAxisInto(rbd, rs[0], rhs);
    const out = conv(newLhs, newRhs);
    return [[reshapeAxisOutOf(os[1], B, out)], [os[1]]];
  }
  if (lbd !== null) {
    const B = lhs.shape[lbd];
    if (BG === 1) {
      const out = conv(reshapeAxisInto(lbd, ls[0], lhs), rhs);
      return [[reshapeAxisOutOf(os[0], B, out)], [os[0]]];
    }
    // Keep batch groups outermost: split them off, fold the vmapped axis into each group, re-merge.
    let nl = reshapeAxisOutOf(ls[0] + (lbd <= ls[0] ? 1 : 0), BG, lhs);
    nl = reshapeAxisInto(lbd + (ls[0] < lbd ? 1 : 0), ls[0] + 1, nl);
    nl = reshapeAxisInto(ls[0], ls[0], nl);
    const out = conv(nl, rhs);
    return [[reshapeAxisOutOf(os[0], B, out)], [os[0]]];
  }
  const r = rbd as number;
  const B = rhs.shape[r];
  if (G === 1 && BG === 1) {
    const out = conv(lhs, reshapeAxisInto(r, rs[0], rhs));
    return [[reshapeAxisOutOf(os[1], B, out)], [os[1]]];
  }
  // Groups must stay outermost in the output features: factor them out, fold the vmapped axis
  // into the per-group output features, and undo the same on the output.
  const groups = G > 1 ? G : BG;
  let nr = reshapeAxisOutOf(rs[0] + (r <= rs[0] ? 1 : 0), groups, rhs);
  nr = reshapeAxisInto(r + (rs[0] < r ? 1 : 0), rs[0] + 1, nr);
  nr = reshapeAxisInto(rs[0], rs[0], nr);
  let out = conv(lhs, nr);
  out = reshapeAxisOutOf(os[1], groups, out);
  out = reshapeAxisOutOf(os[1] + 1, B, out);
  out = reshapeAxisInto(os[1], os[1] + 1, out);
  return [[out], [os[1]]];
}

// ------------------------------------------------------------------ public function

/** JAX's `padtype_to_pads` for "SAME"/"SAME_LOWER"/"VALID". */
function padtypeToPads(
  inShape: readonly number[],
  window: readonly number[],
  strides: readonly number[],
  padding: string,
): [number, number][] {
  if (padding === "VALID") return inShape.map(() => [0, 0]);
  if (padding !== "SAME" && padding !== "SAME_LOWER")
    throw new ValueError(
      `convGeneralDilated: unknown padding '${padding}' (expected VALID, SAME, SAME_LOWER or [[lo, hi], ...])`,
    );
  return inShape.map((n, i) => {
    const outN = Math.ceil(n / strides[i]);
    const total = Math.max(0, (outN - 1) * strides[i] + window[i] - n);
    const small = Math.floor(total / 2);
    return padding === "SAME" ? [small, total - small] : [total - small, small];
  });
}

/**
 * lax.convGeneralDilated. Default layout NC…/OI…/NC…; `featureGroupCount` = channels with an
 * rhs of shape [C, 1, k] gives a depthwise convolution; padding `[[k - 1, 0]]` makes it causal.
 */
export function convGeneralDilated(lhs: Array, rhs: Array, opts: ConvOptions = {}): Array {
  // JAX's positional (window_strides, padding) are options here: a list passed positionally was silently ignored.
  if (typeof opts !== "object" || opts === null || globalThis.Array.isArray(opts)) {
    throw new ValueError(
      `convGeneralDilated: expected an options object { windowStrides, padding, ... }; got ${globalThis.Array.isArray(opts) ? "a list" : String(opts)}`,
    );
  }
  const known = [
    "windowStrides",
    "padding",
    "lhsDilation",
    "rhsDilation",
    "dimensionNumbers",
    "featureGroupCount",
    "batchGroupCount",
    "precision",
    "preferredElementType",
  ];
  for (const k of Object.keys(opts))
    if (!known.includes(k))
      throw new ValueError(`convGeneralDilated: unknown option '${k}'; the options are ${known.join(", ")}`);
  // Validated, not stored: every precision computes in float32 (primitives/precision.ts).
  checkPrecision("convGeneralDilated", opts.precision);
  const nd = lhs.ndim;
  const ns = Math.max(0, nd - 2);
  const dn = convDimensionNumbers(nd, opts.dimensionNumbers);
  const ones = new globalThis.Array<number>(ns).fill(1);
  const windowStrides = [...(opts.windowStrides ?? ones)];
  const lhsDilation = [...(opts.lhsDilation ?? ones)];
  const rhsDilation = [...(opts.rhsDilation ?? ones)];
  let padding: [number, number][];
  const pad = opts.padding ?? "VALID";
  if (typeof pad === "string") {
    if (rhs.ndim !== nd || dn.rhsSpec.length !== nd || dn.lhsSpec.length !== nd)
      throw new ShapeError(
        `convGeneralDilated: lhs and rhs must have the same rank; got lhs shape ${fmtShape(lhs.shape)}, rhs shape ${fmtShape(rhs.shape)}`,
      );
    const inShape = dn.lhsSpec.slice(2).map((d, i) => dilateDim(lhs.shape[d], lhsDilation[i] ?? 1));
    const window = dn.rhsSpec.slice(2).map((d, i) => dilateDim(rhs.shape[d], rhsDilation[i] ?? 1));
    padding = padtypeToPads(inShape, window, windowStrides, pad);
  } else padding = pad.map((pr) => [pr[0], pr[1]] as [number, number]);
  return convGeneralDilatedP.bind1([lhs, rhs], {
    windowStrides,
    padding,
    lhsDilation,
    rhsDilation,
    dimensionNumbers: { lhsSpec: [...dn.lhsSpec], rhsSpec: [...dn.rhsSpec], outSpec: [...dn.outSpec] },
    featureGroupCount: opts.featureGroupCount ?? 1,
    batchGroupCount: opts.batchGroupCount ?? 1,
    preferredElementType: opts.preferredElementType ?? null,
  });
}
