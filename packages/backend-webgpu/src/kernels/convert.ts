// convert kernels: being written (see index.ts).
