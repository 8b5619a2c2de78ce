/**
 * The compile layer's first steps on their own: index-expression simplification, the IR's
 * hash-consing and printing, and the lowering rules of the movement and elementwise ops. A small
 * IR evaluator written here (independent of any backend renderer) runs lowered values element by
 * element; each must equal the eager op on the reference CPU backend, on random shapes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, np, ShapedArray, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import * as ix from "../src/compile/index-expr.ts";
import { ExprBuilder, printKernel, type Expr } from "../src/compile/ir.ts";
import { bufferValue, type Lazy, type LoweringContext } from "../src/compile/lowering.ts";
import {
  broadcastInDimRule,
  concatenateRule,
  iotaRule,
  padRule,
  reshapeRule,
  revRule,
  sliceRule,
  transposeRule,
} from "../src/compile/movement-lowering.ts";
import { elementwiseRule, selectNRule } from "../src/compile/elementwise-lowering.ts";

// ------------------------------------------------------------------ an IR evaluator for the tests

type Env = ReadonlyMap<number, ArrayLike<number>>;

function evalIndex(l: ix.Linear, vars: readonly number[]): number {
  let v = l.c;
  for (const { atom, coef } of l.terms) {
    const a =
      atom.kind === "var"
        ? vars[atom.axis]
        : atom.kind === "div"
          ? Math.floor(evalIndex(atom.of, vars) / atom.d)
          : ((evalIndex(atom.of, vars) % atom.d) + atom.d) % atom.d;
    v += coef * a;
  }
  return v;
}

function evalExpr(e: Expr, vars: readonly number[], env: Env): number {
  switch (e.kind) {
    case "const":
      return e.value;
    case "index":
      return evalIndex(e.index, vars);
    case "load": {
      const buf = env.get(e.buffer)!;
      // Out-of-range reads (the discarded side of a select) clamp, as renderers do.
      const i = Math.min(Math.max(evalIndex(e.index, vars), 0), buf.length - 1);
      return buf[i];
    }
    case "op": {
      const a = e.args.map((x) => evalExpr(x, vars, env));
      switch (e.op) {
        case "select":
          return a[0] !== 0 ? a[1] : a[2];
        case "and":
          return a[0] & a[1];
        case "not":
          return a[0] === 0 ? 1 : 0;
        case "lt":
          return a[0] < a[1] ? 1 : 0;
        case "le":
          return a[0] <= a[1] ? 1 : 0;
        case "ge":
          return a[0] >= a[1] ? 1 : 0;
        case "eq":
          return a[0] === a[1] ? 1 : 0;
        case "add":
          return Math.fround(a[0] + a[1]);
        case "mul":
          return Math.fround(a[0] * a[1]);
        case "exp":
          return Math.fround(Math.exp(a[0]));
        case "convertElementType":
          return Math.fround(a[0]);
        default:
          throw new Error(`test evaluator: op ${e.op}`);
      }
    }
  }
}

/** Every element of a lazy value, row-major (complex interleaved), in a kernel over its own shape. */
function evaluate(v: Lazy, env: Env): number[] {
  const shape = v.aval.shape;
  const out: number[] = [];
  const n = v.aval.size;
  const vars = new globalThis.Array<number>(shape.length).fill(0);
  const idx = shape.map((_, d) => ix.loopVar(d));
  const exprs = v.at(idx, shape);
  for (let i = 0; i < n; i++) {
    for (const e of exprs) out.push(evalExpr(e, vars, env));
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++vars[d] < shape[d]) break;
      vars[d] = 0;
    }
  }
  return out;
}

const flat = (a: Array): number[] => globalThis.Array.from(a.dataSync() as ArrayLike<number>);

/** A lowering context plus host buffers for the operands. */
function setup(...xs: Array[]): { ctx: LoweringContext; vals: Lazy[]; env: Map<number, ArrayLike<number>> } {
  const b = new ExprBuilder();
  const env = new Map<number, ArrayLike<number>>();
  const vals = xs.map((x, i) => {
    env.set(i, x.dataSync() as ArrayLike<number>);
    return bufferValue(b, i, x.aval);
  });
  return { ctx: { b }, vals, env };
}

function lowered(r: unknown): Lazy {
  assert.ok(globalThis.Array.isArray(r), "the rule lowered (did not decline or end a kernel)");
  return (r as Lazy[])[0];
}

const rand = mulberry32(7);
const randShape = (nd: number, max = 4): number[] =>
  globalThis.Array.from({ length: nd }, () => 1 + Math.floor(rand() * max));
const arange = (shape: number[]): Array =>
  np.reshape(np.arange(shape.reduce((a, b) => a * b, 1)).astype("float32"), shape);

// ------------------------------------------------------------------ index expressions

