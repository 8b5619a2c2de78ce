// linalg kernels: being written (see index.ts).
