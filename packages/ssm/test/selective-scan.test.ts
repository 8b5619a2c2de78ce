/**
 * ssm.ops.selectiveScan: a hand-derived case; numpy's transcription of mamba_ssm's
 * selective_scan_ref (testdata/ssm/selective-scan.json); parallel (any chunk size) == a float64
 * sequential loop written here == selectiveScanStep, on random shapes (real and complex A, fixed
 * and input-dependent B/C, zoh and exptrap); reverse-mode gradients vs finite differences; jit,
 * vmap; shape errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { grad, jit, lax, makeJaxpr, np, vmap, ShapeError, DTypeError, ValueError, type Array } from "linax-ts";
import { ssm } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { assertClose, cadd, cexp, cmul, cscale, cx, maxAbs, nums, type Cx } from "./host-values.ts";

const { selectiveScan, selectiveScanStep, selectiveScanInitState } = ssm.ops;
const JsArray = globalThis.Array;

// ------------------------------------------------------------------ a float64 host reference

interface HostCase {
  batch: number;
  D: number;
  L: number;
  N: number;
  u: number[]; // [b, D, L]
  delta: number[];
  A: Cx[]; // [D, N]
  B: Cx[]; // [b, N, L] or [D, N]
  C: Cx[];
  variableB: boolean;
  variableC: boolean;
  Dskip?: number[];
  z?: number[];
  bias?: number[];
  softplus: boolean;
  disc: "zoh" | "exptrap";
  /** λ: one number, or per (b, d, t) like u. */
  lam: number | number[];
}

/** The recurrence, one scalar at a time, in float64 complex arithmetic (independent of the library's code path). */
function hostScan(c: HostCase): { out: number[]; last: Cx[] } {
  const { batch, D, L, N } = c;
  const out = new JsArray<number>(batch * D * L).fill(0);
  const last: Cx[] = [];
  const complex = c.A.some((a) => a[1] !== 0) || c.B.some((a) => a[1] !== 0) || c.C.some((a) => a[1] !== 0);
  for (let b = 0; b < batch; b++) {
    for (let d = 0; d < D; d++) {
      const h: Cx[] = JsArray.from({ length: N }, () => cx(0));
      let prevBu: Cx[] = JsArray.from({ length: N }, () => cx(0));
      for (let t = 0; t < L; t++) {
        const i = (b * D + d) * L + t;
        let dt = c.delta[i] + (c.bias ? c.bias[d] : 0);
        if (c.softplus) dt = dt > 20 ? dt : Math.log1p(Math.exp(dt));
        let y = cx(0);
        const bu: Cx[] = [];
        for (let n = 0; n < N; n++) {
          const Bv = c.variableB ? c.B[(b * N + n) * L + t] : c.B[d * N + n];
          const Cv = c.variableC ? c.C[(b * N + n) * L + t] : c.C[d * N + n];
          const alpha = cexp(cscale(c.A[d * N + n], dt));
          bu.push(cscale(Bv, c.u[i]));
          const lam = typeof c.lam === "number" ? c.lam : c.lam[i];
          const drive =
            c.disc === "zoh"
              ? cscale(bu[n], dt)
              : cadd(cscale(bu[n], lam * dt), cscale(cmul(alpha, prevBu[n]), (1 - lam) * dt));
          h[n] = cadd(cmul(alpha, h[n]), drive);
          y = cadd(y, cmul(h[n], Cv));
        }
        prevBu = bu;
        let o = complex ? 2 * y[0] : y[0];
        if (c.Dskip) o += c.u[i] * c.Dskip[d];
        if (c.z) o *= c.z[i] / (1 + Math.exp(-c.z[i]));
        out[i] = o;
      }
      last.push(...h);
    }
  }
  return { out, last };
}

/** Normal draws rounded to float32, as numbers and an Array. */
function draw(rand: () => number, shape: number[], scale = 1, shift = 0): { host: number[]; x: Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const flat = Float32Array.from(
    { length: n },
    () => shift + scale * Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand()),
  );
  return { host: JsArray.from(flat), x: np.array(flat).reshape(shape) };
}

