import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import { arr, checkVmap, fdGrad, randint, randn, rng, strides } from "./host-tensor-checks.ts";

/**
 * Reference einsum on the host: loop over every assignment of all labels, multiply the operand
 * entries, add into the output entry (float64). Explicit subscripts with single letters only.
 */
function hostEinsum(spec: string, ops: { data: readonly number[]; shape: readonly number[] }[]): number[] {
  const [lhs, out] = spec.split("->");
  const terms = lhs.split(",");
  const size = new Map<string, number>();
  terms.forEach((t, k) => [...t].forEach((c, ax) => size.set(c, ops[k].shape[ax])));
  const labels = [...size.keys()];
  const total = labels.reduce((a, l) => a * (size.get(l) as number), 1);
  const outShape = [...out].map((c) => size.get(c) as number);
  const res = new globalThis.Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const ost = strides(outShape);
  for (let k = 0; k < total; k++) {
    const val = new Map<string, number>();
    let rem = k;
    for (let i = labels.length - 1; i >= 0; i--) {
      const n = size.get(labels[i]) as number;
      val.set(labels[i], rem % n);
      rem = Math.floor(rem / n);
    }
    let p = 1;
    terms.forEach((t, j) => {
      const st = strides(ops[j].shape);
      let off = 0;
      [...t].forEach((c, ax) => (off += (val.get(c) as number) * st[ax]));
      p *= ops[j].data[off];
    });
    let o = 0;
    [...out].forEach((c, ax) => (o += (val.get(c) as number) * ost[ax]));
    res[o] += p;
  }
  return res;
}

const r = rng(21);
const op = (shape: number[]) => ({
  data: randn(
    r,
    shape.reduce((a, b) => a * b, 1),
  ),
  shape,
});

test("einsum matches a host reference for contractions, batch dims, traces, diagonals, transposes, chains", () => {
  const cases: [string, number[][]][] = [
    [
      "ij,jk->ik",
      [
        [3, 4],
        [4, 5],
      ],
    ],
    [
      "bij,bjk->bik",
      [
        [2, 3, 4],
        [2, 4, 5],
      ],
    ],
    [
      "ij,ij->",
      [
        [3, 4],
        [3, 4],
      ],
    ],
    [
      "ij,ij->ij",
      [
        [3, 4],
        [3, 4],
      ],
    ],
    ["ii->", [[4, 4]]],
    ["ii->i", [[4, 4]]],
    ["iij->ji", [[3, 3, 2]]],
    ["ij->ji", [[3, 4]]],
    ["ijk->kj", [[2, 3, 4]]],
    ["i,j->ij", [[3], [4]]],
    [
      "ij,jk,kl->il",
      [
        [2, 3],
        [3, 4],
        [4, 2],
      ],
    ],
    [
      "ab,bc,ca->",
      [
        [3, 4],
        [4, 2],
        [2, 3],
      ],
    ],
    [
      "bhqd,bhkd->bhqk",
      [
        [2, 2, 3, 4],
        [2, 2, 5, 4],
      ],
    ],
    [
      "ij,jk,ik->k",
      [
        [2, 3],
        [3, 4],
        [2, 4],
      ],
    ],
    ["ii,i->i", [[3, 3], [3]]],
    [",i->i", [[], [3]]],
  ];
  for (const [spec, shapes] of cases) {
    const ops = shapes.map(op);
    const got = np.einsum(spec, ...ops.map((o) => arr(o.data, o.shape)));
    assertClose(got, hostEinsum(spec, ops), { rtol: 1e-5, atol: 1e-6 });
  }
});

test("implicit output: labels appearing once, alphabetically; ellipsis dims first", () => {
  const a = op([3, 4]);
  const b = op([4, 5]);
  assertClose(np.einsum("ij,jk", arr(a.data, a.shape), arr(b.data, b.shape)), hostEinsum("ij,jk->ik", [a, b]), {
    rtol: 1e-5,
  });
  assertClose(np.einsum("ji", arr(a.data, a.shape)), hostEinsum("ji->ij", [a]), { shape: [4, 3] });
  assertClose(np.einsum("ii", arr([1, 2, 3, 4], [2, 2])), 5, { shape: [] });
  // Uppercase sorts before lowercase, as numpy (ASCII order).
  assert.deepEqual([...np.einsum("aB", arr(a.data, a.shape)).shape], [4, 3]);
  const x = op([2, 3, 4]);
  const y = op([4, 5]);
  assertClose(np.einsum("...ij,jk", arr(x.data, x.shape), arr(y.data, y.shape)), hostEinsum("zij,jk->zik", [x, y]), {
    rtol: 1e-5,
    shape: [2, 3, 5],
  });
});

