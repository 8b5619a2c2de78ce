/**
 * Evaluation: the model in inference mode (dropout off, BatchNorm's stored statistics) over the
 * test digits in batches, jitted; accuracy, predictions and the confusion matrix.
 */
import { np, nn, type JaxArray } from "linax-ts";
import type { ssm } from "linax-ts";
import { batchArrays, type Digits } from "./data.ts";
import { accuracyOf, confusionMatrix } from "./confusion.ts";

/** Log-probabilities of a batch in inference mode (one trace per batch shape). */
const forward = nn.filterJit((m: ssm.SSM, x: JaxArray, s: nn.State) => m.callBatch(x, s)[0]);

export interface EvalResult {
  accuracy: number;
  predictions: Int32Array;
  confusion: Int32Array;
  seconds: number;
}

/** Evaluate `model` (training-mode module; switched to inference here) on `test`. */
export async function evaluate(
  model: ssm.SSM,
  state: nn.State,
  test: Digits,
  opts: { pixels: boolean; batch: number },
): Promise<EvalResult> {
  const t0 = performance.now();
  const inf = nn.inference(model);
  const predictions = new Int32Array(test.n);
  for (let at = 0; at < test.n; at += opts.batch) {
    const idx = Int32Array.from({ length: Math.min(opts.batch, test.n - at) }, (_, i) => at + i);
    const [x] = batchArrays(test, idx, opts.pixels);
    const logp = forward(inf, x, nn.cloneState(state));
    predictions.set((await np.argmax(logp, { axis: -1 }).astype("int32").data()) as Int32Array, at);
  }
  const confusion = confusionMatrix(test.labels, predictions);
  return { accuracy: accuracyOf(confusion), predictions, confusion, seconds: (performance.now() - t0) / 1000 };
}
