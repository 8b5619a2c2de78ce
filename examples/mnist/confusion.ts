/** The confusion matrix of a classifier: counts[true][predicted], and its text rendering. */

/** `counts[t * classes + p]` = how many items of class t were predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes = 10): Int32Array {
  if (labels.length !== predictions.length)
    throw new RangeError(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions`);
  const m = new Int32Array(classes * classes);
  for (let i = 0; i < labels.length; i++) m[labels[i] * classes + predictions[i]]++;
  return m;
}

/** Accuracy from a confusion matrix (trace / total). */
export function accuracyOf(m: Int32Array, classes = 10): number {
  let hit = 0;
  let all = 0;
  for (let t = 0; t < classes; t++) {
    for (let p = 0; p < classes; p++) {
      all += m[t * classes + p];
      if (t === p) hit += m[t * classes + p];
    }
  }
  return all === 0 ? 0 : hit / all;
}

/** A table with true classes as rows, predictions as columns, and per-class recall at the end. */
export function formatConfusion(m: Int32Array, classes = 10): string {
  const w = Math.max(3, ...globalThis.Array.from(m, (v) => String(v).length)) + 1;
  const pad = (s: string | number) => String(s).padStart(w);
  const lines = [
    `${"true\\pred".padEnd(9)}${globalThis.Array.from({ length: classes }, (_, p) => pad(p)).join("")}  recall`,
  ];
  for (let t = 0; t < classes; t++) {
    const row = m.subarray(t * classes, (t + 1) * classes);
    const total = row.reduce((a, b) => a + b, 0);
    lines.push(
      `${String(t).padEnd(9)}${globalThis.Array.from(row, pad).join("")}  ${total === 0 ? "   -" : `${((100 * row[t]) / total).toFixed(1).padStart(5)}%`}`,
    );
  }
  return lines.join("\n");
}
