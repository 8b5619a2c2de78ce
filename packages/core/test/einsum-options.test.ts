// np.einsum's JAX options — optimize (contraction order), precision, preferredElementType and the
// dotGeneral stand-in (JAX's _dot_general) — and np.einsumPath: values against numpy and numpy's
// optimal path cost (testdata/numpy/einsum-options/, generate.py there), every optimize setting
// giving the same values, dtype rules by hand (lax.dot_general's), jit / vmap / grad, errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, lax, jit, grad, DTypeError, ValueError, type Array, type DType } from "linax-ts";
import { assertClose, assertEqualArray, checkJit, checkVmap } from "@linax-ts/testing";

const REF = JSON.parse(
  readFileSync(
    fileURLToPath(new URL("../../../testdata/numpy/einsum-options/einsum-options.json", import.meta.url)),
    "utf8",
  ),
);
const CASES = ["chain3", "chain4", "ring", "star", "batch", "five", "outer_then_contract"];

interface Case {
  spec: string;
  ops: { shape: number[]; data: number[] }[];
  want: number[];
  shape: number[];
  optimal_path: number[][];
  optimal_cost: number;
}
const operands = (c: Case): Array[] => c.ops.map((o) => np.reshape(np.array(o.data), o.shape));

/** opt_einsum's / numpy's cost of a path (Π sizes of the step's labels × (1 + summed)), by hand for pairs. */
function hostCost(c: Case, path: readonly (readonly number[])[]): number {
  const [lhs, out] = c.spec.split("->");
  const size = new Map<string, number>();
  lhs.split(",").forEach((t, k) => [...t].forEach((ch, ax) => size.set(ch, c.ops[k].shape[ax])));
  let live = lhs.split(",").map((t) => new Set(t));
  let total = 0;
  for (const step of path) {
    assert.equal(step.length, 2, "hostCost handles pairwise steps");
    const [x, y] = step.map((p) => live[p]);
    const rest = live.filter((_, k) => !step.includes(k));
    const keep = new Set([...out, ...rest.flatMap((s) => [...s])]);
    const union = new Set([...x, ...y]);
    const kept = new Set([...union].filter((l) => keep.has(l)));
    total += [...union].reduce((p, l) => p * (size.get(l) as number), 1) * (kept.size < union.size ? 2 : 1);
    live = [...rest, kept];
  }
  return total;
}

test("every optimize setting gives numpy's values; 'optimal' finds numpy's optimal cost", () => {
  for (const name of CASES) {
    const c = REF[name] as Case;
    const ops = operands(c);
    for (const optimize of [
      undefined,
      "auto",
      true,
      false,
      "optimal",
      "greedy",
      "eager",
      "dp",
      "branch-all",
    ] as const) {
      const got = np.einsum(c.spec, ...ops, { optimize });
      assertClose(got, c.want, { rtol: 2e-5, atol: 2e-5, shape: c.shape });
    }
    // numpy's own optimal path, given explicitly (with and without the "einsum_path" head).
    assertClose(np.einsum(c.spec, ...ops, { optimize: c.optimal_path }), c.want, { rtol: 2e-5, atol: 2e-5 });
    assertClose(np.einsum(c.spec, ...ops, { optimize: ["einsum_path", ...c.optimal_path] }), c.want, {
      rtol: 2e-5,
      atol: 2e-5,
    });
    const [path] = np.einsumPath(c.spec, ...ops, { optimize: "optimal" });
    const steps = path.slice(1) as number[][];
    assert.equal(
      hostCost(c, steps),
      c.optimal_cost,
      `${name}: optimal path ${JSON.stringify(steps)} costs ${hostCost(c, steps)}, numpy's ${c.optimal_cost}`,
    );
    const [greedy] = np.einsumPath(c.spec, ...ops, { optimize: "greedy" });
    assert.ok(hostCost(c, greedy.slice(1) as number[][]) >= c.optimal_cost, `${name}: greedy beats the optimum`);
  }
});

