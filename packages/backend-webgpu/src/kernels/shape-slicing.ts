// shape-slicing kernels: being written (see index.ts).
