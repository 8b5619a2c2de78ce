"""Reference gradients for packages/core/test/known-grads.test.ts (float64 numpy, analytic formulas).

Run: python3 scripts/testdata/gen_known_grads.py  (writes testdata/transforms/known-grads.json)
Each gradient is the hand-derived formula evaluated in float64, not an autodiff result:
  f(x, W) = sum(tanh(x @ W)^2):  dF/dW = x^T (2 t (1 - t^2)),  dF/dx = (2 t (1 - t^2)) W^T,  t = tanh(x @ W)
  g(x) = logsumexp(x):           dg/dx = softmax(x)
  h(x) = sum(softmax(x) * c):    dh/dx = s * (c - <s, c>),  s = softmax(x)
  |z|^2 summed (complex z):      JAX's convention returns 2 conj(z)
  sum(z^2) holomorphic:          2 z
"""
import json
import numpy as np

x = np.array([[0.3, -1.2, 0.5], [1.1, 0.2, -0.7]])
W = np.array([[0.4, -0.3], [0.9, 0.1], [-0.5, 0.8]])
t = np.tanh(x @ W)
G = 2 * t * (1 - t**2)
v = np.array([1.5, -0.5, 2.0, 0.25])
s = np.exp(v - v.max()); s /= s.sum()
c = np.array([0.2, -1.0, 0.7, 3.0])
z = np.array([3 + 4j, -1 + 0.5j, 0.25 - 2j])
out = {
    "note": "float64 numpy, analytic formulas (see scripts/testdata/gen_known_grads.py); numpy " + np.__version__,
    "tanh_matmul": {"x": x.tolist(), "W": W.tolist(), "value": float((t**2).sum()), "dW": (x.T @ G).tolist(), "dx": (G @ W.T).tolist()},
    "logsumexp": {"x": v.tolist(), "value": float(v.max() + np.log(np.exp(v - v.max()).sum())), "dx": s.tolist()},
    "softmax_dot": {"x": v.tolist(), "c": c.tolist(), "value": float(s @ c), "dx": (s * (c - s @ c)).tolist()},
    "abs2_complex": {"re": z.real.tolist(), "im": z.imag.tolist(), "grad_re": (2 * z.conj()).real.tolist(), "grad_im": (2 * z.conj()).imag.tolist()},
    "square_holomorphic": {"re": z.real.tolist(), "im": z.imag.tolist(), "grad_re": (2 * z).real.tolist(), "grad_im": (2 * z).imag.tolist()},
}
with open("testdata/transforms/known-grads.json", "w") as f:
    json.dump(out, f, indent=1)
