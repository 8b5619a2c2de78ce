/**
 * Canonical string keys for static (non-array) values: module fields such as `eps`, `useBias`,
 * activation functions, and the static half of a partitioned pytree.
 *
 * The keys decide two things: whether two pytree structures are equal (core compares the aux
 * data of registered nodes with `JSON.stringify`, which would silently drop functions and
 * classes) and which compiled trace `filterJit` reuses. So the encoding must never make two
 * different values collide: functions, classes and other objects are keyed by identity, numbers
 * keep NaN / ±Infinity / -0 apart, and strings cannot be confused with numbers.
 */

import { isPlainObject } from "./tree-nodes.ts";

let nextId = 1;
const ids = new WeakMap<object, number>();

/** A stable small integer per object identity (functions, classes, opaque objects). */
export function identityId(x: object): number {
  let id = ids.get(x);
  if (id === undefined) {
    id = nextId++;
    ids.set(x, id);
  }
  return id;
}

function encodeNumber(x: number): string {
  if (Object.is(x, -0)) return "n:-0";
  return `n:${String(x)}`; // String() keeps NaN and ±Infinity distinct, unlike JSON.
}

/**
 * Encode a static value as a string that equals another value's encoding only if the two are
 * interchangeable as compile-time constants.
 */
export function staticKey(x: unknown): string {
  switch (typeof x) {
    case "number":
      return encodeNumber(x);
    case "string":
      return `s:${JSON.stringify(x)}`;
    case "boolean":
      return x ? "b:1" : "b:0";
    case "bigint":
      return `i:${x.toString()}`;
    case "undefined":
      return "u";
    case "symbol":
      return `y:${String(x.description)}#${symbolId(x)}`;
    case "function":
      return `f:${x.name}#${identityId(x)}`;
    case "object": {
      if (x === null) return "z";
      if (globalThis.Array.isArray(x)) return `[${x.map(staticKey).join(",")}]`;
      if (isPlainObject(x)) {
        const keys = Object.keys(x).sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${staticKey((x as Record<string, unknown>)[k])}`).join(",")}}`;
      }
      const ctor = (x as { constructor?: { name?: string } }).constructor;
      return `o:${ctor?.name ?? "Object"}#${identityId(x)}`;
    }
  }
  return "?";
}

const symbolIds = new Map<symbol, number>();
function symbolId(s: symbol): number {
  let id = symbolIds.get(s);
  if (id === undefined) {
    id = nextId++;
    symbolIds.set(s, id);
  }
  return id;
}
