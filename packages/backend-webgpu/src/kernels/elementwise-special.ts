// elementwise-special kernels: being written (see index.ts).
