/** numpy's `meshgrid`: coordinate matrices from coordinate vectors ("xy" or "ij" indexing). */
import { Array, type ArrayLike } from "../core/array.ts";
import * as lax from "../primitives/index.ts";
import { ValueError } from "../errors.ts";
import { asArray } from "./convert.ts";
import { ravel } from "./shape.ts";

export interface MeshgridOptions {
  /** "xy" (Cartesian, default: first two output axes swapped) or "ij" (matrix). */
  indexing?: "xy" | "ij";
}

/** Coordinate matrices from coordinate vectors: `meshgrid(x, y, { indexing })`. */
export function meshgrid(...args: (ArrayLike | MeshgridOptions)[]): Array[] {
  const last = args[args.length - 1];
  const isOpts =
    typeof last === "object" &&
    last !== null &&
    !(last instanceof Array) &&
    !globalThis.Array.isArray(last) &&
    !ArrayBuffer.isView(last);
  const opts = (isOpts ? last : {}) as MeshgridOptions;
  const xs = (isOpts ? args.slice(0, -1) : args).map((v) => ravel(asArray(v as ArrayLike)));
  const indexing = opts.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij")
    throw new ValueError(`meshgrid: indexing must be 'xy' or 'ij'; got '${String(indexing)}'`);
  const pos = xs.map((_, i) => (indexing === "xy" && xs.length >= 2 && i < 2 ? 1 - i : i));
  const shape: number[] = [];
  xs.forEach((x, i) => (shape[pos[i]] = x.shape[0]));
  return xs.map((x, i) => lax.broadcastInDim(x, shape, [pos[i]]));
}
