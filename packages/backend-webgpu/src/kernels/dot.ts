// dot kernels: being written (see index.ts).