interface RandomCase {
  host: HostCase;
  u: Array;
  delta: Array;
  A: Array;
  B: Array;
  C: Array;
  opts: ssm.ops.SelectiveScanOptions;
}

function randomCase(
  seed: number,
  o: {
    batch: number;
    D: number;
    L: number;
    N: number;
    variable: boolean;
    complex: boolean;
    disc: "zoh" | "exptrap";
    extras: boolean;
  },
): RandomCase {
  const r = mulberry32(seed);
  const { batch, D, L, N } = o;
  const u = draw(r, [batch, D, L]);
  const delta = draw(r, [batch, D, L], 0.5);
  const aRe = draw(r, [D, N], 0.5);
  const Are = aRe.host.map((v) => -Math.fround(Math.exp(v)));
  const Aim = o.complex ? draw(r, [D, N]) : null;
  const bcShape = o.variable ? [batch, N, L] : [D, N];
  const mk = (): { host: Cx[]; x: Array } => {
    const re = draw(r, bcShape);
    if (!o.complex) return { host: re.host.map((v) => cx(v)), x: re.x };
    const im = draw(r, bcShape);
    return { host: re.host.map((v, i) => cx(v, im.host[i])), x: lax.complex(re.x, im.x) };
  };
  const B = mk();
  const C = mk();
  const Ax = np.array(Float32Array.from(Are)).reshape([D, N]);
  const A = Aim ? lax.complex(Ax, Aim.x) : Ax;
  const Dk = o.extras ? draw(r, [D]) : null;
  const z = o.extras ? draw(r, [batch, D, L]) : null;
  const bias = o.extras ? draw(r, [D], 0.5) : null;
  return {
    host: {
      batch,
      D,
      L,
      N,
      u: u.host,
      delta: delta.host,
      A: Are.map((v, i) => cx(v, Aim ? Aim.host[i] : 0)),
      B: B.host,
      C: C.host,
      variableB: o.variable,
      variableC: o.variable,
      Dskip: Dk?.host,
      z: z?.host,
      bias: bias?.host,
      softplus: o.extras,
      disc: o.disc,
      lam: 0.5,
    },
    u: u.x,
    delta: delta.x,
    A,
    B: B.x,
    C: C.x,
    opts: { D: Dk?.x, z: z?.x, deltaBias: bias?.x, deltaSoftplus: o.extras, discretization: o.disc },
  };
}

/** The state as host numbers: real `[b, D, N]`, or complex interleaved. */
/** A state as host numbers (complex64: interleaved re, im, like `hostState`). */
const stateNums = (h: Array, _complex: boolean): number[] => nums(h);
const hostState = (last: Cx[], complex: boolean): number[] =>
  complex ? last.flatMap((v) => [v[0], v[1]]) : last.map((v) => v[0]);

/** Steps through time with selectiveScanStep; returns `[out [b, D, L] flat, last state]`. */
function stepAll(c: RandomCase): [number[], Array] {
  const { batch, D, L, N } = c.host;
  let st = selectiveScanInitState(batch, D, N, { complex: c.A.dtype === "complex64" });
  const outs: Array[] = [];
  const fixed = !c.host.variableB;
  for (let t = 0; t < L; t++) {
    const at = (x: Array | null | undefined): Array | undefined => (x ? x.get(":", ":", t) : undefined);
    const [y, s2] = selectiveScanStep(
      st,
      at(c.u) as Array,
      at(c.delta) as Array,
      c.A,
      fixed ? c.B : (at(c.B) as Array),
      fixed ? c.C : (at(c.C) as Array),
      {
        ...c.opts,
        z: at(c.opts.z),
        fixedB: fixed,
        fixedC: fixed,
      },
    );
    outs.push(y);
    st = s2;
  }
  return [nums(np.stack(outs, { axis: 2 })), st.h];
}

