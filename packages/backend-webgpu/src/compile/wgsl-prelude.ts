/**
 * Merging WGSL helper snippets for fused kernels. Each scalar op of a fused kernel brings the
 * prelude its eager kernel uses (kernels/*.ts); several ops bring overlapping concatenations of
 * the same snippet libraries (`WGSL_DIV + WGSL_COMPLEX`, `WGSL_MATH_ALL`, …), and a WGSL module
 * may define a name only once. So preludes are split into module-scope declarations, identical
 * ones are kept once, and only those the kernel body reaches (by identifier, transitively) stay —
 * which also keeps SwiftShader's shader compile time down (the math library is large).
 */
import { InternalError } from "@linax-ts/core";

/** One module-scope declaration: `fn f(...) {...}`, `const C = ...;`, `struct S {...}`, `alias A = ...;`. */
interface Decl {
  readonly name: string;
  readonly text: string;
}

const DECL_NAME = /^(?:fn|const|struct|alias|override|var(?:<[^>]*>)?)\s+([A-Za-z_][A-Za-z0-9_]*)/;

/** Split WGSL source into its module-scope declarations (comments dropped). */
export function splitDecls(src: string): Decl[] {
  // Drop line and block comments first (no WGSL string literals exist to confuse this).
  const code = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
  const out: Decl[] = [];
  let depth = 0;
  let start = 0;
  const push = (end: number): void => {
    const text = code.slice(start, end).trim();
    start = end;
    if (text === "") return;
    const m = DECL_NAME.exec(text);
    if (m === null)
      throw new InternalError(`wgsl-prelude: cannot name the declaration ${JSON.stringify(text.slice(0, 60))}`);
    out.push({ name: m[1], text });
  };
  for (let k = 0; k < code.length; k++) {
    const c = code[k];
    if (c === "{") depth++;
    else if (c === "}") {
      depth--;
      // A function or struct ends at its closing brace (a struct may be followed by `;`).
      if (depth === 0) {
        const next = /^\s*;/.exec(code.slice(k + 1));
        push(k + 1 + (next === null ? 0 : next[0].length));
        if (next !== null) k += next[0].length;
      }
    } else if (c === ";" && depth === 0) push(k + 1);
  }
  push(code.length);
  return out;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

/**
 * The declarations of `preludes` that `body` needs, deduplicated, in their first order. Two
 * different declarations of one name are an error (two snippet libraries disagree).
 * `provided` names are defined elsewhere in the module (MODULE_COMMON's helpers).
 */
export function mergePreludes(
  preludes: readonly string[],
  body: string,
  provided: ReadonlySet<string> = new Set(),
): string {
  const byName = new Map<string, Decl>();
  for (const p of preludes) {
    for (const d of splitDecls(p)) {
      if (provided.has(d.name)) continue;
      const prev = byName.get(d.name);
      if (prev === undefined) byName.set(d.name, d);
      else if (prev.text.replace(/\s+/g, " ") !== d.text.replace(/\s+/g, " "))
        throw new InternalError(`wgsl-prelude: two different definitions of '${d.name}'`);
    }
  }
  const keep = new Set<string>();
  const visit = (text: string): void => {
    for (const id of text.match(IDENT) ?? []) {
      if (keep.has(id)) continue;
      const d = byName.get(id);
      if (d === undefined) continue;
      keep.add(id);
      visit(d.text);
    }
  };
  visit(body);
  return [...byName.values()]
    .filter((d) => keep.has(d.name))
    .map((d) => d.text)
    .join("\n");
}
