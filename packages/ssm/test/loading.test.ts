import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Array, random, treeLeaves, ValueError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { nums } from "./host-values.ts";
import { smallConfig, spec12Input } from "./model-known-answers.ts";

/** SPEC §11's parameter leaves of the small model, in flatten (= serialisation) order. */
function specPaths(mixer: [string, number[]][]): string[] {
  const block = (i: number) => [
    ...mixer.map(([n, s]) => `blocks.${i}.sequence_mixer.${n} [${s}]`),
    `blocks.${i}.channel_mixer.w1.weight [4,4]`,
    `blocks.${i}.channel_mixer.w1.bias [4]`,
    `blocks.${i}.channel_mixer.w2.weight [4,4]`,
    `blocks.${i}.channel_mixer.w2.bias [4]`,
  ];
  return ["encoder.linear.weight [4,3]", ...block(0), ...block(1), "head.linear.weight [2,4]", "head.linear.bias [2]"];
}

const S5_LEAVES: [string, number[]][] = [
  ["Lambda_re", [2]],
  ["Lambda_im", [2]],
  ["B", [2, 4, 2]],
  ["C", [4, 2, 2]],
  ["D", [4]],
  ["log_step", [2, 1]],
];
const LINOSS_LEAVES: [string, number[]][] = [
  ["A_diag", [4]],
  ["G_diag", [4]],
  ["B", [4, 4, 2]],
  ["C", [4, 4, 2]],
  ["D", [4]],
  ["steps", [4]],
];

const table = (m: unknown) => ssm.parameterTable(m).map((e) => `${e.path} [${e.shape}]`);

function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "linax-ssm-"));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test("parameter paths of small S5 and LinOSS models are exactly SPEC §11's (makeWithState: no BatchNorm initial states)", () => {
  for (const [mixer, leaves] of [
    [new ssm.S5SequenceMixerConfig({ stateDim: 4 }), S5_LEAVES],
    [new ssm.LinOSSSequenceMixerConfig({ stateDim: 4 }), LINOSS_LEAVES],
  ] as const) {
    const [model] = nn.makeWithState(ssm.SSM)(smallConfig(mixer), random.PRNGKey(0));
    assert.deepEqual(table(model), specPaths(leaves as [string, number[]][]));
    assert.ok(ssm.parameterTable(model).every((e) => e.dtype === "float32"));
    // A model from config.build keeps its initial states, named and placed as Equinox's.
    const full = ssm.parameterTable(smallConfig(mixer).build(random.PRNGKey(0)));
    assert.deepEqual(
      full.slice(1, 4).map((e) => `${e.path} [${e.shape}] ${e.dtype}`),
      [
        "blocks.0.norm.ema_first_time_index.init [] bool",
        "blocks.0.norm.ema_state_index.init.0 [4] float32",
        "blocks.0.norm.ema_state_index.init.1 [4] float32",
      ],
    );
  }
  // Undamped LinOSS has no G_diag; S4D's kernel.C is complex64.
  const [undamped] = nn.makeWithState(ssm.SSM)(
    smallConfig(new ssm.LinOSSSequenceMixerConfig({ stateDim: 4, damping: false })),
    random.PRNGKey(0),
  );
  assert.ok(!table(undamped).some((p) => p.includes("G_diag")));
  const [s4d] = nn.makeWithState(ssm.SSM)(
    smallConfig(new ssm.S4DSequenceMixerConfig({ stateDim: 4 })),
    random.PRNGKey(0),
  );
  assert.deepEqual(
    ssm
      .parameterTable(s4d)
      .filter((e) => e.path.startsWith("blocks.0.sequence_mixer"))
      .map((e) => `${e.path} [${e.shape}] ${e.dtype}`),
    [
      "blocks.0.sequence_mixer.kernel.C [4,2] complex64",
      "blocks.0.sequence_mixer.kernel.log_dt [4] float32",
      "blocks.0.sequence_mixer.kernel.log_a_real [4,2] float32",
      "blocks.0.sequence_mixer.kernel.A_imag [4,2] float32",
    ],
  );
});