// ------------------------------------------------------------------ tests

test("hand-derived: D = N = 1, L = 3, A = -ln 2, Δ = 1, B = 2, C = 3, D = 0.5, u = [1, 0, 4]", () => {
  // exp(ΔA) = 1/2 and ΔBu = 2u, so x = [2, 1, 8.5] (x_0 = 2; x_1 = 2/2 + 0; x_2 = 1/2 + 8),
  // y = 3x + 0.5u = [6.5, 3, 27.5]; the last state is 8.5.
  const u = np.array([[[1, 0, 4]]]);
  const delta = np.ones([1, 1, 3]);
  const A = np.array([[-Math.LN2]]);
  const B = np.full([1, 1, 3], 2);
  const C = np.full([1, 1, 3], 3);
  const [y, last] = selectiveScan(u, delta, A, B, C, { D: np.array([0.5]), returnLastState: true });
  assertClose(nums(y), [6.5, 3, 27.5], { atol: 1e-5 });
  assertClose(nums(last), [8.5], { atol: 1e-5 });
  // Gate z = [0, 2, -1]: silu(0) = 0, silu(2) = 2σ(2) = 1.761594, silu(-1) = -σ(-1) = -0.268941.
  const z = np.array([[[0, 2, -1]]]);
  assertClose(
    nums(selectiveScan(u, delta, A, B, C, { D: np.array([0.5]), z })),
    [0, 3 * 1.7615942, 27.5 * -0.26894142],
    { atol: 1e-5 },
  );
  // deltaSoftplus with deltaBias = ln(e - 1) - 1 and Δ = 1: softplus(ln(e - 1)) = ln(e) = 1, the same run.
  const yb = selectiveScan(u, delta, A, B, C, {
    D: np.array([0.5]),
    deltaBias: np.array([Math.log(Math.E - 1) - 1]),
    deltaSoftplus: true,
  });
  assertClose(nums(yb), [6.5, 3, 27.5], { atol: 1e-5 });
  // exptrap, λ = ½: x_t = α x_{t-1} + ½ΔB u_t + ½Δα B u_{t-1}: x = [1, 0.5 + 0 + 0.5, 0.5 + 4 + 0] = [1, 1, 4.5].
  const ye = selectiveScan(u, delta, A, B, C, { discretization: "exptrap" });
  assertClose(nums(ye), [3, 3, 13.5], { atol: 1e-5 });
  // torch's softplus is the identity above 20 (and its gradient 1).
  assertClose(nums(ssm.ops.torchSoftplus(np.array([25, 0, -3]))), [25, Math.LN2, Math.log1p(Math.exp(-3))], {
    atol: 1e-6,
  });
});

interface Enc {
  shape: number[];
  complex?: boolean;
  data: number[];
}
const dec = (e: Enc): Array => {
  if (!e.complex) return np.array(Float32Array.from(e.data)).reshape(e.shape);
  const re = e.data.filter((_, i) => i % 2 === 0);
  const im = e.data.filter((_, i) => i % 2 === 1);
  return lax.complex(
    np.array(Float32Array.from(re)).reshape(e.shape),
    np.array(Float32Array.from(im)).reshape(e.shape),
  );
};