test("index-expr: reshape round trips simplify to the loop variables", () => {
  const ext = [2, 3, 4];
  const idx = ext.map((_, d) => ix.loopVar(d));
  // [2,3,4] → flat → [6,4] → flat → [2,3,4]
  const f1 = ix.flatten(idx, [12, 4, 1]);
  const mid = ix.unflatten(f1, [6, 4], ext);
  assert.equal(ix.print(mid[0]), "3*v0 + v1");
  assert.equal(ix.print(mid[1]), "v2");
  const back = ix.unflatten(ix.flatten(mid, [4, 1]), [2, 3, 4], ext);
  assert.deepEqual(back.map(ix.print), ["v0", "v1", "v2"]);
});

test("index-expr: a non-mergeable reshape keeps a div/mod, and ranges bound it", () => {
  const ext = [3, 4];
  const idx = ext.map((_, d) => ix.loopVar(d));
  // a [4,3] view read as [3,4]: element (i, j) is flat 4i + j of the [4,3] array.
  const [r, c] = ix.unflatten(ix.flatten(idx, [4, 1]), [4, 3], ext);
  // 4i + j = 3i + (i + j): the multiple of 3 leaves the division.
  assert.equal(ix.print(r), "(v0 + v1)/3 + v0");
  assert.equal(ix.print(c), "(v0 + v1)%3");
  assert.deepEqual(ix.range(r, ext), [0, 3]);
  assert.deepEqual(ix.range(c, ext), [0, 2]);
  assert.equal(ix.coefficientOf(r, 1), null, "v1 appears inside the division");
  assert.equal(
    ix.coefficientOf(
      ix.combine([
        [idx[0], 5],
        [idx[1], 1],
      ]),
      1,
    ),
    1,
  );
  // Evaluated, the forms are floor division and remainder.
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 4; j++) {
      assert.equal(evalIndex(r, [i, j]), Math.floor((4 * i + j) / 3));
      assert.equal(evalIndex(c, [i, j]), (4 * i + j) % 3);
    }
});

// ------------------------------------------------------------------ IR

test("ir: equal subtrees are one node, and the printout names shared ones", () => {
  const b = new ExprBuilder();
  const v = ix.loopVar(0);
  const x1 = b.load(0, v, "f32");
  const x2 = b.load(0, ix.combine([[v, 1]]), "f32");
  assert.equal(x1, x2);
  const e = b.op("exp", "f32", [x1], "float32");
  const y = b.op("mul", "f32", [e, b.op("add", "f32", [e, b.constant(1, "f32")], "float32")], "float32");
  assert.equal(b.op("exp", "f32", [x2], "float32"), e);
  const text = printKernel({
    kind: "elementwise",
    shape: [8],
    inputs: [0],
    outputs: [{ buffer: 1, dtype: "float32", values: [y] }],
  });
  assert.equal(
    text,
    ["elementwise[8] in=(b0)", "  t0 = exp(b0[v0])", "  b1:float32 = mul(t0, add(t0, 1:f32))"].join("\n"),
  );
});

// ------------------------------------------------------------------ lowering rules vs eager ops

test("lowering: broadcastInDim, transpose, reshape, slice and rev equal the eager ops on random shapes", () => {
  for (let trial = 0; trial < 20; trial++) {
    const shape = randShape(3);
    const x = arange(shape);
    const { ctx, vals, env } = setup(x);
    const check = (got: Lazy, want: Array, what: string) => {
      assert.deepEqual([...got.aval.shape], [...want.shape], what);
      assert.deepEqual(evaluate(got, env), flat(want), `${what} on [${shape}]`);
    };
    const perm = [2, 0, 1];
    const tr = lax.transpose(x, perm);
    check(lowered(transposeRule(ctx, vals, [tr.aval], { permutation: perm })), tr, "transpose");

    const bshape = [2, ...shape];
    const bc = lax.broadcastInDim(x, bshape, [1, 2, 3]);
    check(lowered(broadcastInDimRule(ctx, vals, [bc.aval], { broadcastDimensions: [1, 2, 3] })), bc, "broadcastInDim");

    const rs = lax.reshape(x, [shape[0] * shape[1], shape[2]]);
    check(lowered(reshapeRule(ctx, vals, [rs.aval], {})), rs, "reshape");

    const starts = shape.map((n) => Math.floor(rand() * n));
    const limits = shape.map((n, d) => starts[d] + 1 + Math.floor(rand() * (n - starts[d])));
    const steps = shape.map(() => 1 + Math.floor(rand() * 2));
    const sl = lax.slice(x, starts, limits, steps);
    check(lowered(sliceRule(ctx, vals, [sl.aval], { startIndices: starts, strides: steps })), sl, "slice");

    const rv = lax.rev(x, [0, 2]);
    check(lowered(revRule(ctx, vals, [rv.aval], { dimensions: [0, 2] })), rv, "rev");

    // A chain: transpose of a reshape of a reversal — composed index functions, no buffers between.
    const chain = lax.transpose(lax.reshape(rv, [shape[0], shape[1] * shape[2]]), [1, 0]);
    const rvL = lowered(revRule(ctx, vals, [rv.aval], { dimensions: [0, 2] }));
    const rsL = lowered(reshapeRule(ctx, [rvL], [new ShapedArray([shape[0], shape[1] * shape[2]], "float32")], {}));
    check(
      lowered(transposeRule(ctx, [rsL], [chain.aval], { permutation: [1, 0] })),
      chain,
      "rev → reshape → transpose",
    );
  }
});

