/** `Sequential`, `Lambda` (as equinox's). */
import type { Array } from "@linax-ts/core";
import { ValueError } from "@linax-ts/core";
import { Module } from "../module.ts";
import { CALL_OPTION_KEYS, callOptions, checkState } from "../call-options.ts";
import { State } from "../state.ts";
import { splitKey } from "../random.ts";
import { isStatefulLayer, StatefulLayer, type CallOptions, type Layer } from "./base.ts";

/** Wraps a function as a layer (the function is a static field). */
export class Lambda extends Module {
  readonly fn: (x: Array) => Array;
  constructor(fn: (x: Array) => Array) {
    super();
    this.fn = fn;
  }
  call(x: Array, opts?: CallOptions): Array {
    callOptions(`${this.constructor.name}.call`, opts, CALL_OPTION_KEYS);
    return this.fn(x);
  }
}

/**
 * Calls layers in order. `call(x, opts)` for stateless stacks; `call(x, state, opts)` →
 * `[y, state]` threads a `State` through the stateful layers (BatchNorm, ...). A `key` is split
 * into one key per layer.
 */
export class Sequential extends StatefulLayer {
  readonly layers: (Layer | StatefulLayer)[];
  constructor(layers: readonly (Layer | StatefulLayer)[]) {
    super();
    this.layers = [...layers];
  }
  override isStateful(): boolean {
    return this.layers.some(isStatefulLayer);
  }
  call(x: Array, opts?: CallOptions): Array;
  call(x: Array, state: State, opts?: CallOptions): [Array, State];
  call(x: Array, stateOrOpts?: State | CallOptions, maybeOpts?: CallOptions): Array | [Array, State] {
    const withState = stateOrOpts instanceof State;
    let state = withState ? stateOrOpts : undefined;
    if (!withState && maybeOpts !== undefined) checkState("Sequential.call", stateOrOpts);
    // A key in the second place (seq.call(x, key)) is rejected here, not silently dropped.
    const opts = callOptions<CallOptions>(
      "Sequential.call",
      withState ? maybeOpts : (stateOrOpts as CallOptions | undefined),
      CALL_OPTION_KEYS,
    );
    const keys = opts.key === undefined ? this.layers.map(() => undefined) : splitKey(opts.key, this.layers.length);
    let h = x;
    this.layers.forEach((layer, i) => {
      const lo: CallOptions = { key: keys[i], inference: opts.inference };
      if (isStatefulLayer(layer)) {
        if (state === undefined)
          throw new ValueError(
            `Sequential: layer ${i} (${layer.constructor.name}) is stateful; call the Sequential with a State: seq.call(x, state)`,
          );
        [h, state] = layer.call(h, state, lo);
      } else h = (layer as Layer).call(h, lo);
    });
    return withState ? [h, state as State] : h;
  }
}

/** Re-export for layer authors. */
export { StatefulLayer };
