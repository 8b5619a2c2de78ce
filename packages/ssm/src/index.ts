/**
 * @linax-ts/ssm — linax's linear time-invariant sequence mixers (S5, LinOSS, LRU, S4D) with a
 * parallel forward pass (associative scan / FFT) and a recurrent `initCache`/`step` form.
 */
export { SequenceMixer, SequenceMixerConfig, diagonalLinearScan, applyRows, pairToComplex, complexToPair, type MixerCache, type MixerCallKey, type MixerStepFn } from "./mixers/base.ts";
export { makeHippo, makeNplrHippo, makeDplrHippo, type DplrHippo } from "./hippo.ts";
export { S5SequenceMixer, S5SequenceMixerConfig, type S5SequenceMixerOptions, type S5Discretization, type S5Cache, type S5Discrete } from "./mixers/s5.ts";
export { initS5Params, s5StateSizes, type S5CInit, type S5InitOptions, type S5Params } from "./mixers/s5-init.ts";
export { LRUSequenceMixer, LRUSequenceMixerConfig, type LRUSequenceMixerOptions, type LRUCache } from "./mixers/lru.ts";
export { LinOSSSequenceMixer, LinOSSSequenceMixerConfig, mapThetaToA, type LinOSSSequenceMixerOptions, type LinOSSDiscretization, type LinOSSCache, type LinOSSTransition } from "./mixers/linoss.ts";
export { S4DSequenceMixer, S4DSequenceMixerConfig, S4DKernel, type S4DSequenceMixerOptions, type S4DInit, type S4DCache } from "./mixers/s4d.ts";
