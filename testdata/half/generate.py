"""Reference numbers for the float16/bfloat16 storage dtypes (packages/core/test/half-*.test.ts).

Run:  python3 testdata/half/generate.py   (numpy 2.4.6; writes testdata/half/reference.json)

float16 numbers are numpy's own conversions and arithmetic:
  - f32_to_f16:  np.float32 bit patterns -> .astype(np.float16) bit patterns (NaN payloads included)
  - f16_to_f32:  np.float16 bit patterns -> .astype(np.float32) bit patterns
  - f64_to_f16:  Python floats (float64) -> np.float16, one rounding (npy_double_to_half); inputs
                 picked next to float16 ties, where a detour through float32 would round twice
  - f16_arith:   numpy's float16 add/sub/mul/div/sqrt (numpy computes each in float32 and rounds
                 the result to float16 — the semantics linax-ts implements)
bfloat16 has no numpy dtype (ml_dtypes is not installed here), so f32_to_bf16 is derived
independently of linax-ts's add-and-shift formula: the two bfloat16 neighbours of each float32
value are formed by truncating/incrementing the bit pattern, the nearer one (exact float64
distances) wins, ties go to the even mantissa, overflow past the largest finite value goes to
inf when at or beyond its midpoint, and NaN becomes 0x7fc0 with the sign kept (ml_dtypes / Eigen).
"""
import json
import math
import os

import numpy as np

rng = np.random.default_rng(20261207)


def f32_from_bits(b):
    return np.array([b], dtype=np.uint32).view(np.float32)[0]


