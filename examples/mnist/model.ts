/**
 * linax's MNIST model for each mixer family: a linear encoder (features → hidden), `blocks`
 * residual blocks (BatchNorm, the sequence mixer, GELU, dropout, GLU channel mixer) and a
 * classification head that averages over time (log-softmax over 10 classes).
 */
import { ValueError, nn, type random, ssm } from "linax-ts";

export const MODELS = ["s5", "linoss", "lru", "s4d", "mamba"] as const;
export type ModelName = (typeof MODELS)[number];

/** The shape of a model: everything needed to rebuild it (stored in every checkpoint). */
export interface ModelSpec {
  model: ModelName;
  /** Input features per step: 28 (rows) or 1 (pixels). */
  inFeatures: number;
  hidden: number;
  stateDim: number;
  blocks: number;
  dropRate: number;
  classes: number;
}

/** The sequence mixer config of `spec.model` with state size `spec.stateDim`. */
function mixerConfig(spec: ModelSpec): ssm.SequenceMixerConfig {
  switch (spec.model) {
    case "s5":
      return new ssm.S5SequenceMixerConfig({ stateDim: spec.stateDim });
    case "linoss":
      return new ssm.LinOSSSequenceMixerConfig({ stateDim: spec.stateDim });
    case "lru":
      return new ssm.LRUSequenceMixerConfig({ stateDim: spec.stateDim });
    case "s4d":
      return new ssm.S4DSequenceMixerConfig({ stateDim: spec.stateDim });
    case "mamba":
      return new ssm.MambaConfig({ dState: Math.min(spec.stateDim, 16), expand: 2 });
    default:
      throw new ValueError(`--model: unknown model '${String(spec.model)}'; expected one of ${MODELS.join(", ")}`);
  }
}

/** The `SSMConfig` of a spec (the same for every mixer family: only the mixer differs). */
export function modelConfig(spec: ModelSpec): ssm.SSMConfig {
  const n = spec.blocks;
  const rep = <T>(v: T): T[] => globalThis.Array.from({ length: n }, () => v);
  return new ssm.SSMConfig({
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: spec.inFeatures, outFeatures: spec.hidden }),
    sequenceMixerConfigs: rep(mixerConfig(spec)),
    blockConfigs: rep(new ssm.StandardBlockConfig({ dropRate: spec.dropRate })),
    channelMixerConfigs: rep(new ssm.GLUConfig()),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: spec.classes }),
  });
}

/** Build the model and its BatchNorm `State` from a spec and a key. */
export function buildModel(spec: ModelSpec, key: random.KeyArray): [ssm.SSM, nn.State] {
  return nn.makeWithState(ssm.SSM)(modelConfig(spec), key);
}
