/**
 * safetensors round trips of the part-2 modules: lrnnx's S4D block (lrnnx's parameter names) and
 * an SSM of DeltaNet blocks (discretax's names) save, load into a model built from another key,
 * and compute the same function.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { random } from "linax-ts";
import * as nn from "@linax-ts/nn";
import * as ssm from "@linax-ts/ssm";
import { assertClose, nums } from "./host-values.ts";

test("S4D block and a DeltaNet SSM: save → load into a differently initialised model → same outputs", async () => {
  const dir = mkdtempSync(join(tmpdir(), "linax-ssm-part2-"));
  try {
    const block = new ssm.S4D({ dModel: 4, dState: 8, gate: 2, key: random.PRNGKey(1) });
    const file = join(dir, "s4d.safetensors");
    await nn.saveSafetensors(file, block);
    const other = new ssm.S4D({ dModel: 4, dState: 8, gate: 2, key: random.PRNGKey(2) });
    const x = random.normal(random.PRNGKey(3), [2, 4, 5]);
    assert.notDeepEqual(nums(other.forward(x)[0]), nums(block.forward(x)[0]));
    const loaded = await nn.loadSafetensors(file, other);
    assertClose(nums(loaded.forward(x)[0]), nums(block.forward(x)[0]), { atol: 0 });
    assert.deepEqual(
      ssm
        .parameterTable(block)
        .map((e) => e.path)
        .slice(0, 6),
      ["inv_dt", "A_real", "A_imag", "B", "C", "D"],
    );

    const cfg = (k: number) =>
      nn.makeWithState(ssm.SSM)(
        new ssm.DeltaNetConfig({
          numBlocks: 1,
          encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 }),
          headConfig: new ssm.RegressionHeadConfig({ outFeatures: 2 }),
          sequenceMixerConfig: new ssm.DeltaNetSequenceMixerConfig({ nHeads: 2 }),
        }),
        random.PRNGKey(k),
      );
    const [model, state] = cfg(4);
    const f2 = join(dir, "deltanet.safetensors");
    await ssm.saveSSM(f2, model);
    const [fresh] = cfg(5);
    const back = await ssm.loadSSM(f2, fresh);
    const xb = random.normal(random.PRNGKey(6), [2, 5, 3]);
    const inf = (m: ssm.SSM) => nums(nn.inference(m).callBatch(xb, state)[0]);
    assertClose(inf(back), inf(model), { atol: 0 });
    assert.ok(ssm.parameterTable(model).some((e) => e.path === "blocks.0.sequence_mixer.beta_proj.weight"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
