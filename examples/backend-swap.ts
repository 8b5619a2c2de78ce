/**
 * Backend swapping: the same program — a jitted gradient and an S5 mixer forward pass — on the
 * CPU reference backend and on WebGPU (a GPU in a browser, Dawn in Node: a real GPU, or the
 * SwiftShader software adapter that `npm test` installs). The only change is one backend name;
 * the results agree to float32 rounding. `devicePutAsync` moves existing arrays between backends (reading a GPU buffer is asynchronous).
 *
 *   npx tsx examples/backend-swap.ts      (needs a WebGPU adapter; says so and stops if none)
 */
import {
  np,
  random,
  grad,
  jit,
  vmap,
  ssm,
  devicePutAsync,
  initWebGPU,
  shutdownWebGPU,
  setDefaultBackend,
  type JaxArray,
} from "linax-ts";

const tiny = process.env.EXAMPLES_TINY === "1";
const [L, H] = tiny ? [8, 4] : [256, 32];

const loss = (w: JaxArray, x: JaxArray) => np.sum(np.tanh(x.matmul(w)).mul(2));
const dloss = jit(grad(loss));

async function program(): Promise<Float32Array[]> {
  // Same keys → the same numbers on every backend (the PRNG is bit-exact).
  const w = random.normal(random.key(0), [H, 3]);
  const x = random.normal(random.key(1), [L, H]);
  const mixer = new ssm.S5SequenceMixerConfig({ stateDim: 8 }).build(H, random.key(2));
  const y = vmap((xi: JaxArray) => mixer.call(xi))(x.reshape([1, L, H]));
  return [(await dloss(w, x).data()) as Float32Array, (await y.data()) as Float32Array];
}

setDefaultBackend("cpu");
const onCpu = await program();
let adapter: string;
try {
  adapter = (await initWebGPU()).adapterInfo;
} catch (e) {
  console.log(
    `no WebGPU adapter here (${(e as Error).message}); the CPU results: ${onCpu[0].slice(0, 3).join(", ")} …`,
  );
  process.exit(process.env.EXAMPLES_REQUIRE_WEBGPU === "1" ? 1 : 0);
}
setDefaultBackend("webgpu");
const onGpu = await program();
const gap = (a: Float32Array, b: Float32Array) =>
  a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]) / (1 + Math.abs(b[i]))), 0);
console.log(`WebGPU adapter: ${adapter}`);
console.log(`jit(grad): max relative difference cpu vs webgpu = ${gap(onCpu[0], onGpu[0]).toExponential(2)}`);
console.log(`S5 mixer:  max relative difference cpu vs webgpu = ${gap(onCpu[1], onGpu[1]).toExponential(2)}`);
if (!(gap(onCpu[0], onGpu[0]) < 1e-4 && gap(onCpu[1], onGpu[1]) < 1e-4)) throw new Error("the backends disagree");
// An array made on the GPU, moved to the CPU (where it can be printed synchronously).
const v = await devicePutAsync(np.arange(4).mul(2), "cpu");
console.log(`devicePutAsync: ${v.toString()} now on the CPU`);
shutdownWebGPU();