test("a file keyed by linax's paths (written from known arrays) loads into a fresh model that then computes the same outputs", async () => {
  for (const mixer of [
    new ssm.S5SequenceMixerConfig({ stateDim: 4 }),
    new ssm.LinOSSSequenceMixerConfig({ stateDim: 4 }),
    new ssm.S4DSequenceMixerConfig({ stateDim: 4 }),
  ]) {
    const cfg = smallConfig(mixer, { dropRate: 0 });
    const [original, state] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(0));
    // The known arrays, as a flat record keyed by path — no model structure involved in writing.
    const entries = ssm.parameterTable(original);
    const arrays = treeLeaves(original).filter((l): l is Array => l instanceof Array);
    const record: Record<string, Array> = Object.fromEntries(entries.map((e, i) => [e.path, arrays[i]]));
    await withTmp(async (dir) => {
      const file = join(dir, "model.safetensors");
      await nn.saveSafetensors(file, record);
      const [fresh, freshState] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(9));
      const x = spec12Input();
      const [yFresh] = fresh.callBatch(x, nn.cloneState(freshState));
      const loaded = await nn.loadSafetensors(file, fresh);
      assert.ok(loaded instanceof ssm.SSM);
      treeLeaves(loaded).forEach((l, i) => assert.deepEqual(nums(l as Array), nums(arrays[i])));
      const [yOrig] = original.callBatch(x, nn.cloneState(state));
      const [yLoaded] = loaded.callBatch(x, freshState);
      assert.deepEqual(nums(yLoaded), nums(yOrig));
      assert.notDeepEqual(nums(yFresh), nums(yOrig));
    });
  }
});

test("saveSSM/loadSSM use Equinox's names for BatchNorm states; missing or misshapen tensors are errors naming the key", async () => {
  const cfg = smallConfig(new ssm.LRUSequenceMixerConfig({ stateDim: 4 }));
  const withInit = cfg.build(random.PRNGKey(1));
  await withTmp(async (dir) => {
    const file = join(dir, "full.safetensors");
    await ssm.saveSSM(file, withInit);
    const { tensors } = nn.readSafetensorsBytes(
      new Uint8Array(await import("node:fs/promises").then((f) => f.readFile(file))),
    );
    assert.ok(
      tensors.has("blocks.1.norm.ema_first_time_index.init") && tensors.has("blocks.0.norm.ema_state_index.init.1"),
    );
    // Round trip into a model of the same kind.
    const back = await ssm.loadSSM(file, cfg.build(random.PRNGKey(2)));
    assert.deepEqual(ssm.parameterTable(back), ssm.parameterTable(withInit));
    // A makeWithState model has no initial-state leaves: the extra tensors are an error unless strict is off.
    const [lean] = nn.makeWithState(ssm.SSM)(cfg, random.PRNGKey(2));
    await assert.rejects(
      ssm.loadSSM(file, lean),
      (e: Error) => e instanceof ValueError && /ema_first_time_index/.test(e.message),
    );
    const loose = await ssm.loadSSM(file, lean, { strict: false });
    assert.deepEqual(
      nums((loose.head as ssm.ClassificationHead).linear.weight),
      nums((withInit.head as ssm.ClassificationHead).linear.weight),
    );
    // Missing and misshapen tensors.
    const small = join(dir, "partial.safetensors");
    const { "head.linear.bias": _, ...rest } = Object.fromEntries(
      ssm.parameterTable(lean).map((e, i) => [e.path, treeLeaves(lean).filter((l) => l instanceof Array)[i] as Array]),
    );
    await nn.saveSafetensors(small, rest);
    await assert.rejects(nn.loadSafetensors(small, lean), /head\.linear\.bias/);
    const wrong = join(dir, "wrong.safetensors");
    await nn.saveSafetensors(wrong, {
      ...rest,
      "head.linear.bias": (lean.head as ssm.ClassificationHead).linear.weight,
    });
    await assert.rejects(
      nn.loadSafetensors(wrong, lean),
      /'head\.linear\.bias' has shape \[2, 4\] in the file, but the model expects \[2\]/,
    );
  });
});

test("fromKeystr and linaxPath translate between Python key paths, tensor names and this port's fields", () => {
  assert.equal(ssm.fromKeystr(".blocks[0].sequence_mixer.B"), "blocks.0.sequence_mixer.B");
  assert.equal(ssm.fromKeystr(".blocks[1].norm.ema_state_index.init[0]"), "blocks.1.norm.ema_state_index.init.0");
  assert.equal(ssm.fromKeystr("['a'].b"), "a.b");
  assert.equal(ssm.linaxPath("blocks.0.norm.emaStateIndex.init.0"), "blocks.0.norm.ema_state_index.init.0");
  assert.equal(ssm.linaxPath("blocks.0.sequence_mixer.log_step"), "blocks.0.sequence_mixer.log_step");
});
