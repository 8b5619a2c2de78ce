/** Moving arrays between backends. */
import type { Array } from "./array.ts";
import { ConcreteArray, fromHost } from "./concrete.ts";
import { getBackend } from "../backend.ts";
import { ValueError } from "../errors.ts";

function concrete(op: string, x: Array): ConcreteArray {
  if (!(x instanceof ConcreteArray)) throw new ValueError(`${op}: expected a concrete array, got a traced value ${x.aval.toString()} (device placement happens outside transforms)`);
  return x;
}

/** Copy `x` to the backend named `backend` (default: the default backend); no copy if already there. */
export function devicePut(x: Array, backend?: string): Array {
  const a = concrete("devicePut", x);
  const target = getBackend(backend);
  if (a.backend === target) return a;
  return fromHost(target, a.dataSync(), a.aval);
}

/** Like `devicePut`, but reads the source asynchronously (needed when the source is WebGPU). */
export async function devicePutAsync(x: Array, backend?: string): Promise<Array> {
  const a = concrete("devicePutAsync", x);
  const target = getBackend(backend);
  if (a.backend === target) return a;
  return fromHost(target, await a.data(), a.aval);
}