test("known answers: numpy transcription of mamba_ssm's selective_scan_ref (testdata/ssm/selective-scan.json)", () => {
  const path = fileURLToPath(new URL("../../../testdata/ssm/selective-scan.json", import.meta.url));
  const file = JSON.parse(readFileSync(path, "utf8")) as {
    cases: Record<string, { inputs: Record<string, Enc>; deltaSoftplus: boolean; out: Enc; lastState: Enc }>;
  };
  assert.deepEqual(Object.keys(file.cases).sort(), [
    "complex_fixed",
    "complex_variable",
    "fixed_plain",
    "variable_full",
  ]);
  for (const [name, c] of Object.entries(file.cases)) {
    const i = c.inputs;
    for (const chunkSize of [64, 2]) {
      const [y, last] = selectiveScan(dec(i.u), dec(i.delta), dec(i.A), dec(i.B), dec(i.C), {
        D: i.D ? dec(i.D) : null,
        z: i.z ? dec(i.z) : null,
        deltaBias: i.deltaBias ? dec(i.deltaBias) : null,
        deltaSoftplus: c.deltaSoftplus,
        returnLastState: true,
        chunkSize,
      });
      assert.deepEqual(y.shape, c.out.shape);
      assertClose(nums(y), c.out.data, {
        atol: 2e-5 * (1 + maxAbs(c.out.data)),
        rtol: 1e-4,
        msg: `${name} out (chunk ${chunkSize})`,
      });
      assert.deepEqual(last.shape, c.lastState.shape);
      assertClose(nums(last), c.lastState.data, {
        atol: 2e-5 * (1 + maxAbs(c.lastState.data)),
        rtol: 1e-4,
        msg: `${name} lastState`,
      });
    }
  }
});

test("random shapes: parallel (chunked or not) == float64 sequential loop == selectiveScanStep, real/complex, fixed/variable B, C, zoh/exptrap", () => {
  const r = mulberry32(42);
  const pick = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  for (let k = 0; k < 10; k++) {
    const o = {
      batch: pick(1, 3),
      D: pick(1, 4),
      L: pick(1, 20),
      N: pick(1, 5),
      variable: k % 3 !== 2,
      complex: k % 4 === 3,
      disc: (k % 2 === 0 ? "zoh" : "exptrap") as "zoh" | "exptrap",
      extras: k % 5 !== 4,
    };
    const c = randomCase(1000 + k, o);
    const want = hostScan(c.host);
    const tol = { atol: 3e-5 * (1 + maxAbs(want.out)), rtol: 1e-4 };
    const msg = JSON.stringify(o);
    for (const chunkSize of [64, 1, 3, 7]) {
      const [y, last] = selectiveScan(c.u, c.delta, c.A, c.B, c.C, { ...c.opts, returnLastState: true, chunkSize });
      assertClose(nums(y), want.out, { ...tol, msg: `${msg} chunk ${chunkSize}` });
      assertClose(stateNums(last, o.complex), hostState(want.last, o.complex), {
        atol: 3e-5 * (1 + maxAbs(hostState(want.last, o.complex))),
        rtol: 1e-4,
        msg: `${msg} last state`,
      });
    }
    const [ys, hN] = stepAll(c);
    assertClose(ys, want.out, { ...tol, msg: `${msg} step` });
    assertClose(stateNums(hN, o.complex), hostState(want.last, o.complex), {
      atol: 3e-5 * (1 + maxAbs(hostState(want.last, o.complex))),
      rtol: 1e-4,
      msg: `${msg} step state`,
    });
  }
});

test("initialState continues a sequence: scan(x[:k]) then scan(x[k:], initialState) == scan(x)", () => {
  const c = randomCase(7, { batch: 2, D: 3, L: 12, N: 4, variable: true, complex: false, disc: "zoh", extras: true });
  const part = (x: Array | null | undefined, a: number, b: number): Array | undefined =>
    x ? x.get(":", ":", np.arange(a, b)) : undefined;
  const full = selectiveScan(c.u, c.delta, c.A, c.B, c.C, c.opts);
  const [y1, h1] = selectiveScan(
    part(c.u, 0, 5) as Array,
    part(c.delta, 0, 5) as Array,
    c.A,
    part(c.B, 0, 5) as Array,
    part(c.C, 0, 5) as Array,
    {
      ...c.opts,
      z: part(c.opts.z, 0, 5),
      returnLastState: true,
    },
  );
  const y2 = selectiveScan(
    part(c.u, 5, 12) as Array,
    part(c.delta, 5, 12) as Array,
    c.A,
    part(c.B, 5, 12) as Array,
    part(c.C, 5, 12) as Array,
    {
      ...c.opts,
      z: part(c.opts.z, 5, 12),
      initialState: h1,
      chunkSize: 3,
    },
  );
  assertClose(nums(np.concatenate([y1, y2], 2)), nums(full), { atol: 1e-5 });
});

