/**
 * This machine's memory bandwidth, the yardstick for the memory-bound cases: streaming copies and
 * adds over arrays too big for the caches (64 MiB each), in plain JS and in a tiny hand-written
 * WebAssembly SIMD loop (v128 loads/stores, unrolled four times), on one thread and split over
 * worker threads (as a multi-threaded backend would run it). The best of a few runs of each is
 * kept; bytes counted are those read plus those written.
 */

/** One measured kernel. */
export interface BandwidthFigure {
  name: string;
  gbPerS: number;
}

export interface Bandwidth {
  figures: BandwidthFigure[];
  /** The highest figure: the reference the memory-bound cases are compared with. */
  bestGbPerS: number;
  bytesPerArray: number;
}

// ---- a minimal WebAssembly module, written byte by byte ----
const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
/** Signed LEB128 (`i32.const` immediates). */
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const str = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const I32 = 0x7f;
const get = (i: number): number[] => [0x20, i];
/** `v128.load offset=o` / `v128.store offset=o` (alignment hint 16 bytes). */
const load = (o: number): number[] => [0xfd, 0x00, 4, ...uleb(o)];
const store = (o: number): number[] => [0xfd, 0x0b, 4, ...uleb(o)];
const F32X4_ADD = [0xfd, ...uleb(0xe4)];
const UNROLL = 4;

/**
 * `for (i = 0; i < n; i += 64) body(i)` over byte offsets, with `i` in local `iv` and `n` in local `nv`.
 * The body addresses its four 16-byte lanes through the memarg offsets.
 */
function loop64(iv: number, nv: number, body: number[]): number[] {
  return [
    0x02,
    0x40,
    0x03,
    0x40, // block, loop
    ...get(iv),
    ...get(nv),
    0x4f,
    0x0d,
    1, // if (i >= n) break
    ...body,
    ...get(iv),
    0x41,
    ...sleb(16 * UNROLL),
    0x6a,
    0x21,
    iv, // i += 64
    0x0c,
    0,
    0x0b,
    0x0b, // br loop; end; end
  ];
}

/**
 * add(a, b, out, nBytes): out = a + b; copy(src, dst, nBytes): dst = src. With `sharedPages`, the
 * module imports a shared memory of exactly that many pages as `env.mem` (for the threaded
 * figure); otherwise it defines and exports its own.
 */
function bandwidthModule(sharedPages?: number): Uint8Array<ArrayBuffer> {
  const addBody: number[] = [];
  for (let u = 0; u < UNROLL; u++) {
    addBody.push(...get(2), ...get(4), 0x6a); // out + i
    addBody.push(...get(0), ...get(4), 0x6a, ...load(16 * u));
    addBody.push(...get(1), ...get(4), 0x6a, ...load(16 * u));
    addBody.push(...F32X4_ADD, ...store(16 * u));
  }
  const copyBody: number[] = [];
  for (let u = 0; u < UNROLL; u++) {
    copyBody.push(...get(1), ...get(3), 0x6a); // dst + i
    copyBody.push(...get(0), ...get(3), 0x6a, ...load(16 * u), ...store(16 * u));
  }
  const fn = (locals: number[][], code: number[]): number[] => {
    const body = [...vec(locals), ...code, 0x0b];
    return [...uleb(body.length), ...body];
  };
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(
      1,
      vec([
        [0x60, 4, I32, I32, I32, I32, 0],
        [0x60, 3, I32, I32, I32, 0],
      ]),
    ),
    ...(sharedPages === undefined
      ? []
      : section(2, vec([[...str("env"), ...str("mem"), 0x02, 0x03, ...uleb(sharedPages), ...uleb(sharedPages)]]))),
    ...section(3, vec([[0], [1]])),
    ...(sharedPages === undefined ? section(5, vec([[0x00, 1]])) : []),
    ...section(
      7,
      vec([
        ...(sharedPages === undefined ? [[...str("mem"), 0x02, 0]] : []),
        [...str("add"), 0x00, 0],
        [...str("copy"), 0x00, 1],
      ]),
    ),
    ...section(10, vec([fn([[1, I32]], loop64(4, 3, addBody)), fn([[1, I32]], loop64(3, 2, copyBody))])),
  ];
  return new Uint8Array(bytes);
}

interface BandwidthExports {
  mem: WebAssembly.Memory;
  add(a: number, b: number, out: number, n: number): void;
  copy(src: number, dst: number, n: number): void;
}

