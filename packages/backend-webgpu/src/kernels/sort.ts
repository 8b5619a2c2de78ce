// sort kernels: being written (see index.ts).
