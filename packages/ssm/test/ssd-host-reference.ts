/**
 * Shared by the SSD tests: deterministic draws, the SSD recurrence as float64 scalar loops
 * (the independent reference), and random SSD cases as host numbers and Arrays.
 */
import { np, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";

const JsArray = globalThis.Array;

export function draw(rand: () => number, shape: number[], scale = 1): { host: number[]; x: Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = Float32Array.from(
    { length: n },
    () => scale * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  );
  return { host: JsArray.from(flat), x: np.array(flat).reshape(shape) };
}

export interface SsdCase {
  b: number;
  L: number;
  H: number;
  P: number;
  G: number;
  N: number;
  x: number[];
  dt: number[];
  A: number[];
  B: number[];
  C: number[];
  D: number[];
  S0: number[];
}

/** S_t = exp(Δ_t A_h) S_{t-1} + Δ_t x_t B_tᵀ, y_t = S_t C_t + D_h x_t — scalar loops in float64. */
export function hostSsd(c: SsdCase): { y: number[]; S: number[] } {
  const { b, L, H, P, G, N } = c;
  const y = new JsArray<number>(b * L * H * P).fill(0);
  const S = c.S0.slice();
  for (let bi = 0; bi < b; bi++) {
    for (let t = 0; t < L; t++) {
      for (let h = 0; h < H; h++) {
        const g = Math.floor(h / (H / G));
        const dt = c.dt[(bi * L + t) * H + h];
        const decay = Math.exp(dt * c.A[h]);
        for (let p = 0; p < P; p++) {
          const xv = c.x[((bi * L + t) * H + h) * P + p];
          let acc = 0;
          for (let n = 0; n < N; n++) {
            const si = ((bi * H + h) * P + p) * N + n;
            const bc = ((bi * L + t) * G + g) * N + n;
            S[si] = decay * S[si] + dt * xv * c.B[bc];
            acc += S[si] * c.C[bc];
          }
          y[((bi * L + t) * H + h) * P + p] = acc + c.D[h] * xv;
        }
      }
    }
  }
  return { y, S };
}

export function ssdCase(
  seed: number,
  b: number,
  L: number,
  H: number,
  P: number,
  G: number,
  N: number,
  withS0: boolean,
): { host: SsdCase; arr: Record<string, Array> } {
  const r = mulberry32(seed);
  const x = draw(r, [b, L, H, P]);
  const dtRaw = draw(r, [b, L, H], 0.5);
  const dt = dtRaw.host.map((v) => Math.fround(Math.exp(v) * 0.5));
  const Araw = draw(r, [H], 0.5);
  const A = Araw.host.map((v) => -Math.fround(Math.exp(v)));
  const B = draw(r, [b, L, G, N]);
  const C = draw(r, [b, L, G, N]);
  const D = draw(r, [H]);
  const S0 = withS0 ? draw(r, [b, H, P, N]) : { host: JsArray(b * H * P * N).fill(0), x: np.zeros([b, H, P, N]) };
  const f = (v: number[], shape: number[]): Array => np.array(Float32Array.from(v)).reshape(shape);
  return {
    host: { b, L, H, P, G, N, x: x.host, dt, A, B: B.host, C: C.host, D: D.host, S0: S0.host },
    arr: { x: x.x, dt: f(dt, [b, L, H]), A: f(A, [H]), B: B.x, C: C.x, D: D.x, S0: S0.x },
  };
}
