"""Known answers for ssm.ops.selectiveScan (testdata/ssm/selective-scan.json).

A float64 numpy transcription of mamba_ssm's `selective_scan_ref`
(mamba_ssm/ops/selective_scan_interface.py), einsum for einsum:
    delta = softplus(delta + delta_bias[..., None])            (if delta_softplus; torch threshold 20)
    deltaA = exp(einsum('bdl,dn->bdln', delta, A))
    deltaB_u = einsum('bdl,bnl,bdl->bdln', delta, B, u)        (fixed B: 'bdl,dn,bdl->bdln')
    x = 0; for i: x = deltaA[:, :, i] * x + deltaB_u[:, :, i]
                  y_i = einsum('bdn,bn->bd', x, C[:, :, i])    (fixed C: 'bdn,dn->bd')
    y = stack(y_i, axis=2); (complex: y = 2 * y.real)
    out = y + u * D[:, None];  out = out * silu(z)
Inputs are float32-rounded draws of numpy's default_rng(seed); run: python3 scripts/testdata/gen_selective_scan.py
"""
import json
import numpy as np


def softplus(x):
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))


def selective_scan_ref(u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False):
    if delta_bias is not None:
        delta = delta + delta_bias[..., None]
    if delta_softplus:
        delta = softplus(delta)
    batch, dim, L = u.shape
    dstate = A.shape[1]
    is_variable_B = B.ndim >= 3
    is_variable_C = C.ndim >= 3
    x = np.zeros((batch, dim, dstate), dtype=A.dtype)
    deltaA = np.exp(np.einsum("bdl,dn->bdln", delta, A))
    if is_variable_B:
        deltaB_u = np.einsum("bdl,bnl,bdl->bdln", delta, B, u)
    else:
        deltaB_u = np.einsum("bdl,dn,bdl->bdln", delta, B, u)
    ys = []
    for i in range(L):
        x = deltaA[:, :, i] * x + deltaB_u[:, :, i]
        if is_variable_C:
            y = np.einsum("bdn,bn->bd", x, C[:, :, i])
        else:
            y = np.einsum("bdn,dn->bd", x, C)
        ys.append(y)
    y = np.stack(ys, axis=2)
    if np.iscomplexobj(y):
        y = y.real * 2
    out = y if D is None else y + u * D[:, None]
    if z is not None:
        out = out * (z / (1 + np.exp(-z)))
    return out, x


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def enc(a):
    a = np.asarray(a)
    if np.iscomplexobj(a):
        return {"shape": list(a.shape), "complex": True, "data": np.stack([a.real, a.imag], -1).ravel().tolist()}
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def case(seed, batch, dim, L, N, variable=True, cplx=False, extras=True):
    r = np.random.default_rng(seed)
    u = f32(r.normal(size=(batch, dim, L)))
    delta = f32(r.normal(size=(batch, dim, L)) * 0.5)
    if cplx:
        A = f32(-np.exp(r.normal(size=(dim, N)) * 0.5)) + 1j * f32(r.normal(size=(dim, N)))
        shp = (batch, N, L) if variable else (dim, N)
        B = f32(r.normal(size=shp)) + 1j * f32(r.normal(size=shp))
        C = f32(r.normal(size=shp)) + 1j * f32(r.normal(size=shp))
    else:
        A = f32(-np.exp(r.normal(size=(dim, N)) * 0.5))
        shp = (batch, N, L) if variable else (dim, N)
        B = f32(r.normal(size=shp))
        C = f32(r.normal(size=shp))
    D = f32(r.normal(size=(dim,))) if extras else None
    z = f32(r.normal(size=(batch, dim, L))) if extras else None
    bias = f32(r.normal(size=(dim,)) * 0.5) if extras else None
    out, last = selective_scan_ref(u, delta, A, B, C, D, z, bias, delta_softplus=extras)
    inp = {"u": enc(u), "delta": enc(delta), "A": enc(A), "B": enc(B), "C": enc(C)}
    if extras:
        inp.update({"D": enc(D), "z": enc(z), "deltaBias": enc(bias)})
    return {"inputs": inp, "deltaSoftplus": extras, "out": enc(out), "lastState": enc(last)}


cases = {
    "variable_full": case(0, 2, 3, 9, 4),
    "fixed_plain": case(1, 1, 4, 6, 3, variable=False, extras=False),
    "complex_variable": case(2, 2, 2, 7, 3, cplx=True),
    "complex_fixed": case(3, 1, 3, 5, 2, variable=False, cplx=True, extras=False),
}
with open("testdata/ssm/selective-scan.json", "w") as f:
    json.dump({"generator": "scripts/testdata/gen_selective_scan.py", "numpy": np.__version__, "cases": cases}, f)