function best(reps: number, bytes: number, f: () => void): number {
  f(); // warm-up (and tier-up of the Wasm function)
  let bestMs = Infinity;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    bestMs = Math.min(bestMs, performance.now() - t0);
  }
  return bytes / (bestMs / 1000) / 1e9;
}

// A worker of the threaded figure: instantiates the module on the shared memory, then runs
// `add` over the byte range it is sent, once per message, and answers when done.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { exports } = new WebAssembly.Instance(new WebAssembly.Module(workerData.bytes), { env: { mem: workerData.mem } });
parentPort.on("message", (m) => { exports.add(m.a, m.b, m.c, m.n); parentPort.postMessage(0); });
`;

/**
 * The Wasm SIMD add split over `threads` worker threads on one shared memory (each adds its own
 * contiguous slice); the time of a run is from sending the work to the last answer.
 */
async function threadedAdd(threads: number, n: number, reps: number): Promise<number> {
  const { Worker } = await import("node:worker_threads");
  const bytes = 4 * n;
  const pages = Math.ceil((3 * bytes + 65536) / 65536);
  const mem = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const [pa, pb, pc] = [0, bytes, 2 * bytes].map((o) => o + 65536);
  new Float32Array(mem.buffer, pa, n).fill(1);
  new Float32Array(mem.buffer, pb, n).fill(2);
  const module = bandwidthModule(pages);
  const workers = globalThis.Array.from(
    { length: threads },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { bytes: module, mem } }),
  );
  try {
    const chunk = Math.ceil(bytes / threads / 64) * 64;
    const once = (): Promise<unknown> =>
      Promise.all(
        workers.map((w, t) => {
          const off = t * chunk;
          const len = Math.max(0, Math.min(chunk, bytes - off));
          return new Promise((resolve, reject) => {
            w.once("message", resolve);
            w.once("error", reject);
            w.postMessage({ a: pa + off, b: pb + off, c: pc + off, n: len });
          });
        }),
      );
    await once(); // warm-up
    let bestMs = Infinity;
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      await once();
      bestMs = Math.min(bestMs, performance.now() - t0);
    }
    const out = new Float32Array(mem.buffer, pc, n);
    for (let i = 0; i < n; i += 4099)
      if (out[i] !== 3) throw new Error(`bandwidth: threaded Wasm add wrong at ${i}: ${out[i]} != 3`);
    return (3 * bytes) / (bestMs / 1000) / 1e9;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Measures the figures (a few seconds); `threads` > 1 adds the threaded Wasm add. */
export async function measureBandwidth(reps = 5, threads = 2): Promise<Bandwidth> {
  const n = 16 << 20; // floats per array: 64 MiB, well beyond the caches
  const bytes = 4 * n;
  const a = new Float32Array(n).map((_, i) => i & 1023);
  const b = new Float32Array(n).fill(1);
  const c = new Float32Array(n);
  const figures: BandwidthFigure[] = [];
  figures.push({ name: "JS TypedArray.set copy", gbPerS: best(reps, 2 * bytes, () => c.set(a)) });
  figures.push({
    name: "JS loop add",
    gbPerS: best(reps, 3 * bytes, () => {
      for (let i = 0; i < n; i++) c[i] = a[i] + b[i];
    }),
  });
  const w = new WebAssembly.Instance(new WebAssembly.Module(bandwidthModule())).exports as unknown as BandwidthExports;
  w.mem.grow(Math.ceil((3 * bytes) / 65536));
  const [pa, pb, pc] = [0, bytes, 2 * bytes].map((o) => o + 65536); // leave the first page alone
  new Float32Array(w.mem.buffer, pa, n).set(a);
  new Float32Array(w.mem.buffer, pb, n).set(b);
  figures.push({ name: "Wasm SIMD copy", gbPerS: best(reps, 2 * bytes, () => w.copy(pa, pc, bytes)) });
  figures.push({ name: "Wasm SIMD add", gbPerS: best(reps, 3 * bytes, () => w.add(pa, pb, pc, bytes)) });
  // The Wasm add must compute what the JS loop did, or its figure means nothing.
  const out = new Float32Array(w.mem.buffer, pc, n);
  for (let i = 0; i < n; i += 4099)
    if (out[i] !== a[i] + b[i]) throw new Error(`bandwidth: Wasm add wrong at ${i}: ${out[i]} != ${a[i] + b[i]}`);
  if (threads > 1)
    figures.push({ name: `Wasm SIMD add, ${threads} threads`, gbPerS: await threadedAdd(threads, n, reps) });
  return { figures, bestGbPerS: Math.max(...figures.map((f) => f.gbPerS)), bytesPerArray: bytes };
}
