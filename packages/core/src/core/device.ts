/** Moving arrays — or whole pytrees of them (a model, an optimizer state) — between backends. */
import { Array } from "./array.ts";
import { ConcreteArray, fromHost } from "./concrete.ts";
import { getBackend } from "../backend.ts";
import { ValueError } from "../errors.ts";
import { treeFlatten, treeUnflatten } from "../tree/pytree.ts";

function concrete(op: string, x: Array): ConcreteArray {
  if (!(x instanceof ConcreteArray))
    throw new ValueError(
      `${op}: expected a concrete array, got a traced value ${x.aval.toString()} (device placement happens outside transforms)`,
    );
  return x;
}

function putOne(x: Array, backend: string | undefined): Array {
  const a = concrete("devicePut", x);
  const target = getBackend(backend);
  if (a.backend === target) return a;
  return fromHost(target, a.dataSync(), a.aval);
}

async function putOneAsync(x: Array, backend: string | undefined): Promise<Array> {
  const a = concrete("devicePutAsync", x);
  const target = getBackend(backend);
  if (a.backend === target) return a;
  return fromHost(target, await a.data(), a.aval);
}

/**
 * Copy `x` — an array or any pytree of arrays (a Module, optimizer state, a list of batches) — to
 * the backend named `backend` (default: the default backend), as `jax.device_put`. Arrays already
 * there are not copied; non-array leaves are kept as they are. Reads the source synchronously, so
 * a WebGPU source needs `devicePutAsync`.
 */
export function devicePut<T>(x: T, backend?: string): T {
  if (x instanceof Array) return putOne(x, backend) as T;
  const [leaves, def] = treeFlatten(x);
  return treeUnflatten(
    def,
    leaves.map((l) => (l instanceof Array ? putOne(l, backend) : l)),
  ) as T;
}

/** Like `devicePut`, but reads the sources asynchronously (needed when they live on WebGPU). */
export async function devicePutAsync<T>(x: T, backend?: string): Promise<T> {
  if (x instanceof Array) return (await putOneAsync(x, backend)) as T;
  const [leaves, def] = treeFlatten(x);
  const moved = await Promise.all(leaves.map((l) => (l instanceof Array ? putOneAsync(l, backend) : l)));
  return treeUnflatten(def, moved) as T;
}
