// indexing kernels: being written (see index.ts).
