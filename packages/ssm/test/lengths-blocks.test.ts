/**
 * `lengths` on the standalone blocks' batch entry points — `Mamba.callBatch`, `Mamba2.callBatch`
 * and `SSTransformer.sequence` / `call`: the outputs at valid positions equal each sequence's
 * unpadded run (computed alone, at its own length), the padded outputs are zero, what the padding
 * holds never matters; eager and under jit with the lengths traced (one trace for every length).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { type Array, ShapeError, ValueError, jit, np, random } from "linax-ts";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums, randomInput } from "./host-values.ts";

const F = 4;
const L = 9;
const LENS = [9, 5, 1];

/** Row `b` of the padded batch: its valid prefix, then large garbage (a leak would show). */
function paddedBatch(seed: number): { seqs: Array[]; x: Array } {
  const seqs = LENS.map((n, b) => randomInput(n, F, seed + b).x);
  const rowsP = seqs.map((s, b) =>
    s.shape[0] === L
      ? s
      : np.concatenate(
          [
            s,
            randomInput(L - s.shape[0], F, seed + 10 + b)
              .x.mul(40)
              .add(-9),
          ],
          { axis: 0 },
        ),
  );
  return { seqs, x: np.stack(rowsP) };
}

type BatchFn = (x: Array, lengths?: Array | number[]) => Array;

const BLOCKS: [string, () => BatchFn][] = [
  [
    "Mamba zoh",
    () => {
      const m = new ssm.MambaConfig({ dState: 3, convKer: 3, chunkSize: 4 }).build(F, random.PRNGKey(1));
      return (x, lengths) => m.callBatch(x, lengths === undefined ? {} : { lengths });
    },
  ],
  [
    "Mamba exptrap",
    () => {
      const m = new ssm.MambaConfig({ dState: 3, convKer: 3, chunkSize: 4, discretization: "exptrap" }).build(
        F,
        random.PRNGKey(2),
      );
      return (x, lengths) => m.callBatch(x, lengths === undefined ? {} : { lengths });
    },
  ],
  [
    "Mamba2",
    () => {
      const m = new ssm.Mamba2Config({ dState: 4, headDim: 2, chunkSize: 4 }).build(F, random.PRNGKey(3));
      return (x, lengths) => m.callBatch(x, lengths === undefined ? {} : { lengths });
    },
  ],
  [
    "SSTransformer.sequence",
    () => {
      const m = ssm.SSTransformer.build(
        { embedDim: F, hiddenSize: 6, stateSize: 3, numLayers: 2, numHeads: 2, headDim: 3, dropout: 0 },
        random.PRNGKey(4),
      );
      return (x, lengths) => m.sequence(x, lengths === undefined ? {} : { lengths });
    },
  ],
];

for (const [name, make] of BLOCKS) {
  test(`${name}: { lengths } — valid steps equal each unpadded run, padded steps are zero, padding content is irrelevant; jit`, () => {
    const f = make();
    const { seqs, x } = paddedBatch(100);
    const lens = np.array(LENS, { dtype: "int32" });
    const y = f(x, LENS);
    const H = y.shape[2];
    for (let b = 0; b < LENS.length; b++) {
      const want = nums(f(np.expandDims(seqs[b], 0)));
      assertClose(nums(y.get(b, `:${LENS[b]}`)), want, { atol: 2e-5, msg: `${name} row ${b}` });
      if (LENS[b] < L)
        assert.deepEqual(
          nums(y.get(b, `${LENS[b]}:`)),
          new globalThis.Array((L - LENS[b]) * H).fill(0),
          `${name} padded rows of ${b}`,
        );
    }
    // Other garbage in the padding: the same outputs; without lengths the padded rows are data.
    const other = paddedBatch(100);
    const x2 = np.stack(
      other.seqs.map((s, b) =>
        s.shape[0] === L ? s : np.concatenate([s, randomInput(L - s.shape[0], F, 500 + b).x.mul(-30)], { axis: 0 }),
      ),
    );
    assertClose(nums(f(x2, lens)), nums(y), { atol: 1e-6, msg: `${name} other padding` });
    assert.ok(
      nums(f(x).get(1, "5:")).some((v) => Math.abs(v) > 1e-3),
      `${name}: without lengths the padded steps are computed`,
    );
    // jit with the lengths traced: one trace serves every length vector.
    let traces = 0;
    const g = jit((xx: Array, n: Array) => {
      traces++;
      return f(xx, n);
    });
    assertClose(nums(g(x, lens)), nums(y), { atol: 2e-5, msg: `${name} jit` });
    const y3 = g(x, np.array([3, 3, 3], { dtype: "int32" }));
    for (let b = 0; b < 3; b++)
      assertClose(nums(y3.get(b, ":3")), nums(f(np.expandDims(x.get(b, ":3"), 0))), {
        atol: 2e-5,
        msg: `${name} jit n=3 row ${b}`,
      });
    assert.equal(traces, 1);
  });
}

test("SSTransformer.call { lengths } picks the last valid step of the masked sequence; bad lengths are errors", () => {
  const m = ssm.SSTransformer.build(
    { embedDim: F, hiddenSize: 6, stateSize: 3, numLayers: 1, numHeads: 2, headDim: 3, dropout: 0 },
    random.PRNGKey(5),
  );
  const { seqs, x } = paddedBatch(200);
  const y = m.call(x, { lengths: LENS });
  for (let b = 0; b < 3; b++)
    assertClose(nums(y.get(b)), nums(m.call(np.expandDims(seqs[b], 0)).get(0)), { atol: 2e-5, msg: `row ${b}` });
  const mb = new ssm.MambaConfig({ dState: 2 }).build(F, random.PRNGKey(6));
  assert.throws(
    () => mb.callBatch(x, { lengths: [9, 5] }),
    (e: unknown) => e instanceof ShapeError && /lengths has 2 entries for a batch of 3/.test(e.message),
  );
  assert.throws(
    () => mb.callBatch(x, { lengths: 10 }),
    (e: unknown) => e instanceof ValueError && /lengths must be an integer in \[0, 9\]/.test(e.message),
  );
  assert.throws(
    () => mb.callBatch(x, { lenghts: 3 } as unknown as ssm.MambaCallOptions),
    (e: unknown) => e instanceof ValueError && /Mamba.callBatch: unknown option "lenghts"/.test(e.message),
  );
  const m2 = new ssm.Mamba2Config({ dState: 2, headDim: 2 }).build(F, random.PRNGKey(7));
  assert.throws(
    () => m2.callBatch(x, { lengths: np.array([1, 2, 3]) }),
    (e: unknown) => e instanceof Error && /int32 or uint32/.test(e.message),
  );
});