test("grad (reverse mode through the chunked, checkpointed scan) == central finite differences of the float64 loop", () => {
  for (const disc of ["zoh", "exptrap"] as const) {
    const c = randomCase(11, { batch: 2, D: 2, L: 9, N: 3, variable: true, complex: false, disc, extras: true });
    const w = draw(mulberry32(5), [2, 2, 9]);
    const loss = (u: Array, delta: Array, A: Array, B: Array, C: Array, D: Array, z: Array, bias: Array): Array =>
      np.sum(
        np.multiply(
          selectiveScan(u, delta, A, B, C, {
            D,
            z,
            deltaBias: bias,
            deltaSoftplus: true,
            chunkSize: 4,
            discretization: disc,
          }),
          w.x,
        ),
      );
    const args = [c.u, c.delta, c.A, c.B, c.C, c.opts.D as Array, c.opts.z as Array, c.opts.deltaBias as Array];
    const gs = grad(loss, { argnums: [0, 1, 2, 3, 4, 5, 6, 7] })(
      ...(args as [Array, Array, Array, Array, Array, Array, Array, Array]),
    ) as Array[];
    // The same derivatives through jit, and without chunking.
    const gj = jit(grad(loss, { argnums: [2, 3] }))(
      ...(args as [Array, Array, Array, Array, Array, Array, Array, Array]),
    ) as Array[];
    assertClose(nums(gj[0]), nums(gs[2]), { atol: 1e-5, rtol: 1e-4, msg: "jit dA" });
    assertClose(nums(gj[1]), nums(gs[3]), { atol: 1e-5, rtol: 1e-4, msg: "jit dB" });
    // Finite differences on the float64 host loop, a few entries of every argument.
    const names = ["u", "delta", "A", "B", "C", "Dskip", "z", "bias"] as const;
    const hostLoss = (h: HostCase): number => hostScan(h).out.reduce((s, v, i) => s + v * w.host[i], 0);
    names.forEach((name, ai) => {
      const g = nums(gs[ai]);
      for (const idx of [0, Math.floor(g.length / 2), g.length - 1]) {
        const f = (e: number): number => {
          const h: HostCase = { ...c.host };
          if (name === "A" || name === "B" || name === "C") {
            const arr = h[name].slice();
            arr[idx] = cx(arr[idx][0] + e, arr[idx][1]);
            h[name] = arr;
          } else {
            const arr = (h[name] as number[]).slice();
            arr[idx] += e;
            (h as unknown as Record<string, number[]>)[name] = arr;
          }
          return hostLoss(h);
        };
        const fd = (f(1e-6) - f(-1e-6)) / 2e-6;
        assertClose([g[idx]], [fd], {
          atol: 2e-3 * (1 + Math.abs(fd)),
          rtol: 2e-3,
          msg: `${disc}: d/d${name}[${idx}]`,
        });
      }
    });
  }
});

test("complex A: gradient with respect to the real and imaginary parts of A matches finite differences", () => {
  const c = randomCase(13, { batch: 1, D: 2, L: 6, N: 2, variable: true, complex: true, disc: "zoh", extras: false });
  const w = draw(mulberry32(9), [1, 2, 6]);
  const loss = (are: Array, aim: Array): Array =>
    np.sum(np.multiply(selectiveScan(c.u, c.delta, lax.complex(are, aim), c.B, c.C, { chunkSize: 4 }), w.x));
  const [gre, gim] = grad(loss, { argnums: [0, 1] })(np.real(c.A), np.imag(c.A)) as Array[];
  const hostLoss = (A: Cx[]): number => hostScan({ ...c.host, A }).out.reduce((s, v, i) => s + v * w.host[i], 0);
  for (const [part, g] of [
    [0, gre],
    [1, gim],
  ] as const) {
    nums(g).forEach((gv, i) => {
      const f = (e: number): number =>
        hostLoss(c.host.A.map((a, j) => (j === i ? (part === 0 ? cx(a[0] + e, a[1]) : cx(a[0], a[1] + e)) : a)));
      const fd = (f(1e-6) - f(-1e-6)) / 2e-6;
      assertClose([gv], [fd], { atol: 2e-3 * (1 + Math.abs(fd)), rtol: 2e-3, msg: `d/dA ${part ? "im" : "re"}[${i}]` });
    });
  }
});

