// random kernels: being written (see index.ts).
