/**
 * linax/discretax's `IdentitySequenceMixer` (`sequence_mixers/identity.py`): `y = x`, no
 * parameters, no state. Useful to ablate the sequence mixer of a block (only the channel mixer
 * and the residual remain) while keeping the model system's shape.
 */
import { type Array, ValueError } from "@linax-ts/core";
import type { PRNGKey } from "@linax-ts/nn";
import { SequenceMixer, SequenceMixerConfig, type MixerStepFn } from "./base.ts";
import type { MixerCallOptions } from "../lengths.ts";

/** The identity mixer's (empty) recurrent state. */
export type IdentityCache = { readonly [name: string]: Array };

/** linax's `IdentitySequenceMixerConfig` (no fields). */
export class IdentitySequenceMixerConfig extends SequenceMixerConfig<IdentitySequenceMixer> {
  /** The identity keeps no state. */
  readonly stateDim = 0;

  constructor() {
    super();
    Object.freeze(this);
  }

  build(inFeatures: number, _key: PRNGKey): IdentitySequenceMixer {
    return new IdentitySequenceMixer(inFeatures);
  }
}

/** `y = x` on `[L, H]` (padded rows are zero with `{ lengths }`, as every mixer's); `step` is `yt = xt`. */
export class IdentitySequenceMixer extends SequenceMixer<IdentityCache> {
  readonly inFeatures: number;

  constructor(inFeatures: number) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1)
      throw new ValueError(`IdentitySequenceMixer: inFeatures must be a positive integer; got ${inFeatures}`);
    this.inFeatures = inFeatures;
  }

  call(x: Array, opts?: MixerCallOptions): Array {
    return this.callMasked(x, opts, (u) => u);
  }

  initCache(_batchShape: readonly number[] = []): IdentityCache {
    return {};
  }

  recurrence(): MixerStepFn<IdentityCache> {
    return (xt, cache) => {
      if (xt.ndim < 1 || xt.shape[xt.ndim - 1] !== this.inFeatures) {
        throw new ValueError(
          `IdentitySequenceMixer.step: expected xt of shape [..., ${this.inFeatures}]; got [${xt.shape.join(", ")}]`,
        );
      }
      return [xt, cache];
    };
  }
}