test("vmap over an extra leading axis and jit equal the eager scan", () => {
  const c = randomCase(17, { batch: 2, D: 3, L: 10, N: 4, variable: true, complex: false, disc: "zoh", extras: true });
  const f = (u: Array, delta: Array, B: Array, C: Array, z: Array): Array =>
    selectiveScan(u, delta, c.A, B, C, { ...c.opts, z, chunkSize: 4 });
  const eager = f(c.u, c.delta, c.B, c.C, c.opts.z as Array);
  assertClose(nums(jit(f)(c.u, c.delta, c.B, c.C, c.opts.z as Array)), nums(eager), { atol: 1e-6 });
  const st = (x: Array): Array => np.stack([x, np.flip(x, 2)]);
  const vb = vmap(f)(st(c.u), st(c.delta), st(c.B), st(c.C), st(c.opts.z as Array));
  assertClose(nums(vb.get(0)), nums(eager), { atol: 1e-6 });
  assertClose(
    nums(vb.get(1)),
    nums(f(np.flip(c.u, 2), np.flip(c.delta, 2), np.flip(c.B, 2), np.flip(c.C, 2), np.flip(c.opts.z as Array, 2))),
    { atol: 1e-6 },
  );
});

test("bad input: clear errors naming the argument and shapes", () => {
  const u = np.zeros([1, 2, 5]);
  const A = np.zeros([2, 3]);
  const B = np.zeros([1, 3, 5]);
  assert.throws(
    () => selectiveScan(np.zeros([2, 5]), u, A, B, B),
    (e: Error) => e instanceof ShapeError && /u must be \[batch, D, L\]/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, np.zeros([1, 2, 4]), A, B, B),
    (e: Error) => e instanceof ShapeError && /delta must have u's shape/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, np.zeros([3, 3]), B, B),
    (e: Error) => e instanceof ShapeError && /A must be \[D, N\] with D = 2/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, A, np.zeros([1, 4, 5]), B),
    (e: Error) => e instanceof ShapeError && /B must be \[batch, N, L\]/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, A, B, B, { D: np.zeros([3]) }),
    (e: Error) => e instanceof ShapeError && /D must be \[D\]/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u.astype("int32"), u, A, B, B),
    (e: Error) => e instanceof DTypeError && /u must be float32/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, A, B, B, { chunkSize: 0 }),
    (e: Error) => e instanceof ValueError && /chunkSize/.test(e.message),
  );
  assert.throws(
    () => selectiveScan(u, u, A, B, B, { discretization: "bilinear" as "zoh" }),
    (e: Error) => e instanceof ValueError && /discretization/.test(e.message),
  );
  const st = selectiveScanInitState(1, 2, 3);
  assert.throws(
    () => selectiveScanStep(st, np.zeros([2, 2]), np.zeros([2, 2]), A, np.zeros([2, 3]), np.zeros([2, 3])),
    (e: Error) => e instanceof ShapeError && /\[batch, D\] = \[1, 2\]/.test(e.message),
  );
});