test("lowering: pad (low, high, negative and interior padding) equals lax.pad", () => {
  for (let trial = 0; trial < 30; trial++) {
    const shape = randShape(2, 5);
    const x = arange(shape).add(1);
    const cfg = shape.map(
      () =>
        [Math.floor(rand() * 5) - 1, Math.floor(rand() * 5) - 1, Math.floor(rand() * 3)] as [number, number, number],
    );
    // lax.pad needs a non-negative output extent.
    if (cfg.some(([lo, hi, int], d) => lo + hi + shape[d] + Math.max(0, shape[d] - 1) * int <= 0)) continue;
    const pv = np.array(-7, { dtype: "float32" });
    const want = lax.pad(x, pv, cfg);
    const { ctx, vals, env } = setup(x, pv);
    const got = lowered(padRule(ctx, vals, [want.aval], { paddingConfig: cfg }));
    assert.deepEqual(evaluate(got, env), flat(want), `pad [${shape}] ${JSON.stringify(cfg)}`);
  }
});

test("lowering: concatenate and iota equal the eager ops; a pad of a reshape stays exact", () => {
  for (let trial = 0; trial < 10; trial++) {
    const rows = randShape(3, 3);
    const xs = rows.map((r, k) => arange([r, 3]).add(100 * k));
    const want = lax.concatenate(xs, 0);
    const { ctx, vals, env } = setup(...xs);
    assert.deepEqual(evaluate(lowered(concatenateRule(ctx, vals, [want.aval], { dimension: 0 })), env), flat(want));
    const want1 = lax.concatenate(
      xs.map((x) => lax.transpose(x, [1, 0])),
      1,
    );
    const trs = vals.map((v, k) =>
      lowered(transposeRule(ctx, [v], [new ShapedArray([3, rows[k]], "float32")], { permutation: [1, 0] })),
    );
    assert.deepEqual(
      evaluate(lowered(concatenateRule(ctx, trs, [want1.aval], { dimension: 1 })), env),
      flat(want1),
      "concatenate of transposes along the last axis",
    );
  }
  const io = lax.iota("float32", [3, 4], 1);
  const { ctx } = setup();
  assert.deepEqual(
    evaluate(lowered(iotaRule(ctx, [], [io.aval], { dtype: "float32", dimension: 1 })), new Map()),
    flat(io),
  );
  // pad(reshape(x)) with interior padding: the interleave pattern of an unrolled associative scan.
  const x = arange([2, 3]);
  const pv = np.array(0, { dtype: "float32" });
  const want = lax.pad(lax.reshape(x, [6]), pv, [[1, 0, 1]]);
  const s = setup(x, pv);
  const rs = lowered(reshapeRule(s.ctx, [s.vals[0]], [new ShapedArray([6], "float32")], {}));
  assert.deepEqual(
    evaluate(lowered(padRule(s.ctx, [rs, s.vals[1]], [want.aval], { paddingConfig: [[1, 0, 1]] })), s.env),
    flat(want),
  );
});

test("lowering: elementwise ops fuse over re-indexed operands; selectN is a select chain", () => {
  const x = arange([3, 4]).mul(0.25);
  const y = arange([4, 3]).mul(-0.5);
  const { ctx, vals, env } = setup(x, y);
  const yt = lowered(transposeRule(ctx, [vals[1]], [new ShapedArray([3, 4], "float32")], { permutation: [1, 0] }));
  const prod = lowered(elementwiseRule("mul")(ctx, [vals[0], yt], [x.aval], {}));
  const e = lowered(elementwiseRule("exp")(ctx, [prod], [x.aval], {}));
  const want = np.exp(np.multiply(x, lax.transpose(y, [1, 0])));
  assert.deepEqual(evaluate(e, env), flat(want));
  assert.equal(e.cost, 2, "two ops per element, no buffer in between");

  const which = np.array(
    [
      [0, 1, 2, 5],
      [-1, 2, 1, 0],
      [2, 2, 0, 1],
    ],
    { dtype: "int32" },
  );
  const cases = [x, arange([3, 4]), np.full([3, 4], 9, { dtype: "float32" })];
  const s = setup(which, ...cases);
  const sel = lowered(selectNRule(s.ctx, s.vals, [x.aval], {}));
  assert.deepEqual(evaluate(sel, s.env), flat(lax.selectN(which, ...cases)));
  assert.equal(
    elementwiseRule("div")(
      s.ctx,
      [
        bufferValue(s.ctx.b, 9, new ShapedArray([2], "complex64")),
        bufferValue(s.ctx.b, 9, new ShapedArray([2], "complex64")),
      ],
      [new ShapedArray([2], "complex64")],
      {},
    ),
    null,
    "complex division declines: it runs as a routine",
  );
});
