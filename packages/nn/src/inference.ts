/**
 * `inference(model, true)`: switch every layer with an `inference` field (Dropout, BatchNorm,
 * MultiheadAttention's dropout, ...) to inference mode, as `equinox.nn.inference_mode`.
 */
import { Module, isStaticFieldValue, replaceFields } from "./module.ts";
import { nodeChildren } from "./tree-nodes.ts";

/** A copy of `model` with every module's boolean `inference` field set to `value` (default true). */
export function inference<T>(model: T, value = true): T {
  const rec = (x: unknown): unknown => {
    if (x instanceof Module) {
      const fields: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(x))
        fields[k] = k === "inference" && typeof v === "boolean" ? value : isStaticFieldValue(v) ? v : rec(v);
      return replaceFields(x, fields);
    }
    const ch = nodeChildren(x);
    return ch === undefined ? x : ch.rebuild(ch.values.map(rec));
  };
  return rec(model) as T;
}