test("optimize picks the cheap order: ij,jk,k->i contracts jk with k first (hand cost 2520 vs 4960)", () => {
  const c = REF.chain3 as Case;
  const ops = operands(c);
  const [p, report] = np.einsumPath(c.spec, ...ops);
  assert.deepEqual(p, ["einsum_path", [1, 2], [0, 1]]);
  // 30·40 (jk,k→j) + 2·30·2 (ij,j→i) = 1200·2 + 60·2 = 2520; left to right 2·30·40 + 2·40·2 = 2400 + 160, both doubled.
  assert.match(report, /Optimized cost: {2}2520/);
  assert.match(report, /Naive \(left to right\) cost: {2}4960/);
  const [noOpt] = np.einsumPath(c.spec, ...ops, { optimize: false });
  assert.deepEqual(noOpt, ["einsum_path", [0, 1, 2]]);
  // The path einsumPath returns is accepted back by einsum.
  assertClose(np.einsum(c.spec, ...ops, { optimize: p }), c.want, { rtol: 2e-5 });
});

test("the dotGeneral option replaces lax.dotGeneral for every pairwise contraction", () => {
  const c = REF.chain4 as Case;
  const ops = operands(c);
  for (const [optimize, calls] of [
    ["optimal", 3],
    [false, 3],
  ] as const) {
    const seen: string[] = [];
    const counting = (l: Array, r: Array, o: Parameters<typeof lax.dotGeneral>[2]) => {
      seen.push(`${l.shape}|${r.shape}|${JSON.stringify(o.contractingDims)}`);
      return lax.dotGeneral(l, r, o);
    };
    assertClose(np.einsum(c.spec, ...ops, { optimize, dotGeneral: counting }), c.want, { rtol: 2e-5, atol: 2e-5 });
    assert.equal(seen.length, calls, `${String(optimize)}: ${seen.join(" ; ")}`);
  }
  // A stand-in that changes the products changes the result: doubling each of 3 products → ×8.
  const doubling = (l: Array, r: Array, o: Parameters<typeof lax.dotGeneral>[2]) =>
    np.multiply(lax.dotGeneral(l, r, o), 2);
  assertClose(
    np.einsum(c.spec, ...ops, { dotGeneral: doubling }),
    c.want.map((v) => 8 * v),
    { rtol: 2e-5, atol: 1e-4 },
  );
  // precision reaches it, as JAX passes precision to _dot_general.
  let prec: unknown;
  np.einsum("ij,jk->ik", ops[0], ops[1], {
    precision: "highest",
    dotGeneral: (l, r, o) => {
      prec = o.precision;
      return lax.dotGeneral(l, r, o);
    },
  });
  assert.equal(prec, "highest");
});

test("preferredElementType: the result dtype and the accumulator (lax.dot_general's rule)", () => {
  const [ia, ib] = [np.array(REF.int.a, { dtype: "int32" }), np.array(REF.int.b, { dtype: "int32" })];
  assertEqualArray(np.einsum("ij,jk->ik", ia, ib), REF.int.want, "int32");
  assertClose(np.einsum("ij,jk->ik", ia, ib, { preferredElementType: "float32" }), REF.int.want, { dtype: "float32" });
  const [ba, bb] = [np.array(REF.bool.a, { dtype: "bool" }), np.array(REF.bool.b, { dtype: "bool" })];
  assertEqualArray(np.einsum("ij,jk->ik", ba, bb), REF.bool.or_of_ands, "bool");
  // bool operands counted in int32 (numpy's value of the int32 einsum of the same 0/1 operands).
  assertEqualArray(np.einsum("ij,jk->ik", ba, bb, { preferredElementType: "int32" }), REF.bool.counts, "int32");
  assertEqualArray(np.einsum("ij->", ba, { preferredElementType: "int32" }), [8], "int32");
  assertEqualArray(np.einsum("ij,jk->ik", ia, ib, { preferredElementType: "int32" }), REF.int.want, "int32");
  // uint32 → int32 is allowed (an unsigned input may become signed).
  assert.equal(
    np.einsum("i,i->", np.array([1, 2], { dtype: "uint32" }), np.array([3, 4], { dtype: "uint32" }), {
      preferredElementType: "int32",
    }).dtype,
    "int32",
  );
  // float16 operands accumulate in float32: 2048 + 1 + 1 is 2050 in float32, 2048 in float16 (ulp 2).
  const h = np.array([2048, 1, 1], { dtype: "float16" });
  const ones = np.array([1, 1, 1], { dtype: "float16" });
  assertClose(np.einsum("i,i->", h, ones, { preferredElementType: "float32" }), 2050, { dtype: "float32", atol: 0 });
  // A three-operand contraction with the option under jit and vmap.
  const c = REF.chain3 as Case;
  const ops = operands(c);
  checkJit((a: Array, b: Array, d: Array) => np.einsum(c.spec, a, b, d, { optimize: "greedy" }), ops);
  checkVmap(
    (a: Array, b: Array) => np.einsum("ij,jk->ik", a, b, { preferredElementType: "float32" }),
    [np.array([REF.int.a, REF.int.a], { dtype: "int32" }), np.array([REF.int.b, REF.int.b], { dtype: "int32" })],
  );
  for (const [inp, pref, why] of [
    ["float32", "int32", /compatible combinations/],
    ["float32", "float16", /not be narrower/],
    ["int32", "uint32", /same signedness/],
    ["complex64", "float32", /compatible combinations/],
    ["float32", "complex64", /compatible combinations/],
    ["int32", "float16", /not be narrower/],
  ] as [DType, DType, RegExp][]) {
    assert.throws(
      () =>
        np.einsum("i,i->", np.array([1, 2], { dtype: inp }), np.array([1, 2], { dtype: inp }), {
          preferredElementType: pref,
        }),
      (e: Error) =>
        e instanceof DTypeError &&
        e.message.includes(`preferredElementType ${pref} is not allowed for ${inp} operands`) &&
        why.test(e.message),
      `${inp} → ${pref}`,
    );
  }
  assert.throws(
    () => np.einsum("i->", np.array([1]), { preferredElementType: "float64" as DType }),
    /unknown preferredElementType 'float64'/,
  );
});

