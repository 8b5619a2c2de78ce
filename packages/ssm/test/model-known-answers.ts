/**
 * Shared helpers of the model-system tests: the small model of SPEC §11/§12 (F=3 → H=4, two
 * blocks, GLU, 2 classes), its inputs, and the Equinox known answers of
 * testdata/ssm/model-known-answers.json (see testdata/ssm/README.md).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, type Array } from "linax-ts";
import * as ssm from "@linax-ts/ssm";

/** The SPEC §11 model: `LinearEncoder(3 → 4)`, two `StandardBlock`s around `mixer`, GLU, 2 classes. */
export function smallConfig(
  mixer: ssm.SequenceMixerConfig,
  block: ssm.StandardBlockOptions = {},
  head: Partial<ssm.HeadOptions> = {},
): ssm.SSMConfig {
  const b = new ssm.StandardBlockConfig(block);
  return new ssm.SSMConfig({
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 3, outFeatures: 4 }),
    sequenceMixerConfigs: [mixer, mixer],
    blockConfigs: [b, b],
    channelMixerConfigs: [new ssm.GLUConfig(), new ssm.GLUConfig()],
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 2, ...head }),
  });
}

/** SPEC §12's input `arange(30).reshape(2, 5, 3) / 10 - 1`. */
export function spec12Input(): Array {
  return np.arange(0, 30, 1, { dtype: "float32" }).reshape([2, 5, 3]).div(10).sub(1);
}

/** A stored array: shape, dtype, row-major float64 data. */
export interface StoredArray {
  shape: number[];
  dtype: string;
  data: number[];
}

/** One case of model-known-answers.json. */
export interface ModelCase {
  mixer: "s5" | "linoss";
  config: { state_dim: number };
  drop_rate: number;
  prenorm: boolean;
  y1: StoredArray;
  stats1: StoredArray[][];
  y2: StoredArray;
  stats2: StoredArray[][];
  y3: StoredArray;
}

/** testdata/ssm/model-known-answers.json (scripts/testdata/gen_ssm_models.py, JAX 0.11.2 + Equinox 0.13.8). */
export function modelKnownAnswers(): { x1: StoredArray; x2: StoredArray; cases: Record<string, ModelCase> } {
  const path = fileURLToPath(new URL("../../../testdata/ssm/model-known-answers.json", import.meta.url));
  return JSON.parse(readFileSync(path, "utf8"));
}

/** A stored float32 array as an Array. */
export function stored(a: StoredArray): Array {
  return np.array(new Float32Array(a.data)).reshape(a.shape);
}
