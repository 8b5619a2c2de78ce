/**
 * The SSD scan's memory and gradients: `ssdChunked` walks the chunks with a `lax.scan` whose body
 * is a `checkpoint`, so reverse mode keeps only each chunk's entering state `[batch, H, P, N]`
 * (inspected in grad's jaxpr: no chunk-mask `[batch, H, L, chunk]` or per-chunk state stack
 * outside the scan body — the measure fails on the unchunked quadratic form, checked too);
 * gradients of every input (x, Δ, A, B, C, D, the initial state) == finite differences of the
 * float64 host recurrence, for chunk sizes that do and don't divide L, with groups.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { grad, makeJaxpr, np, type Array } from "linax-ts";
import * as ssm from "@linax-ts/ssm";
import { mulberry32 } from "@linax-ts/testing";
import { assertClose, maxAbs, nums } from "./host-values.ts";
import { draw, hostSsd, ssdCase, type SsdCase } from "./ssd-host-reference.ts";

/** Sizes (element counts) of every value bound at the top level of grad(f)'s jaxpr (scan/checkpoint bodies excluded). */
function topLevelSizes(f: (x: Array) => Array, x: Array): number[] {
  return makeJaxpr(grad(f))(x).jaxpr.eqns.flatMap((e) =>
    e.outBinders.map((v) => v.aval.shape.reduce((p, s) => p * s, 1)),
  );
}

test("memory: grad of ssdChunked keeps no [batch, H, L, chunk] mask and no [batch, L, H, N] head-expanded B/C outside the chunk body", () => {
  const [b, L, H, P, G, N, T] = [2, 48, 4, 2, 2, 3, 8];
  const { arr } = ssdCase(5, b, L, H, P, G, N, true);
  const w = draw(mulberry32(9), [b, L, H, P]).x;
  const sizes = topLevelSizes(
    (x) =>
      np.sum(
        np.multiply(
          ssm.ops.ssdChunked(x, arr.dt, arr.A, arr.B, arr.C, { chunkSize: T, D: arr.D, initialState: arr.S0 }),
          w,
        ),
      ),
    arr.x,
  );
  // Allowed at the top level: per-token inputs/outputs ([b, L, H, P], [b, L, G, N], [b, L, H]) and
  // the scan's residual, the entering state of each chunk [L/T, b, H, P, N].
  const bound = Math.max(b * L * H * P, b * L * G * N, b * L * H, (L / T) * b * H * P * N);
  assert.ok(Math.max(...sizes) <= bound, `largest top-level value ${Math.max(...sizes)} > ${bound}`);
  // The measure can fail: the quadratic form over the whole sequence written out here (no chunks,
  // no checkpoint) keeps the [b, H, L, L] decay mask for its backward pass.
  const naive = topLevelSizes((x) => {
    const a = np.moveaxis(np.multiply(arr.dt, arr.A), 1, 2); // [b, H, L]
    const cum = np.cumsum(a, -1);
    const causal = np.tril(np.ones([L, L], { dtype: "bool" }));
    const mask = np.where(causal, np.exp(np.subtract(np.expandDims(cum, 3), np.expandDims(cum, 2))), 0);
    const heads = (m: Array): Array => np.repeat(m, H / G, { axis: 2 });
    const y = np.einsum(
      "blhn,bshn,bhls,bshp->blhp",
      heads(arr.C),
      heads(arr.B),
      mask,
      np.multiply(x, np.expandDims(arr.dt, 3)),
    );
    return np.sum(np.multiply(y, w));
  }, arr.x);
  assert.ok(Math.max(...naive) >= b * H * L * L, `naive form's largest value ${Math.max(...naive)}`);
});

test("ssdChunked gradients of x, Δ, A, B, C, D and the initial state == finite differences of the host recurrence (chunk sizes 3, 4, 9; groups)", () => {
  const [b, L, H, P, G, N] = [1, 9, 4, 2, 2, 3];
  const { host, arr } = ssdCase(41, b, L, H, P, G, N, true);
  const w = draw(mulberry32(12), [b, L, H, P]);
  const names = ["x", "dt", "A", "B", "C", "D", "S0"] as const;
  const hostLoss = (h: SsdCase): number => {
    const { y, S } = hostSsd(h);
    // The final state enters the loss too (its cotangent flows back through every chunk).
    return y.reduce((s, v, i) => s + v * w.host[i], 0) + S.reduce((s, v, i) => s + v * Math.cos(i), 0);
  };
  const Sw = np.cos(np.arange(b * H * P * N, { dtype: "float32" })).reshape([b, H, P, N]);
  const want = hostSsd(host);
  for (const chunkSize of [3, 4, 9]) {
    const loss = (x: Array, dt: Array, A: Array, B: Array, C: Array, D: Array, S0: Array): Array => {
      const [y, S] = ssm.ops.ssdChunked(x, dt, A, B, C, { chunkSize, D, initialState: S0, returnFinalState: true });
      return np.add(np.sum(np.multiply(y, w.x)), np.sum(np.multiply(S, Sw)));
    };
    // Forward unchanged by the checkpointing: == the host recurrence.
    const [y] = ssm.ops.ssdChunked(arr.x, arr.dt, arr.A, arr.B, arr.C, {
      chunkSize,
      D: arr.D,
      initialState: arr.S0,
      returnFinalState: true,
    });
    assertClose(nums(y), want.y, { atol: 2e-5 * (1 + maxAbs(want.y)), rtol: 1e-4, msg: `forward chunk ${chunkSize}` });
    const gs = grad(loss, { argnums: [0, 1, 2, 3, 4, 5, 6] })(
      arr.x,
      arr.dt,
      arr.A,
      arr.B,
      arr.C,
      arr.D,
      arr.S0,
    ) as Array[];
    names.forEach((name, ai) => {
      const g = nums(gs[ai]);
      assert.ok(g.every(Number.isFinite), `${name}: finite gradient`);
      const picks = [...new Set([0, 1, Math.floor(g.length / 3), Math.floor(g.length / 2), g.length - 1])];
      for (const idx of picks) {
        const f = (e: number): number => {
          const v = host[name].slice();
          v[idx] += e;
          return hostLoss({ ...host, [name]: v });
        };
        const fd = (f(1e-6) - f(-1e-6)) / 2e-6;
        assertClose([g[idx]], [fd], {
          atol: 2e-3 * (1 + Math.abs(fd)),
          rtol: 2e-3,
          msg: `chunk ${chunkSize} d/d${name}[${idx}]`,
        });
      }
    });
  }
});
