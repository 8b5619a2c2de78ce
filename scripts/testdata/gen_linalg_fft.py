#!/usr/bin/env python3
"""Reference values for linax-ts's linalg and fft tests (numpy / scipy, float64 math).

Writes testdata/linalg/reference.json and testdata/fft/reference.json. Inputs are drawn with a
fixed seed and rounded to float32 (complex64) *before* the reference computation, so the tests
feed exactly the same numbers to linax-ts. Every array is stored as
{"shape": [...], "dtype": "float32" | "complex64" | "int32", "data": [flat row-major values,
complex interleaved re, im]}.

Run from the repository root:  python3 scripts/testdata/gen_linalg_fft.py
The tests never call python; rerun this only to change the cases.
"""
import json
import os

import numpy as np
import scipy
import scipy.linalg as sla

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = np.random.default_rng(20240611)


def enc(x):
    x = np.asarray(x)
    if np.iscomplexobj(x):
        flat = np.stack([x.real.ravel(), x.imag.ravel()], axis=-1).ravel()
        return {"shape": list(x.shape), "dtype": "complex64", "data": [float(v) for v in flat]}
    if x.dtype.kind in "iub":
        return {"shape": list(x.shape), "dtype": "int32", "data": [int(v) for v in x.ravel()]}
    return {"shape": list(x.shape), "dtype": "float32", "data": [float(v) for v in x.ravel()]}


