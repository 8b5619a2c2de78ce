/**
 * What layers have in common: the call options and the `StatefulLayer` marker.
 *
 * Calling convention (equinox's `__call__` as a method): `layer.call(x, opts?)` for stateless
 * layers, `layer.call(x, state, opts?)` → `[y, state]` for stateful ones. `opts.key` provides
 * randomness (Dropout); `opts.inference` overrides a layer's own `inference` field. Every module
 * of nn and ssm takes the key this one way (see `call-options.ts`): a key passed positionally
 * where the options object belongs raises a ValueError instead of being ignored.
 */
import type { Array } from "@linax-ts/core";
import { Module } from "../module.ts";
import type { State } from "../state.ts";
import type { PRNGKey } from "../random.ts";

export interface CallOptions {
  /** Randomness for stochastic layers (Dropout); ignored by deterministic ones. */
  key?: PRNGKey;
  /** Overrides the layer's `inference` field for this call. */
  inference?: boolean;
}

/** A stateless layer: `call(x, opts) → y`. */
export interface Layer {
  call(x: Array, opts?: CallOptions): Array;
}

/** A stateful layer: `call(x, state, opts) → [y, state]` (equinox's `StatefulLayer`). */
export abstract class StatefulLayer extends Module {
  /** Whether `call` takes and returns a `State` (true unless a subclass says otherwise). */
  isStateful(): boolean {
    return true;
  }
  abstract call(x: Array, state: State, opts?: CallOptions): [Array, State];
}

/** Whether `layer` is a stateful layer that wants a `State` in this call. */
export function isStatefulLayer(layer: unknown): layer is StatefulLayer {
  return layer instanceof StatefulLayer && layer.isStateful();
}

/** A float dtype option: equinox's `dtype` argument (float32 by default). */
export type FloatDType = "float32" | "complex64";