test("ellipsis broadcasting (including size-1 dims) and explicit ellipsis outputs", () => {
  const x = op([2, 1, 3, 4]);
  const y = op([5, 4, 6]);
  const got = np.einsum("...ij,...jk->...ik", arr(x.data, x.shape), arr(y.data, y.shape));
  assert.deepEqual([...got.shape], [2, 5, 3, 6]);
  assertClose(got, np.matmul(arr(x.data, x.shape), arr(y.data, y.shape)), { rtol: 1e-5, atol: 1e-6 });
  const z = op([2, 3, 3]);
  assertClose(np.einsum("...ii->...i", arr(z.data, z.shape)), hostEinsum("zii->zi", [z]), { rtol: 1e-6 });
  assertClose(np.einsum("i...->...", arr(z.data, z.shape)), hostEinsum("zab->ab", [z]), { rtol: 1e-5 });
});

test("einsum dtypes: int32 exact, bool as logical or-of-ands, complex", () => {
  const a = randint(r, 12);
  const b = randint(r, 12);
  assertEqualArray(
    np.einsum("ij,jk->ik", arr(a, [3, 4], "int32"), arr(b, [4, 3], "int32")),
    hostEinsum("ij,jk->ik", [
      { data: a, shape: [3, 4] },
      { data: b, shape: [4, 3] },
    ]),
    "int32",
  );
  assertEqualArray(
    np.einsum("ij,jk->ik", arr([1, 0, 0, 0], [2, 2], "bool"), arr([1, 1, 1, 1], [2, 2], "bool")),
    [1, 1, 0, 0],
    "bool",
  );
  // (1+i)·(1−i) = 2
  assertClose(np.einsum("i,i->", arr([1, 1], [1], "complex64"), arr([1, -1], [1], "complex64")), [2, 0]);
  // promotion: int32 with float32
  assertClose(np.einsum("i,i", arr([1, 2], [2], "int32"), arr([0.5, 0.5], [2])), 1.5, { dtype: "float32" });
});

test("einsum errors", () => {
  const a = arr(randn(r, 6), [2, 3]);
  assert.throws(
    () => np.einsum("ij,jk->ik", a),
    (e: Error) => e instanceof ValueError && /2 operands but 1/.test(e.message),
  );
  assert.throws(
    () => np.einsum("ijk->i", a),
    (e: Error) => e instanceof ShapeError && /3 subscripts/.test(e.message),
  );
  assert.throws(
    () => np.einsum("ij,ij->i", a, arr(randn(r, 8), [2, 4])),
    (e: Error) => e instanceof ShapeError && /'j' has size 3/.test(e.message),
  );
  assert.throws(
    () => np.einsum("ij->k", a),
    (e: Error) => e instanceof ValueError && /'k'/.test(e.message),
  );
  assert.throws(() => np.einsum("ij->ii", a), ValueError);
  assert.throws(
    () => np.einsum("i1->i", a),
    (e: Error) => e instanceof ValueError && /'1'/.test(e.message),
  );
  assert.throws(() => np.einsum("ii", a), ShapeError);
  assert.throws(() => np.einsum("i->i->i", a), ValueError);
});

test("grad through einsum vs central differences; vmap; jit", () => {
  const a = op([2, 3]);
  const b = op([3, 4]);
  const c = op([4]);
  const spec = "ij,jk,k->i";
  const w = [0.3, -1.2];
  const f = (u: Array) => np.sum(np.einsum(spec, u, arr(b.data, b.shape), arr(c.data, c.shape)).mul(np.array(w)));
  const host = (u: number[]) =>
    hostEinsum(spec, [{ data: u, shape: a.shape }, b, c]).reduce((s, v, i) => s + v * w[i], 0);
  assertClose(grad(f)(arr(a.data, a.shape)) as Array, fdGrad(host, a.data), { rtol: 1e-5, atol: 1e-6 });
  const t = op([3, 3]);
  const ft = (u: Array) => np.einsum("ii,ij->", u, u);
  const hostT = (u: number[]) =>
    hostEinsum("ii,ij->", [
      { data: u, shape: [3, 3] },
      { data: u, shape: [3, 3] },
    ])[0];
  assertClose(grad(ft)(arr(t.data, t.shape)) as Array, fdGrad(hostT, t.data), { rtol: 1e-5, atol: 1e-6 });
  checkVmap(
    (u, v) => np.einsum("ij,jk->ki", u, v),
    [arr(randn(r, 24), [2, 3, 4]), arr(randn(r, 8), [4, 2])],
    [0, null],
  );
  checkVmap(
    (u, v) => np.einsum("ii,ij->j", u, v),
    [arr(randn(r, 18), [3, 2, 3]), arr(randn(r, 18), [3, 3, 2])],
    [1, 2],
  );
  const g = (u: Array, v: Array) => np.einsum("bij,bjk->bik", u, v);
  const u = arr(randn(r, 24), [2, 3, 4]);
  const v = arr(randn(r, 16), [2, 4, 2]);
  assertClose(jit(g)(u, v), g(u, v), { rtol: 1e-6 });
});