test("memory: the backward pass keeps no [batch, D, L, N] array — only chunk states (inspected in grad's jaxpr)", () => {
  const [b, D, L, N, T] = [2, 3, 24, 5, 4];
  const c = randomCase(23, { batch: b, D, L, N, variable: true, complex: false, disc: "zoh", extras: true });
  const topLevelSizes = (f: (u: Array) => Array): number[] =>
    makeJaxpr(grad(f))(c.u).jaxpr.eqns.flatMap((e) => e.outBinders.map((v) => v.aval.shape.reduce((p, s) => p * s, 1)));
  const chunked = topLevelSizes((u) => np.sum(selectiveScan(u, c.delta, c.A, c.B, c.C, { ...c.opts, chunkSize: T })));
  // Largest values outside the scan/checkpoint bodies: per-token arrays ([b, D, L]; B, C chunked
  // [L/T, b, N, T]) and the stacked chunk states [L/T, b, D, N] (the scan's only residual).
  assert.ok(
    Math.max(...chunked) <= Math.max(b * D * L, b * N * L, (L / T) * b * D * N),
    `largest top-level value ${Math.max(...chunked)}`,
  );
  // The measure can fail: the unchunked, uncheckpointed recurrence saves [b, D, L, N] residuals.
  const naive = topLevelSizes((u) => {
    const dA = np.exp(np.multiply(np.expandDims(c.delta, 3), np.expandDims(np.expandDims(c.A, 1), 0)));
    const drive = np.multiply(np.expandDims(np.multiply(c.delta, u), 3), np.expandDims(np.swapaxes(c.B, 1, 2), 1));
    return np.sum(np.multiply(lax.linearRecurrence(dA, drive, 2), np.expandDims(np.swapaxes(c.C, 1, 2), 1)));
  });
  assert.equal(Math.max(...naive), b * D * L * N);
});

test("exptrap with a data-dependent λ [batch, D, L]: parallel (chunked) == float64 loop == step; dλ == finite differences", () => {
  const c = randomCase(31, {
    batch: 2,
    D: 3,
    L: 11,
    N: 4,
    variable: true,
    complex: false,
    disc: "exptrap",
    extras: true,
  });
  const r = mulberry32(4);
  const lamFlat = Float32Array.from({ length: 2 * 3 * 11 }, () => r());
  const lam = np.array(lamFlat).reshape([2, 3, 11]);
  const host: HostCase = { ...c.host, lam: JsArray.from(lamFlat) };
  const want = hostScan(host).out;
  const tol = { atol: 3e-5 * (1 + maxAbs(want)), rtol: 1e-4 };
  for (const chunkSize of [64, 3])
    assertClose(
      nums(selectiveScan(c.u, c.delta, c.A, c.B, c.C, { ...c.opts, trapezoidLambda: lam, chunkSize })),
      want,
      { ...tol, msg: `chunk ${chunkSize}` },
    );
  let st = selectiveScanInitState(2, 3, 4);
  const ys: Array[] = [];
  for (let t = 0; t < 11; t++) {
    const at = (x: Array): Array => x.get(":", ":", t);
    const [y, s2] = selectiveScanStep(st, at(c.u), at(c.delta), c.A, at(c.B), at(c.C), {
      ...c.opts,
      z: at(c.opts.z as Array),
      trapezoidLambda: at(lam),
    });
    ys.push(y);
    st = s2;
  }
  assertClose(nums(np.stack(ys, { axis: 2 })), want, { ...tol, msg: "step" });
  const w = draw(mulberry32(6), [2, 3, 11]);
  const g = nums(
    <Array>(
      grad((l: Array) =>
        np.sum(
          np.multiply(selectiveScan(c.u, c.delta, c.A, c.B, c.C, { ...c.opts, trapezoidLambda: l, chunkSize: 4 }), w.x),
        ),
      )(lam)
    ),
  );
  for (const idx of [0, 17, 65]) {
    const f = (e: number): number => {
      const l = JsArray.from(lamFlat);
      l[idx] += e;
      return hostScan({ ...host, lam: l }).out.reduce((s, v, i) => s + v * w.host[i], 0);
    };
    const fd = (f(1e-6) - f(-1e-6)) / 2e-6;
    assertClose([g[idx]], [fd], { atol: 2e-3 * (1 + Math.abs(fd)), rtol: 2e-3, msg: `d/dλ[${idx}]` });
  }
});
