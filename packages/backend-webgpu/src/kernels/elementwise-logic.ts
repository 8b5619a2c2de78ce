// elementwise-logic kernels: being written (see index.ts).
