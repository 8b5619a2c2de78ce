// conv kernels: being written (see index.ts).
