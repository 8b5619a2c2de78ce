// fft kernels: being written (see index.ts).
