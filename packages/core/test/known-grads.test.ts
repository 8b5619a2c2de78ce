/** Gradients at fixed inputs vs float64 reference numbers committed in testdata/transforms. */
import { test } from "node:test";
import { readFileSync } from "node:fs";
import { np, lax, grad, valueAndGrad, jit, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const ref = JSON.parse(readFileSync(new URL("../../../testdata/transforms/known-grads.json", import.meta.url), "utf8"));
const cplx = (re: number[], im: number[]) => lax.complex(np.array(re), np.array(im));

test("Σ tanh(x @ W)²: value and gradients w.r.t. x and W", () => {
  const { x, W, value, dW, dx } = ref.tanh_matmul;
  const f = (a: Array, b: Array) => np.sum(np.square(np.tanh(np.matmul(a, b))));
  const [v, [gx, gW]] = valueAndGrad(f, { argnums: [0, 1] })(np.array(x), np.array(W)) as [Array, Array[]];
  assertClose(v, value, { rtol: 1e-6 });
  assertClose(gx, dx, { rtol: 1e-5, atol: 1e-6 });
  assertClose(gW, dW, { rtol: 1e-5, atol: 1e-6 });
  assertClose(jit(grad(f, { argnums: 1 }))(np.array(x), np.array(W)) as Array, dW, { rtol: 1e-5, atol: 1e-6 });
});

test("logsumexp: gradient is softmax", () => {
  const { x, value, dx } = ref.logsumexp;
  assertClose(np.logsumexp(np.array(x)), value, { rtol: 1e-6 });
  assertClose(grad((v: Array) => np.logsumexp(v))(np.array(x)) as Array, dx, { rtol: 1e-5, atol: 1e-7 });
});

test("softmax·c: gradient s⊙(c − ⟨s, c⟩)", () => {
  const { x, c, value, dx } = ref.softmax_dot;
  const f = (v: Array) => np.sum(np.exp(v.sub(np.logsumexp(v))).mul(np.array(c)));
  assertClose(f(np.array(x)), value, { rtol: 1e-6 });
  assertClose(grad(f)(np.array(x)) as Array, dx, { rtol: 1e-5, atol: 1e-6 });
});

test("complex inputs follow JAX: ∇Σ|z|² = 2·conj(z); holomorphic ∇Σz² = 2z", () => {
  const a = ref.abs2_complex;
  const g = grad((z: Array) => np.sum(np.real(z.mul(np.conj(z)))))(cplx(a.re, a.im)) as Array;
  assertClose(np.real(g), a.grad_re, { rtol: 1e-6 });
  assertClose(np.imag(g), a.grad_im, { rtol: 1e-6 });
  const g2 = grad((z: Array) => np.sum(np.abs(z).mul(np.abs(z))))(cplx(a.re, a.im)) as Array;
  assertClose(np.real(g2), a.grad_re, { rtol: 1e-5 });
  assertClose(np.imag(g2), a.grad_im, { rtol: 1e-5 });
  const h = ref.square_holomorphic;
  const gh = grad((z: Array) => np.sum(z.mul(z)), { holomorphic: true })(cplx(h.re, h.im)) as Array;
  assertClose(np.real(gh), h.grad_re, { rtol: 1e-6 });
  assertClose(np.imag(gh), h.grad_im, { rtol: 1e-6 });
});
