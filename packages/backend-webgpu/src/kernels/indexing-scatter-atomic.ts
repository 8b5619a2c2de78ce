/**
 * The scatter paths built on u32 atomics (see indexing-scatter.ts for the choice of path).
 *
 * `atomicScatterProgram`, O(N + U) for N operand and U update elements: set (last write wins) and
 * the combiners whose result does not depend on the order of colliding updates — every
 * int32/uint32/bool combiner and float32 min/max — so atomics give exactly the CPU's result:
 *   pass 1 (one thread per operand element): out = operand (for set: winner[i] = 0);
 *   pass 2 (one thread per update element): find its operand element (indexing-walk.ts), then
 *     set: atomicMax(winner, flat update index + 1) — the CPU's last write is the largest index;
 *     others: atomicAdd / Or / And / Min / Max where WGSL has it, else a compare-exchange loop
 *     (int32 min/max, integer ×, float32 min/max on raw words);
 *   pass 3 (set only, one thread per operand element): out[i] = updates[winner[i] - 1] if any.
 * `listScatterProgram`: order-sensitive combiners of large scatters (see its comment).
 */
import type { lax, ShapedArray } from "@linax-ts/core";
import { declare, grid, strides, unravel, type BufferDecl, type Pass, type Program } from "../program.ts";
import { inWords, outWords, wordType } from "./shape.ts";
import { windowStart } from "./indexing-walk.ts";
import { combineExpr, WGSL_WORD_FLOAT, type Combine } from "./indexing-combine.ts";

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** One pass of `n` threads over `decls` running `body` (after grid's header), with `prelude`. */
function pass(decls: readonly BufferDecl[], n: number, body: string, prelude = ""): Pass {
  const { wgsl, bindings } = declare(decls);
  const g = grid(n);
  return { code: `${wgsl}\n${prelude}\n${g.header}${body}\n}\n`, bindings, workgroups: g.workgroups };
}

/** WGSL statement applying update word `v` to the atomic `out[dst]` (order-independent kinds). */
function atomicApply(kind: Exclude<Combine, "set">, dtype: string): string {
  if (kind === "add" && dtype !== "bool" && dtype !== "float32") return "atomicAdd(&out[dst], v);";
  if (dtype === "bool")
    return kind === "add" || kind === "max" ? "atomicOr(&out[dst], v);" : "atomicAnd(&out[dst], v);";
  if (dtype === "uint32" && kind !== "mul") return `atomic${kind === "min" ? "Min" : "Max"}(&out[dst], v);`;
  // The rest through compare-exchange on the word (retries see the newest value; the fold is
  // commutative and associative, so the result is the same for every interleaving).
  return [
    "var old = atomicLoad(&out[dst]);",
    "  loop {",
    "    let r = atomicCompareExchangeWeak(&out[dst], old, comb(old, v));",
    "    if (r.exchanged) { break; }",
    "    old = r.old_value;",
    "  }",
  ].join("\n");
}

/**
 * WGSL statements for a thread per update element (`i`, its flat index): `let dst: u32`, the flat
 * operand index it lands on; the thread returns early when its window is dropped (out of bounds).
 */
function locateUpdate(op: ShapedArray, ind: ShapedArray, upd: ShapedArray, p: lax.ScatterParams): string {
  const dn = p.dimensionNumbers;
  const uwd = dn.updateWindowDims;
  const windowDims = range(op.ndim).filter(
    (d) => !dn.insertedWindowDims.includes(d) && !dn.operandBatchingDims.includes(d),
  );
  const scatterPos = range(upd.ndim).filter((d) => !uwd.includes(d));
  const windowSize = op.shape.map(() => 1);
  windowDims.forEach((d, w) => (windowSize[d] = upd.shape[uwd[w]]));
  const ws = windowStart({
    opShape: op.shape,
    ind,
    batchCoords: scatterPos.map((d) => `c${d}`),
    indexMap: dn.scatterDimsToOperandDims,
    operandBatchingDims: dn.operandBatchingDims,
    indicesBatchingDims: dn.scatterIndicesBatchingDims,
    windowSize,
    clip: p.mode === "clip",
    prefix: "t",
  });
  const opStr = strides(op.shape);
  const dstTerms = op.shape.map((_, d) => {
    const w = windowDims.indexOf(d);
    return `(t${d}${w >= 0 ? ` + c${uwd[w]}` : ""}) * ${opStr[d]}u`;
  });
  return [
    unravel(upd.shape, "i", "c"),
    ws.lines,
    `  if (!(${ws.ok})) { return; }`,
    `  let dst: u32 = ${dstTerms.join(" + ") || "0u"};`,
  ].join("\n");
}

/**
 * The atomic scatter program (see the file comment). Only for `set` and order-insensitive
 * (kind, dtype) pairs, with non-empty operand and updates.
 */
export function atomicScatterProgram(
  kind: Combine,
  op: ShapedArray,
  ind: ShapedArray,
  upd: ShapedArray,
  o: ShapedArray,
  p: lax.ScatterParams,
): Program {
  const locate = locateUpdate(op, ind, upd, p);
  const indDecl: BufferDecl = { name: "ind", slot: { in: 1 }, type: "u32" };
  if (kind === "set") {
    const win = (write: boolean, atomic = false): BufferDecl => ({
      name: "win",
      slot: { temp: 0 },
      type: atomic ? "atomic<u32>" : "u32",
      write,
    });
    return {
      passes: [
        pass([win(true)], o.size, "  win[i] = 0u;"),
        pass([indDecl, win(true, true)], upd.size, `${locate}\n  atomicMax(&win[dst], i + 1u);`),
        pass(
          [inWords("op", 0, op), inWords("upd", 2, upd), win(false), outWords(o)],
          o.size,
          "  let w = win[i];\n  if (w == 0u) { out[i] = op[i]; } else { out[i] = upd[w - 1u]; }",
        ),
      ],
      temps: [4 * o.size],
    };
  }
  const prelude = `${WGSL_WORD_FLOAT}\nfn comb(a: u32, b: u32) -> u32 { return ${combineExpr(kind, o.dtype)}; }`;
  const apply = pass(
    [indDecl, inWords("upd", 2, upd), { name: "out", slot: { out: 0 }, type: "atomic<u32>", write: true }],
    upd.size,
    `${locate}\n  let v = upd[i];\n  ${atomicApply(kind, o.dtype)}`,
    prelude,
  );
  return { passes: [pass([inWords("op", 0, op), outWords(o)], o.size, "  out[i] = op[i];"), apply] };
}

/**
 * An order-sensitive scatter (float32 + and ×, complex64) through per-element update lists:
 *   pass 1: head[i] = NONE; pass 2 (one thread per update element u): push u on its operand
 *   element's list (atomicExchange of the head; next[u] = the old head) — in arbitrary order;
 *   pass 3 (one thread per operand element): fold its list's updates in increasing flat index
 *   (the CPU's order), each step re-walking the list for the next-larger index.
 * Cost O(N + U + Σ m²) for m updates per element: the choice for large scatters whose updates
 * spread out (an embedding gradient), where the index-vector scan would cost O(N·B).
 */
export function listScatterProgram(
  op: ShapedArray,
  ind: ShapedArray,
  upd: ShapedArray,
  o: ShapedArray,
  p: lax.ScatterParams,
  prelude: string,
): Program {
  const T = wordType(o.dtype);
  const head = (atomic: boolean, write: boolean): BufferDecl => ({
    name: "head",
    slot: { temp: 0 },
    type: atomic ? "atomic<u32>" : "u32",
    write,
  });
  const next = (write: boolean): BufferDecl => ({ name: "nxt", slot: { temp: 1 }, type: "u32", write });
  const fold = [
    `  var acc: ${T} = op[i];`,
    "  let h = head[i];",
    "  var last = 0u;",
    "  var started = false;",
    "  loop {",
    "    var best = NONE;",
    "    var u = h;",
    "    loop {",
    "      if (u == NONE) { break; }",
    "      if ((!started || u > last) && u < best) { best = u; }",
    "      u = nxt[u];",
    "    }",
    "    if (best == NONE) { break; }",
    "    acc = comb(acc, upd[best]);",
    "    last = best;",
    "    started = true;",
    "  }",
    "  out[i] = acc;",
  ].join("\n");
  return {
    passes: [
      pass([head(false, true)], o.size, "  head[i] = 0xffffffffu;"),
      pass(
        [{ name: "ind", slot: { in: 1 }, type: "u32" }, head(true, true), next(true)],
        upd.size,
        `${locateUpdate(op, ind, upd, p)}\n  nxt[i] = atomicExchange(&head[dst], i);`,
      ),
      pass(
        [inWords("op", 0, op), inWords("upd", 2, upd), head(false, false), next(false), outWords(o)],
        o.size,
        fold,
        `const NONE: u32 = 0xffffffffu;\n${prelude}`,
      ),
    ],
    temps: [4 * o.size, 4 * upd.size],
  };
}
