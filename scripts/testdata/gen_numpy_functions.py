#!/usr/bin/env python3
"""Reference values for linax-ts's np statistics / nan-reduction / search / set / math / building
tests (numpy, float64 math).

Writes testdata/numpy/reference.json. Inputs are drawn with a fixed seed and rounded to float32
*before* the reference computation, so the tests feed exactly the same numbers to linax-ts. Each
case is {"in": {name: array}, "out": array | [arrays]}; every array is
{"shape", "dtype": "float32" | "int32" | "bool" | "complex64", "data": [flat row-major values,
complex interleaved re, im]}; NaN/inf are written as the strings "nan", "inf", "-inf".

Run from the repository root:  python3 scripts/testdata/gen_numpy_functions.py
The tests never call python; rerun this only to change the cases.
"""
import json
import math
import os

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rng = np.random.default_rng(20261207)


def num(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc(x):
    if isinstance(x, (tuple, list)):
        return [enc(v) for v in x]
    x = np.asarray(x)
    if np.iscomplexobj(x):
        flat = np.stack([x.real.ravel(), x.imag.ravel()], axis=-1).ravel()
        return {"shape": list(x.shape), "dtype": "complex64", "data": [num(v) for v in flat]}
    if x.dtype == np.bool_:
        return {"shape": list(x.shape), "dtype": "bool", "data": [int(v) for v in x.ravel()]}
    if x.dtype.kind in "iu":
        return {"shape": list(x.shape), "dtype": "int32", "data": [int(v) for v in x.ravel()]}
    return {"shape": list(x.shape), "dtype": "float32", "data": [num(v) for v in x.ravel()]}


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def real(*shape):
    return f32(rng.standard_normal(shape))


def ints(lo, hi, *shape):
    return rng.integers(lo, hi, shape).astype(np.int32)


cases = {}


def case(name, out, **inputs):
    assert name not in cases, name
    cases[name] = {"in": {k: enc(v) for k, v in inputs.items()}, "out": enc(out)}


# ------------------------------------------------------------------ statistics
X = real(4, 7)
Xe = real(3, 6)
q = f32([0.0, 0.13, 0.25, 0.5, 0.77, 1.0])
methods = ["linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf", "averaged_inverted_cdf",
           "closest_observation", "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased", "normal_unbiased"]
for m in methods:
    case(f"quantile_{m}_axis1", np.quantile(X, q, axis=1, method=m), x=X, q=q)
    case(f"quantile_{m}_even_axis1", np.quantile(Xe, q, axis=1, method=m), x=Xe, q=q)
case("quantile_all", np.quantile(X, 0.3), x=X)
case("quantile_axis0_keepdims", np.quantile(X, q, axis=0, keepdims=True), x=X, q=q)
x3 = real(2, 3, 4)
case("percentile_axes02", np.percentile(x3, [10.0, 90.0], axis=(0, 2)), x=x3)
Xn = X.copy()
Xn[1, 3] = np.nan
case("median_nan_axis1", np.median(Xn, axis=1), x=Xn)
case("median_axis0", np.median(X, axis=0), x=X)
w = f32(rng.uniform(0.1, 2.0, 7))
case("average_weights1d_axis1", np.average(X, axis=1, weights=w, returned=True), x=X, w=w)
W = f32(rng.uniform(0.1, 2.0, (4, 7)))
case("average_weights_full", np.average(X, weights=W), x=X, w=W)
case("cov", np.cov(X), x=X)
case("cov_rowvar_false_bias", np.cov(X, rowvar=False, bias=True), x=X)
fw = np.array([1, 2, 1, 3, 1, 1, 2], dtype=np.int32)
aw = f32(rng.uniform(0.5, 1.5, 7))
case("cov_weights", np.cov(X, fweights=fw, aweights=aw), x=X, fw=fw, aw=aw)
y = real(2, 7)
case("cov_y_ddof0", np.cov(X, y, ddof=0), x=X, y=y)
case("corrcoef", np.corrcoef(X), x=X)
case("ptp_axis0", np.ptp(X, axis=0), x=X)
h = real(50)
case("histogram_10", np.histogram(h), x=h)
case("histogram_range_density", np.histogram(h, bins=7, range=(-1.0, 1.5), density=True), x=h)
hw = f32(rng.uniform(0, 1, 50))
case("histogram_edges_weights", np.histogram(h, bins=f32([-2, -0.5, 0, 0.25, 2]), weights=hw), x=h, w=hw)
bc = ints(0, 9, 30)
case("bincount", np.bincount(bc), x=bc)
bw = f32(rng.uniform(0, 1, 30))
case("bincount_weights_minlength", np.bincount(bc, weights=bw, minlength=12), x=bc, w=bw)
dg = f32(rng.uniform(-1, 4, 20))
dg[:4] = [0, 1, 2.5, 3]
bins = f32([0, 1, 2.5, 3])
case("digitize", np.digitize(dg, bins), x=dg, bins=bins)
case("digitize_right", np.digitize(dg, bins, right=True), x=dg, bins=bins)
case("digitize_decreasing", np.digitize(dg, bins[::-1].copy()), x=dg, bins=bins[::-1].copy())
case("digitize_decreasing_right", np.digitize(dg, bins[::-1].copy(), right=True), x=dg, bins=bins[::-1].copy())

# ------------------------------------------------------------------ nan reductions
N = real(3, 5)
N[0, 1] = N[2, 2] = N[2, 4] = np.nan
N[1, :] = np.nan
for fn in ["nansum", "nanprod", "nanmean", "nanmax", "nanmin"]:
    f = getattr(np, fn)
    with np.errstate(all="ignore"):
        import warnings
        warnings.simplefilter("ignore")
        case(f"{fn}_axis1", f(N, axis=1), x=N)
        case(f"{fn}_axis0", f(N, axis=0), x=N)
        case(f"{fn}_all", f(N), x=N)
with np.errstate(all="ignore"):
    case("nanvar_axis1_ddof1", np.nanvar(N, axis=1, ddof=1), x=N)
    case("nanstd_axis0", np.nanstd(N, axis=0), x=N)
Nr = np.delete(N, 1, axis=0)
case("nanargmax_axis1", np.nanargmax(Nr, axis=1), x=Nr)
case("nanargmin_axis0", np.nanargmin(Nr, axis=0), x=Nr)
case("nancumsum_axis1", np.nancumsum(N, axis=1), x=N)
case("nancumprod", np.nancumprod(N), x=N)
T = f32([np.nan, np.inf, -np.inf, 1.5, -2.0])
case("nan_to_num", np.nan_to_num(T.astype(np.float32)).astype(np.float64), x=T)
case("nan_to_num_values", np.nan_to_num(T, nan=7.0, posinf=9.0, neginf=-9.0), x=T)

# ------------------------------------------------------------------ searching and sets
srt = np.sort(f32(rng.integers(0, 6, 12)))
vals = f32([-1, 0, 0.5, 2, 3, 5, 6, np.nan])
case("searchsorted_left", np.searchsorted(srt, vals), a=srt, v=vals)
case("searchsorted_right", np.searchsorted(srt, vals, side="right"), a=srt, v=vals)
uns = f32(rng.permutation(10))
sorter = np.argsort(uns).astype(np.int32)
case("searchsorted_sorter", np.searchsorted(uns, f32([-1, 2.5, 3, 11]), sorter=sorter), a=uns, v=f32([-1, 2.5, 3, 11]), sorter=sorter)
nz = ints(-1, 2, 3, 4) * (rng.uniform(size=(3, 4)) > 0.4)
nz = nz.astype(np.int32)
case("nonzero", np.nonzero(nz), x=nz)
case("argwhere", np.argwhere(nz), x=nz)
case("flatnonzero", np.flatnonzero(nz), x=nz)
u = f32(rng.integers(0, 7, 15))
u[3] = np.nan
u[9] = np.nan
case("unique_all", np.unique(u, return_index=True, return_inverse=True, return_counts=True), x=u)
U2 = f32(rng.integers(0, 2, (6, 3)))
case("unique_rows", np.unique(U2, axis=0, return_index=True, return_inverse=True, return_counts=True), x=U2)
case("unique_cols", np.unique(U2.T.copy(), axis=1), x=U2.T.copy())
e = f32(rng.integers(0, 10, (3, 4)))
t = f32([1, 3, 5, 7, 9, 3])
case("isin", np.isin(e, t), x=e, t=t)
case("isin_invert", np.isin(e, t, invert=True), x=e, t=t)
i1 = f32(rng.integers(0, 10, 12))
i2 = f32(rng.integers(0, 10, 9))
case("intersect1d", np.intersect1d(i1, i2, return_indices=True), a=i1, b=i2)
case("union1d", np.union1d(i1, i2), a=i1, b=i2)
case("setdiff1d", np.setdiff1d(i1, i2), a=i1, b=i2)

# ------------------------------------------------------------------ math
a1 = real(3, 4) * 3
a2 = real(3, 4) * 3
a2[0, 0] = a1[0, 0]
case("logaddexp", np.logaddexp(a1, a2), x=a1, y=a2)
case("logaddexp2", np.logaddexp2(a1, a2), x=a1, y=a2)
fm1 = f32([1, np.nan, 3, np.nan, -0.5, 2])
fm2 = f32([np.nan, 2, 1, np.nan, -0.25, 2])
case("fmax", np.fmax(fm1, fm2), x=fm1, y=fm2)
case("fmin", np.fmin(fm1, fm2), x=fm1, y=fm2)
pb = f32(rng.uniform(0.1, 3, 6))
pe = f32(rng.uniform(-2, 2, 6))
case("float_power", np.float_power(pb, pe), x=pb, y=pe)
lm = f32([0.75, -1.5, 1e-40, 3.0, 0.0, 1.0])
le = np.array([3, -2, 140, -150, 5, -149], dtype=np.int32)
case("ldexp", np.ldexp(lm.astype(np.float32), le).astype(np.float64), x=lm, e=le)
fx = f32([8.0, -0.3, 1e-40, 0.0, 1.0, -np.inf, np.nan, 3.4e38, 0.5])
m_, e_ = np.frexp(fx.astype(np.float32))
case("frexp", (m_.astype(np.float64), e_.astype(np.int32)), x=fx)
g1 = ints(-60, 60, 20)
g2 = ints(-60, 60, 20)
g1[0] = g2[0] = 0
g2[1] = 0
case("gcd", np.gcd(g1, g2), x=g1, y=g2)
case("lcm", np.lcm(g1, g2), x=g1, y=g2)
D = real(3, 6)
case("diff_axis1", np.diff(D), x=D)
case("diff_n2_axis0_prepend_append", np.diff(D, n=2, axis=0, prepend=f32(1.5), append=D[:1]), x=D, app=D[:1])
G = real(5, 6)
case("gradient_unit", np.gradient(G), x=G)
case("gradient_spacing_edge2", np.gradient(G, 0.5, 2.0, edge_order=2), x=G)
cx = f32(np.cumsum(rng.uniform(0.2, 1.5, 6)))
case("gradient_coords_axis1", np.gradient(G, cx, axis=1), x=G, c=cx)
case("gradient_coords_axis1_edge2", np.gradient(G, cx, axis=1, edge_order=2), x=G, c=cx)
case("trapezoid_dx", np.trapezoid(G, dx=0.3), x=G)
case("trapezoid_x_axis0", np.trapezoid(G, x=cx[:5], axis=0), x=G, c=cx[:5])
cv1 = real(7)
cv2 = real(3)
cv3 = real(4)
for mode in ["full", "same", "valid"]:
    case(f"convolve_{mode}", np.convolve(cv1, cv2, mode=mode), a=cv1, v=cv2)
    case(f"convolve_swapped_{mode}", np.convolve(cv2, cv1, mode=mode), a=cv2, v=cv1)
    case(f"convolve_even_{mode}", np.convolve(cv1, cv3, mode=mode), a=cv1, v=cv3)
    case(f"correlate_{mode}", np.correlate(cv1, cv3, mode=mode), a=cv1, v=cv3)
    case(f"correlate_swapped_{mode}", np.correlate(cv3, cv1, mode=mode), a=cv3, v=cv1)
ca = (real(5) + 1j * real(5)).astype(np.complex64).astype(np.complex128)
cb = (real(3) + 1j * real(3)).astype(np.complex64).astype(np.complex128)
case("correlate_complex_full", np.correlate(ca, cb, mode="full"), a=ca, v=cb)
xp = f32(np.sort(rng.uniform(-2, 2, 8)))
fp = real(8)
xi = f32(rng.uniform(-3, 3, 15))
case("interp", np.interp(xi, xp, fp), x=xi, xp=xp, fp=fp)
case("interp_left_right", np.interp(xi, xp, fp, left=-5.0, right=5.0), x=xi, xp=xp, fp=fp)
xpp = f32(rng.uniform(0, 360, 6))
fpp = real(6)
xq = f32(rng.uniform(-400, 400, 10))
case("interp_period", np.interp(xq, xpp, fpp, period=360), x=xq, xp=xpp, fp=fpp)
pc = real(4)
px = real(2, 3)
case("polyval", np.polyval(pc, px), p=pc, x=px)
vx = real(4)
case("vander", np.vander(vx), x=vx)
case("vander_N3_increasing", np.vander(vx, 3, increasing=True), x=vx)
c3a = real(4, 3)
c3b = real(3)
case("cross3", np.cross(c3a, c3b), a=c3a, b=c3b)
c2a = real(4, 2)
case("cross32", np.cross(c3a, c2a), a=c3a, b=c2a)
c2b = real(2)
with __import__("warnings").catch_warnings():
    __import__("warnings").simplefilter("ignore")
    case("cross22", np.cross(c2a, c2b), a=c2a, b=c2b)
cax = real(3, 2, 4)
cbx = real(3, 4)
case("cross_axes", np.cross(cax, cbx, axisa=0, axisb=0, axisc=1), a=cax, b=cbx)
ka = real(2, 3)
kb = real(3, 2)
case("kron", np.kron(ka, kb), a=ka, b=kb)
kc = real(2)
case("kron_ranks", np.kron(kc, ka), a=kc, b=ka)
case("logspace", np.logspace(-1, 2, 7), )
case("logspace_base2_noend", np.logspace(0, 3, 4, endpoint=False, base=2.0))
case("geomspace", np.geomspace(1, 1000, 4))
case("geomspace_negative", np.geomspace(-2, -64, 6))

with open(os.path.join(ROOT, "testdata", "numpy", "reference.json"), "w") as fh:
    json.dump({"numpy": np.__version__, "cases": cases}, fh)
print(f"{len(cases)} cases written with numpy {np.__version__}")
