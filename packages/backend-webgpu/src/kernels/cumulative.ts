// cumulative kernels: being written (see index.ts).
