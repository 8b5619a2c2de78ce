// elementwise-math kernels: being written (see index.ts).
