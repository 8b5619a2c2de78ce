/**
 * The one calling convention of every module's `call` in nn and ssm, equinox's
 * `__call__(x, [state], *, key=None, inference=None, ...)` mapped to TypeScript:
 *
 * ```ts
 * layer.call(x, { key, inference })            // stateless
 * layer.call(x, state, { key, inference })     // stateful → [y, state]
 * model.call(x, state, { key, lengths })       // ssm models and blocks
 * ```
 *
 * equinox's keyword-only `key` becomes a field of the trailing options object, next to the other
 * keywords (`inference`, `lengths`, `mask`, ...). Before, modules took the key three ways
 * (`call(x, key?)`, `call(x, { key })`, a `PRNGKey | options` union), so a key passed the way
 * another module wanted it was silently ignored by deterministic ones — a dropout that never
 * dropped. These checks make that a ValueError naming the module and the right spelling.
 */
import { Array, ValueError, random } from "@linax-ts/core";
import { State } from "./state.ts";
import { checkKeys, describe } from "./validate.ts";

/** The option names every module accepts: randomness and the inference switch. */
export const CALL_OPTION_KEYS: readonly ["key", "inference"] = ["key", "inference"];

/** Whether `v` is a PRNG key (a raw `[..., 2]` uint32 array or a typed `KeyArray`). */
export function isPRNGKey(v: unknown): boolean {
  return (
    v instanceof random.KeyArray ||
    (v instanceof Array && v.dtype === "uint32" && v.ndim >= 1 && v.shape[v.ndim - 1] === 2)
  );
}

/**
 * `opts` (the trailing options object of `op`'s call) checked: undefined gives `{}`; a PRNG key in
 * its place — the old positional convention — is a ValueError saying to pass `{ key }`; any other
 * non-object or an option name outside `known` is a ValueError naming `op` and the option.
 */
export function callOptions<O extends object>(op: string, opts: O | undefined, known: readonly string[]): O {
  if (opts === undefined) return {} as O;
  if (isPRNGKey(opts)) {
    throw new ValueError(
      `${op}: got a PRNG key where the options object belongs; pass the key as an option: ${op}(…, { key })`,
    );
  }
  if (opts instanceof Array)
    throw new ValueError(
      `${op}: expected an options object { ${known.join(", ")} }; got an array ${opts.aval.toString()}`,
    );
  checkKeys(op, opts, known);
  return opts;
}

/**
 * Checks that a stateful call got a `State` as its state argument; a PRNG key there (the old
 * `call(x, key)` habit on a stateful module) is a ValueError pointing to `{ key }`.
 */
export function checkState(op: string, state: unknown): asserts state is State {
  if (state instanceof State) return;
  if (isPRNGKey(state)) {
    throw new ValueError(
      `${op}: got a PRNG key where the State belongs; this module is stateful: ${op}(x, state, { key })`,
    );
  }
  throw new ValueError(
    `${op}: expected a State as the second argument (from nn.makeWithState); got ${describe(state)}`,
  );
}
