#!/usr/bin/env python3
"""Reference values for linax-ts's SVD / eig tests (numpy, float64 math).

Writes testdata/linalg-svd-eig/reference.json: numpy.linalg.svd (singular values and the
gauge-invariant projector U·Uᴴ of the reduced factor), pinv, lstsq (solution, residuals, rank),
matrix_rank, cond (p = None, -2, 1, inf, "fro"), eigvals / eig (eigenvalues sorted by (re, im),
and |v| of each eigenvector, which is independent of its phase, for distinct eigenvalues),
multi_dot and tensorsolve. Inputs come from numpy.random.default_rng(20261207) and are rounded
to float32 / complex64 *before* the reference computation, which then runs in float64 /
complex128, so the tests feed linax-ts exactly these inputs.

Run from the repository root:  python3 scripts/testdata/gen_linalg_svd_eig.py
The tests never call python.
"""
import json
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = np.random.default_rng(20261207)


def enc(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        flat = np.stack([x.real.ravel(), x.imag.ravel()], axis=-1).ravel()
        return {"shape": list(x.shape), "dtype": "complex64", "data": [float(v) for v in flat]}
    if x.dtype.kind in "iub":
        return {"shape": list(x.shape), "dtype": "int32", "data": [int(v) for v in x.ravel()]}
    return {"shape": list(x.shape), "dtype": "float32", "data": [float(v) for v in x.ravel()]}


def f32(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return x.astype(np.complex64).astype(np.complex128)
    return x.astype(np.float32).astype(np.float64)


def real(*shape):
    return f32(rng.standard_normal(shape))


def cplx(*shape):
    return f32(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def sort_eig(w, v):
    order = np.lexsort((w.imag, w.real))
    return w[order], v[:, order]


cases = {}

for name, a in [("svd_real_5x3", real(5, 3)), ("svd_real_3x6", real(3, 6)), ("svd_cplx_4x4", cplx(4, 4)), ("svd_cplx_2x5", cplx(2, 5))]:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    cases[name] = {"a": enc(a), "s": enc(s), "uuh": enc(u @ u.conj().T), "vhv": enc(vh.conj().T @ vh), "pinv": enc(np.linalg.pinv(a))}

rank_def = f32(real(5, 2) @ real(2, 4))
# The float32 rounding leaves tiny (~1e-7 relative) singular values: rank and pseudo-inverse use
# jax.numpy's float32 tolerances (rtol = max(m, n)·eps32, pinv's 10·max(m, n)·eps32), as linax-ts.
eps32 = float(np.finfo(np.float32).eps)
cases["rank_deficient_5x4"] = {
    "a": enc(rank_def),
    "rank": enc(np.array(np.linalg.matrix_rank(rank_def, rtol=5 * eps32), dtype=np.int32)),
    "pinv": enc(np.linalg.pinv(rank_def, rtol=10 * 5 * eps32)),
    "s": enc(np.linalg.svd(rank_def, compute_uv=False)),
}

a = real(6, 3)
b = real(6, 2)
x, resid, rank, s = np.linalg.lstsq(a, b, rcond=None)
cases["lstsq_6x3"] = {"a": enc(a), "b": enc(b), "x": enc(x), "resid": enc(resid), "rank": enc(np.array(rank, dtype=np.int32)), "s": enc(s)}

c = real(4, 4)
cases["cond_4x4"] = {"a": enc(c), **{f"p_{k}": enc(np.array(np.linalg.cond(c, p))) for k, p in [("none", None), ("m2", -2), ("1", 1), ("inf", np.inf), ("fro", "fro")]}}

for name, m in [("eig_real_5", real(5, 5)), ("eig_cplx_4", cplx(4, 4)), ("eig_real_6", real(6, 6))]:
    w, v = np.linalg.eig(m)
    w, v = sort_eig(w, v)
    cases[name] = {"a": enc(m), "w": enc(w.astype(np.complex128)), "absv": enc(np.abs(v))}

ms = [real(3, 5), real(5, 2), real(2, 4), real(4)]
cases["multi_dot"] = {"a0": enc(ms[0]), "a1": enc(ms[1]), "a2": enc(ms[2]), "a3": enc(ms[3]), "out": enc(np.linalg.multi_dot(ms))}

ta = f32(real(2, 3, 6) + 3 * np.eye(6).reshape(2, 3, 6))
tb = real(2, 3)
cases["tensorsolve"] = {"a": enc(ta), "b": enc(tb), "x": enc(np.linalg.tensorsolve(ta, tb))}

out = {"generator": "scripts/testdata/gen_linalg_svd_eig.py", "numpy": np.__version__, "cases": cases}
path = os.path.join(ROOT, "testdata", "linalg-svd-eig", "reference.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=None, separators=(",", ":"))
    fh.write("\n")
print("wrote", path)
