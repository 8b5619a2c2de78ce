/**
 * Batches of matrices as the dense linear-algebra kernels receive them (see README.md in this
 * folder for the storage conventions): the length check, the non-finite scan, and the copies
 * between a float32 batch slot and float64 real/imaginary planes. Internal to the kernels.
 */

/**
 * Throw if `data` does not hold exactly `batch` matrices of `rows × cols` entries
 * (`complex` doubles the count because of interleaving). Kernels index raw memory, so a size
 * mismatch would otherwise read garbage silently.
 */
export function checkLength(
  name: string,
  what: string,
  data: Float32Array,
  batch: number,
  rows: number,
  cols: number,
  complex: boolean,
): void {
  for (const [label, v] of [
    ["batch", batch],
    ["rows", rows],
    ["cols", cols],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new RangeError(`${name}: ${label} must be a non-negative integer, got ${v}`);
  }
  const expected = batch * rows * cols * (complex ? 2 : 1);
  if (data.length !== expected) {
    throw new RangeError(
      `${name}: ${what} has ${data.length} elements, expected ${expected} ` +
        `(batch=${batch}, ${rows}×${cols}, ${complex ? "complex interleaved" : "real"})`,
    );
  }
}

/** True if any element of `data[start, end)` is NaN or ±Inf. */
export function hasNonFinite(data: Float32Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    // `x - x` is 0 for finite x and NaN for NaN/±Inf: one comparison covers both cases.
    const x = data[i];
    if (x - x !== 0) return true;
  }
  return false;
}

/**
 * Copy matrix number `b` (rows × cols) out of a float32 batch into split float64 re/im arrays,
 * so the kernels compute in float64 on contiguous real and imaginary planes.
 */
export function loadMatrix(
  src: Float32Array,
  b: number,
  rows: number,
  cols: number,
  complex: boolean,
  re: Float64Array,
  im: Float64Array | null,
): void {
  const size = rows * cols;
  if (complex) {
    const base = 2 * b * size;
    for (let i = 0; i < size; i++) {
      re[i] = src[base + 2 * i];
      (im as Float64Array)[i] = src[base + 2 * i + 1];
    }
  } else {
    const base = b * size;
    for (let i = 0; i < size; i++) re[i] = src[base + i];
  }
}

/** Inverse of {@link loadMatrix}: write float64 planes (rounded to float32) into batch slot `b`. */
export function storeMatrix(
  dst: Float32Array,
  b: number,
  rows: number,
  cols: number,
  complex: boolean,
  re: Float64Array,
  im: Float64Array | null,
): void {
  const size = rows * cols;
  if (complex) {
    const base = 2 * b * size;
    for (let i = 0; i < size; i++) {
      dst[base + 2 * i] = re[i];
      dst[base + 2 * i + 1] = (im as Float64Array)[i];
    }
  } else {
    const base = b * size;
    for (let i = 0; i < size; i++) dst[base + i] = re[i];
  }
}
