// shape kernels: being written (see index.ts).