test("gradients are the same whatever the order (vs the unoptimized order)", () => {
  const c = REF.chain4 as Case;
  const ops = operands(c);
  const f = (optimize: "optimal" | "greedy" | false) => (a: Array, b: Array) =>
    np.sum(np.einsum(c.spec, a, b, ops[2], ops[3], { optimize }));
  const want = grad(f(false), { argnums: [0, 1] })(ops[0], ops[1]) as Array[];
  for (const o of ["optimal", "greedy"] as const) {
    const got = grad(f(o), { argnums: [0, 1] })(ops[0], ops[1]) as Array[];
    got.forEach((g, k) => assertClose(g, want[k], { rtol: 1e-5, atol: 1e-5 }));
  }
  assertClose(
    jit((a: Array) => np.einsum("ij,jk,k->i", a, ...operands(REF.chain3).slice(1), { optimize: true }))(
      operands(REF.chain3)[0],
    ),
    REF.chain3.want,
    {
      rtol: 2e-5,
    },
  );
});

test("einsum options: bad arguments raise clear errors", () => {
  const a = np.ones([2, 3]);
  const b = np.ones([3, 4]);
  assert.throws(
    () => np.einsum("ij,jk->ik", a, b, { optimise: true } as never),
    (e: Error) =>
      e instanceof ValueError &&
      /einsum: unknown option 'optimise'; the options are optimize, precision, preferredElementType, dotGeneral/.test(
        e.message,
      ),
  );
  assert.throws(
    () => np.einsum("ij,jk->ik", a, { optimize: true }, b),
    /einsum: an options object must come last; got one as argument 2 of 3/,
  );
  assert.throws(
    () => np.einsum("ij,jk->ik", a, b, { optimize: "branch-2" as never }),
    /unknown optimize strategy 'branch-2'/,
  );
  assert.throws(
    () => np.einsum("ij,jk->ik", a, b, { optimize: 3 as never }),
    /optimize must be a boolean, a strategy name or a contraction path/,
  );
  assert.throws(
    () => np.einsum("ij,jk->ik", a, b, { optimize: [[0, 2]] }),
    /path step 0 \[0,2\] must list distinct positions among the 2 operands left/,
  );
  assert.throws(() => np.einsum("ij,jk->ik", a, b, { optimize: [[0, 0]] }), /distinct positions/);
  assert.throws(
    () => np.einsum("ij,jk,k->i", a, b, np.ones([4]), { optimize: [[0, 1]] }),
    /leaves 2 operands of 3; it must end with one/,
  );
  assert.throws(
    () => np.einsum("ij,jk->ik", a, b, { precision: "fast" as never }),
    /einsum: precision must be null, one of/,
  );
  assert.throws(() => np.einsum("ij,jk->ik", a, b, { dotGeneral: 1 as never }), /'dotGeneral' must be a function/);
  assert.throws(
    () => np.einsumPath("ij,jk->ik", a, b, { precision: "highest" } as never),
    /einsumPath: unknown option 'precision'; the options are optimize/,
  );
  assert.throws(() => np.einsum("i->"), /at least one operand/);
});
