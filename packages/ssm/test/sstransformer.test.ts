/**
 * The State Space Transformer: options and defaults, leaves, step (Mamba cache + KV cache) ==
 * parallel forward for full causal and sliding-window attention, the attention path against a
 * float64 host attention, jit / vmap / grad (vs finite differences), dropout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, random, vmap, ValueError, ShapeError, type Array } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, leafTable, nums } from "./host-values.ts";

const JsArray = globalThis.Array;

const small = (o: Partial<ssm.SSTransformerOptions> = {}): ssm.SSTransformer =>
  ssm.SSTransformer.build(
    {
      embedDim: 3,
      hiddenSize: 8,
      stateSize: 4,
      numLayers: 2,
      numHeads: 2,
      headDim: 4,
      windowSize: 4,
      dropout: 0.1,
      ...o,
    },
    random.PRNGKey(0),
  );

function stepAll(m: ssm.SSTransformer, x: Array, maxLen: number): Array {
  let c = m.initCache(x.shape[0], { maxLen });
  const ys: Array[] = [];
  for (let t = 0; t < x.shape[1]; t++) {
    const [y, c2] = m.step(x.get(":", t), c);
    ys.push(y);
    c = c2;
  }
  return np.stack(ys, { axis: 1 });
}

test("options: Edifice's defaults, outputSize, recommendedDefaults, validation; leaves", () => {
  const cfg = new ssm.SSTransformerConfig({ embedDim: 5 });
  assert.deepEqual(
    { ...cfg },
    {
      embedDim: 5,
      hiddenSize: 256,
      stateSize: 16,
      numLayers: 6,
      numHeads: 4,
      headDim: 64,
      expandFactor: 2,
      convSize: 4,
      dropout: 0.1,
      windowSize: 60,
      slidingWindow: false,
    },
  );
  assert.equal(ssm.SSTransformer.outputSize({ hiddenSize: 32 }), 32);
  assert.equal(ssm.SSTransformer.outputSize(), 256);
  assert.equal(ssm.SSTransformer.recommendedDefaults().numHeads, 4);
  assert.throws(
    () => new ssm.SSTransformerConfig({ embedDim: 3, dropout: 1 }),
    (e: Error) => e instanceof ValueError && /dropout/.test(e.message),
  );
  assert.throws(
    () => new ssm.SSTransformerConfig({ embedDim: 0 }),
    (e: Error) => e instanceof ValueError && /embedDim/.test(e.message),
  );
  const m = small();
  const t = leafTable(m).map(([p, s]) => `${p} [${s}]`);
  assert.deepEqual(t.slice(0, 3), ["input_proj.weight [8,3]", "input_proj.bias [8]", "blocks.0.norm1.weight [8]"]);
  assert.ok(
    t.includes("blocks.1.ssm.A_log [16,4]") &&
      t.includes("blocks.0.q_proj.weight [8,8]") &&
      t.includes("blocks.0.gate.weight [8,8]") &&
      t.includes("blocks.1.ffn_up.weight [32,8]"),
    t.join(", "),
  );
  assert.equal(t[t.length - 1], "final_norm.bias [8]");
  assert.equal(
    ssm.SSTransformer.build(
      { embedDim: 8, hiddenSize: 8, numLayers: 1, numHeads: 1, headDim: 2, stateSize: 2 },
      random.PRNGKey(0),
    ).input_proj,
    null,
  );
  const x = random.normal(random.PRNGKey(1), [2, 5, 3]);
  assert.deepEqual(m.call(x).shape, [2, 8]);
  assert.throws(
    () => m.call(np.zeros([2, 5, 4])),
    (e: Error) => e instanceof ShapeError && /\[batch, seqLen, 3\]/.test(e.message),
  );
});

test("step (Mamba cache + KV cache) == parallel forward: full causal attention, and a sliding window shorter than L", () => {
  const x = random.normal(random.PRNGKey(1), [2, 9, 3]);
  const full = small();
  const yFull = full.sequence(x);
  assertClose(nums(stepAll(full, x, 9)), nums(yFull), { atol: 2e-5, msg: "causal" });
  assertClose(nums(full.call(x)), nums(yFull.get(":", 8)), { atol: 1e-6, msg: "last timestep" });
  const sliding = small({ slidingWindow: true });
  const ySl = sliding.sequence(x);
  assertClose(nums(stepAll(sliding, x, 4)), nums(ySl), { atol: 2e-5, msg: "sliding" });
  // The window matters: the same weights with full attention differ after position W.
  const d = np.max(np.abs(np.subtract(ySl.get(":", 8), yFull.get(":", 8)))).item();
  assert.ok(d > 1e-3, `sliding vs full at t = 8: ${d}`);
  assertClose(nums(ySl.get(":", np.arange(0, 4))), nums(yFull.get(":", np.arange(0, 4))), {
    atol: 1e-6,
    msg: "identical within the first window",
  });
});

test("the attention path equals a float64 host softmax attention (gate forced to attention)", () => {
  const m = small({ numLayers: 1 });
  const blk = m.blocks[0];
  // gate bias -1e4: σ(·) = 0, the block's mixed output is the attention alone.
  const forced = nn.treeAt((b: ssm.SSTBlock) => b.gate.bias as Array, blk, np.full([8], -1e4));
  const n = random.normal(random.PRNGKey(2), [1, 5, 8]);
  const out = forced.call(n);
  const nrm = nums(forced.norm1.call(n));
  const lin = (W: Array, bias: Array | null, v: number[]): number[] => {
    const w = nums(W),
      b = bias ? nums(bias) : null,
      [o, i] = W.shape;
    return JsArray.from({ length: o }, (_, r) => v.reduce((s, x, c) => s + w[r * i + c] * x, b ? b[r] : 0));
  };
  const rowsN = [0, 1, 2, 3, 4].map((t) => nrm.slice(t * 8, t * 8 + 8));
  const q = rowsN.map((r) => lin(forced.q_proj.weight, forced.q_proj.bias, r));
  const k = rowsN.map((r) => lin(forced.k_proj.weight, forced.k_proj.bias, r));
  const v = rowsN.map((r) => lin(forced.v_proj.weight, forced.v_proj.bias, r));
  const attnRows = rowsN.map((_, i) => {
    const o: number[] = JsArray(8).fill(0);
    for (let hd = 0; hd < 2; hd++) {
      const s = [...JsArray(i + 1).keys()].map(
        (j) => [0, 1, 2, 3].reduce((a, d) => a + q[i][hd * 4 + d] * k[j][hd * 4 + d], 0) / 2,
      );
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      for (let d = 0; d < 4; d++) o[hd * 4 + d] = e.reduce((a, w, j) => a + (w / z) * v[j][hd * 4 + d], 0);
    }
    return lin(forced.o_proj.weight, forced.o_proj.bias, o);
  });
  // Subtract the residual and the FFN: h1 = n + attn; out = h1 + FFN(norm2(h1)).
  const h1 = np.add(n, np.array(Float32Array.from(attnRows.flat())).reshape([1, 5, 8]));
  const want = np.add(h1, forced.ffn_down.call(nn.gelu(forced.ffn_up.call(forced.norm2.call(h1)))));
  assertClose(nums(out), nums(want), { atol: 2e-5, msg: "attention path" });
});

test("jit, vmap and grad (vs finite differences) of the whole model; dropout in training mode", () => {
  const m = small({ dropout: 0 });
  const x = random.normal(random.PRNGKey(3), [2, 6, 3]);
  const y = m.call(x);
  assertClose(nums(nn.filterJit((mm: ssm.SSTransformer, xx: Array) => mm.call(xx))(m, x)), nums(y), {
    atol: 1e-5,
    msg: "jit",
  });
  const xs = random.normal(random.PRNGKey(4), [3, 2, 6, 3]);
  const vb = vmap((xx: Array) => m.call(xx))(xs);
  assertClose(
    nums(vb),
    [0, 1, 2].flatMap((i) => nums(m.call(xs.get(i)))),
    { atol: 1e-5, msg: "vmap" },
  );
  const w = random.normal(random.PRNGKey(5), [2, 8]);
  const loss = (mm: ssm.SSTransformer): Array => np.sum(np.multiply(mm.call(x), w));
  const g = nn.filterGrad(loss)(m) as ssm.SSTransformer;
  for (const [name, get] of [
    ["blocks.0.gate.weight", (mm: ssm.SSTransformer) => mm.blocks[0].gate.weight],
    ["blocks.1.k_proj.weight", (mm: ssm.SSTransformer) => mm.blocks[1].k_proj.weight],
    ["blocks.0.ssm.A_log", (mm: ssm.SSTransformer) => mm.blocks[0].ssm.A_log],
  ] as const) {
    const leaf = get(m);
    const gv = nums(get(g));
    for (const idx of [0, gv.length - 1]) {
      const at = (e: number): number => {
        const v = nums(leaf);
        v[idx] += e;
        return nums(loss(nn.treeAt(get, m, np.array(Float32Array.from(v)).reshape(leaf.shape))))[0];
      };
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      assertClose([gv[idx]], [fd], { atol: 5e-3 * (1 + Math.abs(fd)), rtol: 2e-2, msg: `d/d${name}[${idx}]` });
    }
  }
  // Dropout: active with a key (training), reproducible per key, off without one.
  const md = small({ dropout: 0.5 });
  const a = nums(md.call(x, { key: random.PRNGKey(6) }));
  assert.deepEqual(nums(md.call(x, { key: random.PRNGKey(6) })), a);
  assert.notDeepEqual(a, nums(md.call(x)));
  assert.deepEqual(nums(md.call(x, { key: random.PRNGKey(6), inference: true })), nums(md.call(x)));
});

test("lengths: the output is each sequence's last valid step; padding after it changes nothing", () => {
  const m = small({ dropout: 0 });
  const x = random.normal(random.PRNGKey(7), [2, 7, 3]);
  const padded = np.concatenate([x.get(":", np.arange(0, 5)), np.full([2, 2, 3], 9)], 1);
  const y = m.call(padded, { lengths: [5, 7] });
  assertClose(nums(y.get(0)), nums(m.call(x.get(np.arange(0, 1)).get(":", np.arange(0, 5))).get(0)), {
    atol: 1e-5,
    msg: "length 5",
  });
  assertClose(nums(y.get(1)), nums(m.call(padded.get(np.arange(1, 2))).get(0)), { atol: 1e-5, msg: "full length" });
  assertClose(nums(m.call(padded, { lengths: 5 })), nums(m.call(x.get(":", np.arange(0, 5)))), {
    atol: 1e-5,
    msg: "scalar lengths",
  });
  assert.throws(
    () => m.call(x, { lengths: [3] }),
    (e: Error) => e instanceof ValueError || e instanceof ShapeError,
  );
});
