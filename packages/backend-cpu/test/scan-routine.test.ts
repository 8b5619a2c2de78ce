/**
 * scan with a compiled body (compile/scan-routine.ts) == the reference impl (the body interpreted
 * op by op), bit for bit: carries only, stacked outputs, reverse, length 0 and 1, consts, several
 * dtypes, complex, nested scans, scans under jit and their gradients (transposed scans). Bodies
 * avoid matmul, whose compiled form sums in float32 (its own test bounds that).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { config, grad, jit, lax, np, random, type Array } from "linax-ts";

function same(got: Array[], want: Array[], what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => {
    assert.deepEqual(g.shape, want[i].shape, `${what}: output ${i} shape`);
    const a = g.dataSync();
    const b = want[i].dataSync();
    for (let k = 0; k < b.length; k++)
      if (!(Object.is(a[k], b[k]) || (Number.isNaN(a[k]) && Number.isNaN(b[k]))))
        assert.fail(`${what}: output ${i} element ${k}: ${a[k]} vs ${b[k]}`);
  });
}

function check(what: string, f: () => Array[]): void {
  config.update("jitCompile", true);
  const got = f();
  config.update("jitCompile", false);
  let want: Array[];
  try {
    want = f();
  } finally {
    config.update("jitCompile", true);
  }
  same(got, want, what);
}

const xs = random.normal(random.PRNGKey(0), [7, 3, 4]);
const w = random.normal(random.PRNGKey(1), [4, 4]);

test("scan with a compiled body == reference: carries, outputs, reverse, lengths 0/1, consts", () => {
  const body = (c: Array, x: Array): [Array, Array] => {
    const h = np.tanh(x.mul(w.sum(0)).add(c));
    return [h, h.sum(1)];
  };
  const c0 = np.zeros([3, 4]);
  for (const reverse of [false, true]) {
    check(`rnn reverse=${reverse}`, () => {
      const [c, ys] = lax.scan(body, c0, xs, { reverse });
      return [c, ys];
    });
  }
  check("length 0", () => {
    const [c, ys] = lax.scan(body, c0, lax.slice(xs, [0, 0, 0], [0, 3, 4]));
    return [c, ys];
  });
  check("length 1", () => {
    const [c, ys] = lax.scan(body, c0, lax.slice(xs, [0, 0, 0], [1, 3, 4]));
    return [c, ys];
  });
  check("int carry and bool outputs", () => {
    const [c, ys] = lax.scan(
      (k: Array, x: Array): [Array, Array] => [k.add(lax.convertElementType(x.gt(0), "int32")), x.gt(0.5)],
      np.zeros([3, 4], { dtype: "int32" }),
      xs,
    );
    return [c, ys];
  });
  check("complex carry", () => {
    const z = lax.complex(xs, xs.mul(-0.5));
    const [c] = lax.scan(
      (a: Array, x: Array): [Array, Array] => [a.mul(x).add(1), x],
      lax.complex(np.ones([3, 4]), np.zeros([3, 4])),
      z,
    );
    return [c];
  });
});

test("nested scans, scans under jit and their gradients == reference", () => {
  const inner = (c: Array, x: Array): [Array, Array] => [c.mul(0.9).add(np.sin(x)), c];
  const outer = (c: Array, x: Array): [Array, Array] => {
    const [ci, ys] = lax.scan(inner, c, x);
    return [ci.add(1), ys.sum(0)];
  };
  check("nested", () => {
    const [c, ys] = lax.scan(outer, np.zeros([4]), xs);
    return [c, ys];
  });
  const loss = (m: Array): Array => {
    const [c, ys] = lax.scan(
      (h: Array, x: Array): [Array, Array] => {
        const n = np.tanh(x.mul(m.sum(0)).add(h));
        return [n, n.mul(n)];
      },
      np.zeros([3, 4]),
      xs,
    );
    return c.sum().add(ys.sum());
  };
  check("jit(grad) through scan", () => [jit(grad(loss))(w)]);
  check("grad eagerly through scan", () => [grad(loss)(w)]);
});