def f32(x):
    """Round to the dtype the test feeds in; return float64/complex128 for the math."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return x.astype(np.complex64).astype(np.complex128)
    return x.astype(np.float32).astype(np.float64)


def real(*shape):
    return f32(rng.standard_normal(shape))


def cplx(*shape):
    return f32(rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


def hermitian(n, complex_=False, batch=()):
    a = cplx(*batch, n, n) if complex_ else real(*batch, n, n)
    h = a + np.swapaxes(a, -1, -2).conj()
    return f32(h)


def spd(n, complex_=False):
    a = cplx(n, n) if complex_ else real(n, n)
    return f32(a @ a.conj().T + n * np.eye(n))


def well_conditioned(n, complex_=False, batch=()):
    a = cplx(*batch, n, n) if complex_ else real(*batch, n, n)
    return f32(a + 3 * np.eye(n))


def linalg_cases():
    cases = {}
    # eigh: distinct eigenvalues; v only up to a phase per column (tests align phases).
    for name, a in {
        "real4": hermitian(4),
        "complex3": hermitian(3, True),
        "batch2x3": hermitian(3, False, (2,)),
    }.items():
        w, v = np.linalg.eigh(a)
        cases[f"eigh_{name}"] = {"a": enc(a), "w": enc(w), "v": enc(v)}
    # qr: LAPACK signs, so q and r compare exactly (up to rounding).
    for name, a in {"real4x3": real(4, 3), "complex3x3": cplx(3, 3), "wide2x4": real(2, 4), "batch2x3x2": real(2, 3, 2)}.items():
        q, r = np.linalg.qr(a, mode="reduced")
        qc, rc = np.linalg.qr(a, mode="complete")
        cases[f"qr_{name}"] = {"a": enc(a), "q": enc(q), "r": enc(r), "qComplete": enc(qc), "rComplete": enc(rc)}
    for name, a in {"real4": spd(4), "complex3": spd(3, True)}.items():
        cases[f"cholesky_{name}"] = {"a": enc(a), "l": enc(np.linalg.cholesky(a))}
    # solve_triangular: every trans mode, both triangles, unit diagonal, complex, vector rhs.
    tri = {}
    a = f32(real(4, 4) + 4 * np.eye(4))
    b = real(4, 2)
    for lower in (True, False):
        for trans in (0, 1, 2):
            for unit in (False, True):
                x = sla.solve_triangular(a, b, lower=lower, trans=trans, unit_diagonal=unit)
                tri[f"real_l{int(lower)}_t{trans}_u{int(unit)}"] = enc(x)
    ac = f32(cplx(3, 3) + 4 * np.eye(3))
    bc = cplx(3, 2)
    for trans in (0, 1, 2):
        tri[f"complex_l1_t{trans}_u0"] = enc(sla.solve_triangular(ac, bc, lower=True, trans=trans))
    bv = real(4)
    tri["vector_l0_t0_u0"] = enc(sla.solve_triangular(a, bv, lower=False))
    cases["solve_triangular"] = {"a": enc(a), "b": enc(b), "ac": enc(ac), "bc": enc(bc), "bv": enc(bv), "x": tri}
    # LU (LAPACK getrf via scipy): packed factors and 0-based pivots.
    for name, a in {"real4": real(4, 4), "complex3": cplx(3, 3), "tall4x3": real(4, 3)}.items():
        lu, piv = sla.lu_factor(a) if a.shape[0] == a.shape[1] else (None, None)
        if lu is None:
            p, l, u = sla.lu(a)
            perm = np.argmax(p, axis=0)
            cases[f"lu_{name}"] = {"a": enc(a), "l": enc(l), "u": enc(u), "perm": enc(perm.astype(np.int32))}
        else:
            cases[f"lu_{name}"] = {"a": enc(a), "lu": enc(lu), "pivots": enc(piv.astype(np.int32))}
    # solve / inv / det / slogdet.
    for name, (a, b) in {
        "real4": (well_conditioned(4), real(4, 2)),
        "complex3": (well_conditioned(3, True), cplx(3, 1)),
        "batch2x3": (well_conditioned(3, False, (2,)), real(2, 3, 2)),
        "vector3": (well_conditioned(3), real(3)),
    }.items():
        sign, logdet = np.linalg.slogdet(a)
        cases[f"solve_{name}"] = {
            "a": enc(a), "b": enc(b), "x": enc(np.linalg.solve(a, b)), "inv": enc(np.linalg.inv(a)),
            "det": enc(np.linalg.det(a)), "sign": enc(sign), "logabsdet": enc(logdet),
        }
    neg = f32(np.array([[0.0, 2.0, 1.0], [1.0, 0.5, 0.0], [3.0, 1.0, 2.0]]))  # needs pivoting; det < 0
    s, l = np.linalg.slogdet(neg)
    cases["det_pivoted"] = {"a": enc(neg), "det": enc(np.linalg.det(neg)), "sign": enc(s), "logabsdet": enc(l)}
    # norm.
    v = real(5)
    m = real(3, 4)
    t = real(2, 3, 4)
    cases["norm"] = {
        "v": enc(v), "m": enc(m), "t": enc(t),
        "v_default": enc(np.linalg.norm(v)), "v_1": enc(np.linalg.norm(v, 1)), "v_inf": enc(np.linalg.norm(v, np.inf)),
        "v_ninf": enc(np.linalg.norm(v, -np.inf)), "v_0": enc(np.linalg.norm(v, 0)), "v_3": enc(np.linalg.norm(v, 3)),
        "m_fro": enc(np.linalg.norm(m)), "m_1": enc(np.linalg.norm(m, 1)), "m_inf": enc(np.linalg.norm(m, np.inf)),
        "m_n1": enc(np.linalg.norm(m, -1)), "m_2": enc(np.linalg.norm(m, 2)), "m_n2": enc(np.linalg.norm(m, -2)),
        "m_nuc": enc(np.linalg.norm(m, "nuc")),
        "t_axis1": enc(np.linalg.norm(t, axis=1)), "t_axes02_fro": enc(np.linalg.norm(t, axis=(0, 2))),
        "t_axes21_1": enc(np.linalg.norm(t, 1, axis=(2, 1))),
    }
    # S5's HiPPO-LegS initialization: eigh of -1j times the (skew-symmetric + ½I) normal part.
    n = 8
    q = np.sqrt(1 + 2 * np.arange(n))
    legs = -(np.tril(np.outer(q, q)) - np.diag(np.arange(n)))
    p_ = np.sqrt(np.arange(n) + 0.5)
    s_normal = f32(legs + np.outer(p_, p_))
    w, v = np.linalg.eigh(s_normal * -1j)
    cases["eigh_hippo8"] = {"s": enc(s_normal), "w": enc(w), "v": enc(v)}
    return cases


def fft_cases():
    cases = {}
    for n in (1, 5, 8, 12, 17):
        x = cplx(2, n)
        cases[f"fft_{n}"] = {"x": enc(x), "fft": enc(np.fft.fft(x)), "ifft": enc(np.fft.ifft(x))}
        r = real(2, n)
        cases[f"rfft_{n}"] = {"x": enc(r), "rfft": enc(np.fft.rfft(r)), "irfft_n": enc(np.fft.irfft(np.fft.rfft(r), n))}
    x = cplx(3, 6)
    cases["fft_options"] = {
        "x": enc(x),
        "n4": enc(np.fft.fft(x, n=4)),
        "n9": enc(np.fft.fft(x, n=9)),
        "axis0": enc(np.fft.fft(x, axis=0)),
        "ortho": enc(np.fft.fft(x, norm="ortho")),
        "forward": enc(np.fft.fft(x, norm="forward")),
        "ifft_ortho": enc(np.fft.ifft(x, norm="ortho")),
        "ifft_forward": enc(np.fft.ifft(x, norm="forward")),
    }
    r = real(4, 7)
    spec = np.fft.rfft(r)
    cases["rfft_options"] = {
        "x": enc(r),
        "n10": enc(np.fft.rfft(r, n=10)),
        "axis0": enc(np.fft.rfft(r, axis=0)),
        "ortho": enc(np.fft.rfft(r, norm="ortho")),
        "spec": enc(spec),
        "irfft_default": enc(np.fft.irfft(spec)),
        "irfft_n7": enc(np.fft.irfft(spec, n=7)),
        "irfft_n5": enc(np.fft.irfft(spec, n=5)),
        "irfft_n11_forward": enc(np.fft.irfft(spec, n=11, norm="forward")),
    }
    x3 = cplx(2, 3, 4)
    r3 = real(2, 3, 4)
    cases["nd"] = {
        "x": enc(x3), "r": enc(r3),
        "fft2": enc(np.fft.fft2(x3)),
        "ifft2": enc(np.fft.ifft2(x3)),
        "fftn": enc(np.fft.fftn(x3)),
        "fftn_axes20_s": enc(np.fft.fftn(x3, s=(5, 3), axes=(2, 0))),
        "ifftn": enc(np.fft.ifftn(x3, norm="ortho")),
        "rfftn": enc(np.fft.rfftn(r3)),
        "rfft2": enc(np.fft.rfft2(r3)),
        "rfftn_axes10": enc(np.fft.rfftn(r3, axes=(1, 0))),
        "irfftn": enc(np.fft.irfftn(np.fft.rfftn(r3), s=r3.shape, axes=(0, 1, 2))),
        "irfftn_default": enc(np.fft.irfftn(np.fft.rfftn(r3))),
        "irfft2": enc(np.fft.irfft2(np.fft.rfft2(r3))),
        "rfftn_spec": enc(np.fft.rfftn(r3)),
        "rfft2_spec": enc(np.fft.rfft2(r3)),
    }
    cases["freq"] = {
        "fftfreq_8": enc(np.fft.fftfreq(8)),
        "fftfreq_7_d0.5": enc(np.fft.fftfreq(7, 0.5)),
        "rfftfreq_8": enc(np.fft.rfftfreq(8)),
        "rfftfreq_9_d2": enc(np.fft.rfftfreq(9, 2.0)),
    }
    s = f32(np.arange(15.0).reshape(3, 5))
    cases["shift"] = {
        "x": enc(s),
        "fftshift": enc(np.fft.fftshift(s)),
        "ifftshift": enc(np.fft.ifftshift(s)),
        "fftshift_axis1": enc(np.fft.fftshift(s, axes=1)),
        "ifftshift_axis0": enc(np.fft.ifftshift(s, axes=0)),
    }
    return cases


def write(sub, cases):
    out = {
        "generator": "scripts/testdata/gen_linalg_fft.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": cases,
    }
    d = os.path.join(ROOT, "testdata", sub)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "reference.json"), "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    write("linalg", linalg_cases())
    write("fft", fft_cases())
