/** A complex number (re, im) as the kernels read it from, and write it to, interleaved storage. */
export type C = [number, number];