def f16_bits_of_f32_bits(bits):
    a = np.array(bits, dtype=np.uint32).view(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        return a.astype(np.float16).view(np.uint16).astype(int).tolist()


# ------------------------------------------------------------------ float32 inputs
inputs = set()
# Specials: zeros, infinities, NaNs with assorted payloads (quiet, signalling, payloads that
# vanish in the top 10 bits), the extremes of float32.
for b in [0, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000, 0x7F800001, 0xFF800001,
          0x7F802000, 0x7FBFFFFF, 0x7F801FFF, 0x7FC00123, 0x7F7FFFFF, 0xFF7FFFFF, 0x00000001, 0x807FFFFF, 0x00800000]:
    inputs.add(b)
# float16 boundaries: every exponent (subnormal range included) with several mantissas; the
# float16 value itself, the midpoint to its successor (a tie), and one float32 ulp either side.
for e16 in range(0, 31):
    for m in [0, 1, 2, 3, 0x1FF, 0x200, 0x201, 0x3FE, 0x3FF]:
        for sign in [0, 0x8000]:
            h = sign | (e16 << 10) | m
            lo = np.array([h], dtype=np.uint16).view(np.float16).astype(np.float64)[0]
            hi = np.array([h + 1 if (h & 0x7FFF) < 0x7C00 else h], dtype=np.uint16).view(np.float16).astype(np.float64)[0]
            mid = (lo + hi) / 2
            for v in [lo, mid]:
                b = int(np.array([v], dtype=np.float32).view(np.uint32)[0])
                inputs.update([b, b - 1, b + 1])
# Around the overflow threshold 65520 = 65504 + half an ulp, and below the smallest subnormal.
for v in [65504.0, 65519.0, 65520.0, 65536.0, 2.0**-24, 2.0**-25, 2.0**-26, 1.5 * 2.0**-25]:
    b = int(np.array([v], dtype=np.float32).view(np.uint32)[0])
    inputs.update([b - 1, b, b + 1, b | 0x80000000])
# bfloat16 ties: for assorted exponents, mantissas with the low 16 bits exactly 0x8000 (a tie),
# 0x7fff and 0x8001, at odd and even bfloat16 mantissas; the largest finite value's midpoint.
for e in [0, 1, 2, 100, 126, 127, 128, 200, 253, 254]:
    for m7 in [0, 1, 0x3F, 0x40, 0x7E, 0x7F]:
        for low in [0x0000, 0x7FFF, 0x8000, 0x8001, 0xFFFF]:
            b = (e << 23) | (m7 << 16) | low
            inputs.update([b, b | 0x80000000])
# Random bit patterns: uniform over all patterns, and concentrated on float16's range.
inputs.update(int(x) for x in rng.integers(0, 2**32, 600, dtype=np.uint64))
inputs.update(int(x) for x in rng.integers(0x33000000, 0x47800000, 1500, dtype=np.uint64))
inputs = sorted(b & 0xFFFFFFFF for b in inputs)

f32_to_f16 = [[b, h] for b, h in zip(inputs, f16_bits_of_f32_bits(inputs))]


def bf16_independent(bits):
    """bfloat16 bits of a float32 bit pattern, by comparing the two neighbours (see module doc)."""
    sign = bits & 0x80000000
    a = bits & 0x7FFFFFFF
    if a > 0x7F800000:
        return (sign >> 16) | 0x7FC0
    x = float(abs(f32_from_bits(a)))
    down = a >> 16  # truncation: the neighbour toward zero
    up = down + 1
    vd = float(f32_from_bits(down << 16))
    if (a & 0xFFFF) == 0:
        return (sign >> 16) | down
    if up == 0x7F80:  # above the largest finite bfloat16: its successor is inf
        vu = 2.0**128  # where the next finite value would be (the midpoint rule overflows to inf)
    else:
        vu = float(f32_from_bits(up << 16))
    du, dd = vu - x, x - vd
    pick = up if du < dd else down if dd < du else (down if down % 2 == 0 else up)
    return (sign >> 16) | pick


f32_to_bf16 = [[b, bf16_independent(b)] for b in inputs]

# ------------------------------------------------------------------ float16 decoding
hs = sorted(set(list(range(0, 65536, 7)) + [0x0000, 0x0001, 0x03FF, 0x0400, 0x3C00, 0x7BFF, 0x7C00, 0x7C01, 0x7E00, 0x7FFF,
                                            0x8000, 0x8001, 0x83FF, 0xFBFF, 0xFC00, 0xFC01, 0xFE00, 0xFFFF]))
f16_to_f32 = [[h, int(b)] for h, b in zip(hs, np.array(hs, dtype=np.uint16).view(np.float16).astype(np.float32).view(np.uint32).tolist())]

# ------------------------------------------------------------------ float64 -> float16
f64s = []
for e16 in range(0, 31):
    for m in [0, 2, 0x100, 0x3FC]:
        h = (e16 << 10) | m  # even mantissa: a tie rounds down to it
        lo = float(np.array([h], dtype=np.uint16).view(np.float16).astype(np.float64)[0])
        hi = float(np.array([h + 1], dtype=np.uint16).view(np.float16).astype(np.float64)[0])
        mid = (lo + hi) / 2
        # Just above the tie by less than a float32 ulp: float64 -> float16 rounds up, float64 ->
        # float32 -> float16 would land on the tie and round down to the even value.
        for v in [mid, math.nextafter(mid, math.inf), mid + mid * 2.0**-30, mid - mid * 2.0**-30, -(mid + mid * 2.0**-30)]:
            f64s.append(v)
f64s += [0.1, 1 / 3, 65519.99999999999, 65520.0, 2.0**-25, math.nextafter(2.0**-25, 1), 1e-30, -1e-30, 1e300, -0.0]
f64s += [float(x) for x in rng.standard_normal(300) * 10.0 ** rng.integers(-8, 5, 300)]
with np.errstate(over="ignore"):
    f64_to_f16 = [[repr(v), int(np.array([v], dtype=np.float64).astype(np.float16).view(np.uint16)[0])] for v in f64s]

# ------------------------------------------------------------------ float16 arithmetic
na = 400
a = rng.integers(0, 0x7C00, na).astype(np.uint16) | (rng.integers(0, 2, na).astype(np.uint16) << 15)
b = rng.integers(0, 0x7C00, na).astype(np.uint16) | (rng.integers(0, 2, na).astype(np.uint16) << 15)
# Values of similar magnitude too, where cancellation and ties happen.
a[:150] = rng.integers(0x3800, 0x4400, 150)
b[:150] = rng.integers(0x3800, 0x4400, 150) | (rng.integers(0, 2, 150).astype(np.uint16) << 15)
fa, fb = a.view(np.float16), b.view(np.float16)
with np.errstate(all="ignore"):
    ops = {
        "add": fa + fb,
        "sub": fa - fb,
        "mul": fa * fb,
        "div": fa / fb,
        "sqrt": np.sqrt(np.abs(fa)),
    }
f16_arith = {"a": a.astype(int).tolist(), "b": b.astype(int).tolist()}
for k, v in ops.items():
    f16_arith[k] = v.view(np.uint16).astype(int).tolist()

out = {
    "generator": "testdata/half/generate.py (numpy %s)" % np.__version__,
    "f32_to_f16": f32_to_f16,
    "f32_to_bf16": f32_to_bf16,
    "f16_to_f32": f16_to_f32,
    "f64_to_f16": f64_to_f16,
    "f16_arith": f16_arith,
    "finfo": {
        name: {k: float(getattr(np.finfo(dt), k)) for k in ["eps", "epsneg", "max", "min", "tiny", "smallest_subnormal", "resolution"]}
        | {k: int(getattr(np.finfo(dt), k)) for k in ["bits", "precision", "nmant", "nexp", "maxexp", "minexp", "machep", "negep"]}
        for name, dt in [("float16", np.float16), ("float32", np.float32)]
    },
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print("wrote", path, {k: len(v) for k, v in out.items() if isinstance(v, list)})
