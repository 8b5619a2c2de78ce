// reduce kernels: being written (see index.ts).
