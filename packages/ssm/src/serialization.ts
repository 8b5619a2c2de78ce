/**
 * Parameter names as linax stores them (SPEC §11): a model's array leaves are named by their
 * path, fields joined by "." and list indices as numbers — `encoder.linear.weight`,
 * `blocks.0.sequence_mixer.B`, `blocks.0.channel_mixer.w1.bias`, `head.linear.weight` — which
 * is `jax.tree_util.keystr(path)` without the leading dot and with `[i]` written `.i`. Every
 * model-system field on those paths is named as in linax already (`sequence_mixer`,
 * `channel_mixer`, `gate_proj`, ...); only nn's BatchNorm spells its state-index fields in
 * camelCase, and those appear only in a model that still holds its initial states (built by
 * `config.build(key)` rather than `makeWithState`). `linaxPath` maps them.
 *
 * `nn.saveSafetensors(path, model)` / `nn.loadSafetensors(path, like)` read and write these
 * names directly; `saveSSM` / `loadSSM` add the BatchNorm renaming.
 */
import { Array, treeLeavesWithPath, type DType } from "@linax-ts/core";
import { loadSafetensors, saveSafetensors, type LoadOptions, type SaveOptions } from "@linax-ts/nn";

/** nn field names that linax (Equinox) spells differently. */
const LINAX_FIELD: Readonly<Record<string, string>> = {
  emaFirstTimeIndex: "ema_first_time_index",
  emaStateIndex: "ema_state_index",
  batchCounter: "batch_counter",
  batchStateIndex: "batch_state_index",
};

/** A leaf path of this port (`a.b.0.c`) → linax's name for it (BatchNorm fields in snake_case). */
export function linaxPath(path: string): string {
  return path
    .split(".")
    .map((p) => LINAX_FIELD[p] ?? p)
    .join(".");
}

/** `jax.tree_util.keystr` output (`.blocks[0].sequence_mixer.B`) → the tensor name (`blocks.0.sequence_mixer.B`). */
export function fromKeystr(keystr: string): string {
  return keystr
    .replace(/\[(\d+)\]/g, ".$1")
    .replace(/\['([^']*)'\]/g, ".$1")
    .replace(/^\./, "");
}

/** One array leaf: its linax name, shape and dtype. */
export interface ParameterEntry {
  readonly path: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** Every array leaf of `tree` in flatten (= serialisation) order, named as linax names it. */
export function parameterTable(tree: unknown): ParameterEntry[] {
  return treeLeavesWithPath(tree)
    .filter(([, leaf]) => leaf instanceof Array)
    .map(([p, leaf]) => ({
      path: linaxPath(p.join(".")),
      shape: [...(leaf as Array).shape],
      dtype: (leaf as Array).dtype,
    }));
}

/** Save a model's array leaves as safetensors under linax's names (`nn.saveSafetensors` + `linaxPath`). */
export async function saveSSM(path: string, model: unknown, opts: Omit<SaveOptions, "rename"> = {}): Promise<void> {
  await saveSafetensors(path, model, { ...opts, rename: linaxPath });
}

/**
 * Fill `like` (a freshly built model of the same config) from a safetensors file keyed by linax's
 * names. Pass `{ strict: false }` for a file exported from Python that also holds BatchNorm
 * initial states (`blocks.0.norm.ema_state_index.init.0`, ...) when `like` came from
 * `makeWithState` (which has none).
 */
export async function loadSSM<T>(path: string, like: T, opts: Omit<LoadOptions, "rename"> = {}): Promise<T> {
  return loadSafetensors(path, like, { ...opts, rename: linaxPath });
}
