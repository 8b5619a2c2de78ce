/**
 * Readable summaries of pytrees: `treePformat(model)` prints the module tree with array shapes
 * (`f32[32,2]`), static fields, and the number of parameters (elements of float arrays) of every
 * module, like equinox's `tree_pformat` plus a parameter count.
 */
import { Array, treeLeaves } from "@linax-ts/core";
import { isInexactArray } from "./filters.ts";
import { Module } from "./module.ts";
import { isPlainObject } from "./tree-nodes.ts";

/** Number of elements in the float (and complex) arrays of a pytree: its trainable parameters. */
export function countParams(tree: unknown): number {
  let n = 0;
  for (const l of treeLeaves(tree)) if (isInexactArray(l)) n += l.size;
  return n;
}

const fmtCount = (n: number): string => n.toLocaleString("en-US");

function short(x: unknown): string | undefined {
  if (x instanceof Array) return x.aval.toString();
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (typeof x === "function") return `<function ${x.name || "anonymous"}>`;
  if (typeof x === "string") return JSON.stringify(x);
  if (typeof x !== "object") return String(x);
  return undefined;
}

export interface PformatOptions {
  /** Indentation per level (default 2). */
  indent?: number;
  /** Lines longer than this are broken over several lines (default 100). */
  width?: number;
}

/** Pretty-print a pytree (modules, lists, objects, arrays) as an indented summary. */
export function treePformat(tree: unknown, opts: PformatOptions = {}): string {
  const ind = opts.indent ?? 2;
  const width = opts.width ?? 100;
  const rec = (x: unknown, depth: number, seen: Set<object>): string => {
    const s = short(x);
    if (s !== undefined) return s;
    const obj = x as object;
    if (seen.has(obj)) return "<cycle>";
    seen.add(obj);
    try {
      let open: string;
      let close: string;
      let items: string[];
      let count = "";
      if (globalThis.Array.isArray(obj)) {
        open = "[";
        close = "]";
        items = obj.map((c) => rec(c, depth + 1, seen));
      } else {
        const entries = Object.entries(obj);
        const named = isPlainObject(obj) ? "" : (obj.constructor?.name ?? "Object");
        // Other classes with their own rendering (State, ...) print themselves.
        if (
          !(obj instanceof Module) &&
          !isPlainObject(obj) &&
          (obj as { toString: unknown }).toString !== Object.prototype.toString
        )
          return String(obj);
        const params = countParams(obj);
        open = named ? `${named}(` : "{";
        close = named ? ")" : "}";
        count = named && params > 0 ? `  # ${fmtCount(params)} param${params === 1 ? "" : "s"}` : "";
        items = entries.map(([k, v]) => `${k}: ${rec(v, depth + 1, seen)}`);
      }
      const oneLine = `${open}${items.join(", ")}${close}`;
      // The parameter count goes after a one-line summary only at the top (inside a list it
      // would be followed by a comma), and after the opening bracket of a multi-line one.
      if (oneLine.length + depth * ind <= width && !oneLine.includes("\n"))
        return depth === 0 ? oneLine + count : oneLine;
      const pad = " ".repeat((depth + 1) * ind);
      return `${open}${count}\n${items.map((i) => `${pad}${i},`).join("\n")}\n${" ".repeat(depth * ind)}${close}`;
    } finally {
      seen.delete(obj);
    }
  };
  return rec(tree, 0, new Set());
}
