"""numpy reference values for the JAX options of np.interp, np.convolve/correlate and np.pad.

python3 testdata/numpy/jax-options/generate.py   (writes jax-options.json next to it; numpy 2.4)

Every value is numpy's own result (float64, stored as JSON numbers; the tests compare float32
results with a tolerance), except where JAX defines what numpy lacks — those are derived by hand
in the tests (interp's left/right="extrapolate", pad's "empty" = zeros in JAX).
"""
import json
from pathlib import Path

import numpy as np

out = {}

# ---- interp
x = np.array([-190.0, -45.0, 0.0, 10.0, 179.0, 200.0, 365.0, 725.0])
xp = np.array([350.0, 10.0, 180.0, 90.0, 270.0])
fp = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
out["interp_period"] = dict(x=x.tolist(), xp=xp.tolist(), fp=fp.tolist(), period=360.0,
                            want=np.interp(x, xp, fp, period=360).tolist(),
                            want_neg_period=np.interp(x, xp, fp, period=-360).tolist())
out["interp_one_point"] = dict(x=[0.0, 1.0, 2.0], xp=[1.0], fp=[5.0], left=0.0, right=10.0,
                               want=np.interp([0.0, 1.0, 2.0], [1.0], [5.0], left=0.0, right=10.0).tolist())
x2 = np.array([-1.0, 0.5, 1.5, 2.5, 4.0, 5.5])
xp2 = np.array([0.0, 1.0, 2.0, 4.0])
fp2 = np.array([1.0, 3.0, 2.0, 6.0])
out["interp_left_right"] = dict(x=x2.tolist(), xp=xp2.tolist(), fp=fp2.tolist(), left=-7.0, right=9.5,
                                want=np.interp(x2, xp2, fp2, left=-7.0, right=9.5).tolist())

# ---- convolve / correlate
a = np.array([1, 2, 3, -1, 4])
v = np.array([0, 1, 5])
out["convolve_int"] = {m: np.convolve(a, v, mode=m).tolist() for m in ["full", "same", "valid"]}
out["correlate_int"] = {m: np.correlate(a, v, mode=m).tolist() for m in ["full", "same", "valid"]}
af = np.array([0.5, -1.25, 2.0, 3.5])
vf = np.array([1.5, 0.25, -2.0])
out["convolve_float"] = dict(a=af.tolist(), v=vf.tolist(),
                             convolve={m: np.convolve(af, vf, mode=m).tolist() for m in ["full", "same", "valid"]},
                             correlate={m: np.correlate(af, vf, mode=m).tolist() for m in ["full", "same", "valid"]})

# ---- pad
base = np.array([[1.0, 2.0, 3.0, 7.0], [4.0, 5.0, 9.0, 6.0], [0.5, -2.0, 8.0, 1.0]])
ibase = np.array([[1, 2, 3, 7], [4, 5, 9, 6], [0, -2, 8, 1]])
cases = []
def case(name, arr, width, mode, **kw):
    r = np.pad(arr, width, mode=mode, **kw)
    cases.append(dict(name=name, x=arr.tolist(), dtype="int32" if arr.dtype.kind == "i" else "float32",
                      width=width, mode=mode, kw={k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in kw.items()},
                      shape=list(r.shape), want=r.ravel().tolist()))
for arr in [base, ibase]:
    t = "i" if arr.dtype.kind == "i" else "f"
    case(f"linear_ramp default {t}", arr, [[2, 1], [1, 3]], "linear_ramp")
    case(f"linear_ramp end_values {t}", arr, [[2, 1], [1, 3]], "linear_ramp", end_values=[[10, -4], [3, 0]])
    case(f"linear_ramp scalar end {t}", arr, 2, "linear_ramp", end_values=5)
    for m in ["maximum", "minimum", "mean", "median"]:
        case(f"{m} all {t}", arr, [[1, 2], [2, 1]], m)
        case(f"{m} stat_length 2 {t}", arr, [[1, 2], [2, 1]], m, stat_length=2)
        case(f"{m} stat_length per axis {t}", arr, [[1, 2], [2, 1]], m, stat_length=[[1, 3], [2, 1]])
    for m in ["reflect", "symmetric"]:
        case(f"{m} odd {t}", arr, [[2, 1], [1, 3]], m, reflect_type="odd")
        case(f"{m} odd long {t}", arr, [[5, 7], [9, 6]], m, reflect_type="odd")
        case(f"{m} even explicit {t}", arr, [[2, 1], [1, 3]], m, reflect_type="even")
case("mean ties round half to even i", np.array([2, 3, 5, 6]), [[3, 2]], "mean", stat_length=[[2, 2]])
case("reflect odd size 1", np.array([[3.0]]), [[2, 2], [1, 0]], "reflect", reflect_type="odd")
out["pad"] = cases

# ---- complex order (searchsorted, intersect1d, setdiff1d); complex values as [re, im].
# NaN-free: numpy puts every complex with a NaN part after all NaN-free values (R+nanj after 2+0j),
# while JAX (and lax.sort here) orders (real, imag) lexicographically with NaN last in each part;
# the two agree without NaNs. The NaN order is derived by hand in the test.
def cenc(z):
    return [[float(c.real), float(c.imag)] for c in np.asarray(z, np.complex128).ravel()]
a = np.sort(np.array([1 + 2j, 1 - 3j, -1j, 5j, 1 + 1j, 2 + 0j, 2 + 0j, -4 + 9j]))
v = np.array([0j, 1 + 1.5j, 1 + 2j, 2 + 0j, 3 + 0j, 1 - 3j, -1 - 1j, -4 + 10j, 6j])
out["complex_searchsorted"] = dict(a=cenc(a), v=cenc(v), left=np.searchsorted(a, v, side="left").tolist(),
                                   right=np.searchsorted(a, v, side="right").tolist())
s1 = np.array([1 + 2j, 3 - 1j, 1 + 2j, -2 + 0j, 3 + 1j, 1 - 2j])
s2 = np.array([3 + 1j, 1 + 2j, 7j, 1 + 2j, -2 + 0.5j])
out["complex_sets"] = dict(ar1=cenc(s1), ar2=cenc(s2), intersect1d=cenc(np.intersect1d(s1, s2)),
                           setdiff1d=cenc(np.setdiff1d(s1, s2)))

# ---- 0-d boolean indices: items written as "T"/"F" (np.True_/np.False_), ":", "...", ints, lists
def item(t):
    return {"T": np.True_, "F": np.False_, ":": slice(None), "...": Ellipsis}.get(t, t) if isinstance(t, str) else t
xb = np.arange(24).reshape(2, 3, 4)
exprs = [["T"], ["F"], [":", "T"], ["...", "T"], [0, "T"], ["T", 0], ["T", ":", [0, 2]], [[1, 0], "T", 1], ["T", "T"], ["F", 1, ":"]]
bool_get = []
for e in exprs:
    r = xb[tuple(item(t) for t in e)]
    bool_get.append(dict(index=e, shape=list(r.shape), want=r.ravel().tolist()))
bool_set = []
for e, v in [(["T"], 5), (["F"], 5), ([":", "T", 1], 10), ([1, "T", [0, 2]], -1)]:
    y = xb.copy()
    y[tuple(item(t) for t in e)] = v
    bool_set.append(dict(index=e, value=v, want=y.ravel().tolist()))
out["scalar_bool_index"] = dict(shape=[2, 3, 4], get=bool_get, set=bool_set)

path = Path(__file__).with_name("jax-options.json")
path.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", path)
