"""Reference float16 / bfloat16 samples of JAX's PRNG, re-implemented in numpy (JAX is not installed).

Writes half-samplers.json next to this file:  python3 testdata/random/half/generate.py
(`--check` compares with the file instead of writing it). See README.md here for the model.

Everything is computed from first principles in numpy uint32 / float32:
- threefry2x32 (Random123's 20 rounds, JAX's key schedule), PRNGKey(seed) = [0, seed];
- `_random_bits` in both streams: partitionable (counter (0, i) per flat index i, bits y0 ^ y1,
  8/16-bit values the low bits) and legacy (`threefry_2x32(key, iota(ceil(w*n/32)))` with the
  half-split counter layout, 8/16-bit values the little-endian pieces of the words);
- `_uniform`: rng_bits = 16 for float16, 8 for bfloat16 (nmant = 7 < 8), the top nmant bits as
  the mantissa of a number in [1, 2) in the dtype's own bit layout, minus 1; then
  max(lo, f*(hi - lo) + lo) with each op rounded to the dtype (no fused multiply-add);
- the samplers of jax/_src/random.py on top, each op in float32 rounded to the dtype, with XLA's
  float32 erf_inv / erf / log1p / log approximations (exact float32 FMAs via fractions).
"""
import json
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

U32 = np.uint32
ROT = [[13, 15, 26, 6], [17, 29, 16, 24]]


def rotl(x, r):
    return (x << U32(r)) | (x >> U32(32 - r))


def threefry2x32(k0, k1, x0, x1):
    with np.errstate(over="ignore"):
        ks = [U32(k0), U32(k1), U32(k0) ^ U32(k1) ^ U32(0x1BD11BDA)]
        x0 = x0.astype(U32) + ks[0]
        x1 = x1.astype(U32) + ks[1]
        for i in range(5):
            for r in ROT[i % 2]:
                x0 = x0 + x1
                x1 = rotl(x1, r)
                x1 = x1 ^ x0
            x0 = x0 + ks[(i + 1) % 3]
            x1 = x1 + ks[(i + 2) % 3] + U32(i + 1)
    return x0, x1


def flat_hash(key, count):
    """JAX's threefry_2x32(key, count): halves of the (0-padded) count hashed as the two words."""
    n = count.size
    c = np.concatenate([count, np.zeros(n % 2, U32)])
    h = c.size // 2
    y0, y1 = threefry2x32(key[0], key[1], c[:h], c[h:])
    return np.concatenate([y0, y1])[:n]


def random_bits(key, width, n, partitionable):
    if partitionable:
        y0, y1 = threefry2x32(key[0], key[1], np.zeros(n, U32), np.arange(n, dtype=U32))
        return (y0 ^ y1) & U32((1 << width) - 1) if width < 32 else y0 ^ y1
    count = -(-width * n // 32)
    words = flat_hash(key, np.arange(count, dtype=U32))
    if width == 32:
        return words
    per = 32 // width
    pieces = (words[:, None] >> (U32(width) * np.arange(per, dtype=U32))[None, :]) & U32((1 << width) - 1)
    return pieces.reshape(-1)[:n]


# ---------------------------------------------------------------- the dtypes, as float32 values

FMT = {"float16": dict(nmant=10, rng=16, one=0x3C00), "bfloat16": dict(nmant=7, rng=8, one=0x3F80)}


def bf16_round(x):
    """float32 -> nearest-even bfloat16, returned as float32 values (no NaNs occur here)."""
    b = np.asarray(x, np.float32).view(U32).astype(np.uint64)
    b = (b + 0x7FFF + ((b >> 16) & 1)) >> 16
    return (b.astype(U32) << U32(16)).view(np.float32)


def rnd(d, x):
    x = np.asarray(x, np.float32)
    return x.astype(np.float16).astype(np.float32) if d == "float16" else bf16_round(x)


def bits_of(d, x):
    x = np.asarray(x, np.float32)
    return x.astype(np.float16).view(np.uint16).astype(int) if d == "float16" else (x.view(U32) >> U32(16)).astype(int)


def from_bits(d, b):
    b = np.asarray(b)
    if d == "float16":
        return b.astype(np.uint16).view(np.float16).astype(np.float32)
    return (b.astype(U32) << U32(16)).view(np.float32)


def nextafter_h(d, x, toward):
    """nextafter in the half dtype, by stepping its bit pattern (x finite, not equal to toward)."""
    b = int(bits_of(d, np.float32(x)))
    sign = 0x8000
    mag = b & 0x7FFF
    up = toward > x
    if mag == 0:
        nb = 1 if up else sign | 1
    elif (b & sign == 0) == up:
        nb = b + 1
    else:
        nb = b - 1
    return np.float32(from_bits(d, nb))


# ---------------------------------------------------------------- XLA's float32 functions

def f32(v):
    return float(np.float32(v))


def round_frac_f32(q):
    """A Fraction rounded to the nearest float32 (ties to even)."""
    r = np.float32(float(q))
    cands = [r, np.nextafter(r, np.float32(np.inf)), np.nextafter(r, np.float32(-np.inf))]
    best = min(cands, key=lambda c: (abs(Fraction(float(c)) - q), int(np.float32(c).view(U32)) & 1))
    return float(best)


def fma(a, b, c):
    return round_frac_f32(Fraction(a) * Fraction(b) + Fraction(c))


LOG_P = [f32(v) for v in [7.0376836292e-2, -1.151461031e-1, 1.167699874e-1, -1.2420140846e-1, 1.4249322787e-1,
                          -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1]]


def log_f32(x):
    """XLA:CPU GenerateVF32Log (Cephes): exponent split, mantissa in [sqrt(1/2), sqrt(2)), polynomial."""
    x = f32(x)
    if x != x or x < 0:
        return float("nan")
    if x == 0:
        return float("-inf")
    if x == float("inf"):
        return x
    xb = int(np.float32(max(x, 2.0 ** -126)).view(U32))
    e = f32(1 + ((xb >> 23) - 0x7F))
    t = float(np.uint32((xb & 0x807FFFFF) | 0x3F000000).view(np.float32))
    small = t < f32(0.707106781186547524)
    t1 = t if small else 0.0
    t = f32(t - 1)
    if small:
        e = f32(e - 1)
    t = f32(t + t1)
    x2 = f32(t * t)
    x3 = f32(x2 * t)
    y = fma(t, LOG_P[0], LOG_P[1])
    y1 = fma(t, LOG_P[3], LOG_P[4])
    y2 = fma(t, LOG_P[6], LOG_P[7])
    y = fma(y, t, LOG_P[2])
    y1 = fma(y1, t, LOG_P[5])
    y2 = fma(y2, t, LOG_P[8])
    y = fma(y, x3, y1)
    y = fma(y, x3, y2)
    y = fma(y, x3, f32(f32(-2.1219444e-4) * e))
    t = fma(-0.5, x2, t)
    return fma(f32(0.693359375), e, f32(t + y))


L1P_DEN = [f32(v) for v in [1, 1.5062909083469192043167e1, 8.3047565967967209469434e1, 2.2176239823732856465394e2,
                            3.0909872225312059774938e2, 2.1642788614495947685003e2, 6.0118660497603843919306e1]]
L1P_NUM = [f32(v) for v in [4.5270000862445199635215e-5, 4.9854102823193375972212e-1, 6.5787325942061044846969,
                            2.9911919328553073277375e1, 6.0949667980987787057556e1, 5.7112963590585538103336e1,
                            2.0039553499201281259648e1]]


def log1p_f32(x):
    """XLA:CPU Log1p: Cephes rational approximation for |x| < sqrt(2) - 1, else log(1 + x)."""
    x = f32(x)
    if not abs(x) < 0.4142135623730950488:
        return log_f32(f32(x + 1))
    x2 = f32(x * x)
    den = L1P_DEN[0]
    for c in L1P_DEN[1:]:
        den = fma(den, x, c)
    num = L1P_NUM[0]
    for c in L1P_NUM[1:]:
        num = fma(num, x, c)
    r = f32(f32(x * x2) * f32(num / den))
    return f32(x + fma(-0.5, x2, r))


EI_LT5 = [f32(v) for v in [2.81022636e-8, 3.43273939e-7, -3.5233877e-6, -4.39150654e-6, 0.00021858087, -0.00125372503,
                           -0.00417768164, 0.246640727, 1.50140941]]
EI_GE5 = [f32(v) for v in [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                           -0.0076224613, 0.00943887047, 1.00167406, 2.83297682]]


def erfinv_f32(x):
    """XLA ErfInv32 (Giles): w = -log1p(-x^2), one of two polynomials, times x."""
    x = f32(x)
    if abs(x) == 1:
        return x * float("inf")
    w = -log1p_f32(-f32(x * x))
    lt = w < 5
    cs = EI_LT5 if lt else EI_GE5
    w = f32(w - 2.5) if lt else f32(f32(np.sqrt(np.float32(w))) - 3)
    p = cs[0]
    for c in cs[1:]:
        p = fma(p, w, c)
    return f32(p * x)


ERF_A = [f32(v) for v in [0.00022905065861350646, 0.0034082910107109506, 0.050955695062380861, 0.18520832239976145,
                          1.128379143519084]]
ERF_B = [f32(v) for v in [-1.1791602954361697e-7, 0.000023547966471313185, 0.0010179625278914885,
                          0.014070470171167667, 0.11098505178285362, 0.49746925110067538, 1]]


def erf_f32(x):
    """XLA:CPU EmitErfF32 (Eigen's rational approximation)."""
    x = f32(x)
    if abs(x) >= f32(3.832506856900711):
        return 1.0 if x > 0 else -1.0
    x2 = f32(x * x)
    p = fma(x2, ERF_A[0], ERF_A[1])
    for c in ERF_A[2:]:
        p = fma(x2, p, c)
    p = f32(x * p)
    q = fma(x2, ERF_B[0], ERF_B[1])
    for c in ERF_B[2:]:
        q = fma(x2, q, c)
    return f32(p / q)


def elementwise(fn, d, xs):
    """A float32 XLA function applied per element, the result rounded to the dtype (CHLO's upcast)."""
    return rnd(d, np.array([fn(float(v)) for v in xs], np.float32))


# ---------------------------------------------------------------- the samplers

def unit(d, key, n, part):
    f = FMT[d]
    bits = random_bits(key, f["rng"], n, part)
    hb = (bits >> U32(f["rng"] - f["nmant"])) | U32(f["one"])
    return rnd(d, from_bits(d, hb) - np.float32(1))


def uniform(d, key, n, part, lo=0.0, hi=1.0):
    fl = unit(d, key, n, part)
    lo = rnd(d, np.float32(lo))
    hi = rnd(d, np.float32(hi))
    span = rnd(d, hi - lo)
    return np.maximum(lo, rnd(d, rnd(d, fl * span) + lo))


def lowest_above_minus_one(d):
    return np.float32(-(1 - 2.0 ** -(FMT[d]["nmant"] + 1)))


def normal(d, key, n, part):
    u = uniform(d, key, n, part, lowest_above_minus_one(d), 1.0)
    return rnd(d, rnd(d, np.float32(np.sqrt(2))) * elementwise(erfinv_f32, d, u))


def truncated_normal(d, key, n, part, lower, upper):
    sqrt2 = rnd(d, np.float32(np.sqrt(2)))
    inv = rnd(d, np.float32(1) / sqrt2)
    lo, hi = rnd(d, np.float32(lower)), rnd(d, np.float32(upper))
    a = elementwise(erf_f32, d, [rnd(d, lo * inv)])[0]
    b = elementwise(erf_f32, d, [rnd(d, hi * inv)])[0]
    u = uniform(d, key, n, part, a, b)
    out = rnd(d, sqrt2 * elementwise(erfinv_f32, d, u))
    return np.minimum(nextafter_h(d, hi, -np.inf), np.maximum(nextafter_h(d, lo, np.inf), out))


def exponential(d, key, n, part):
    return -elementwise(log1p_f32, d, -unit(d, key, n, part))


def gumbel(d, key, n, part):
    u = uniform(d, key, n, part, 2.0 ** (-14 if d == "float16" else -126), 1.0)
    return -elementwise(log_f32, d, -elementwise(log_f32, d, u))


P_BERNOULLI = [0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95]


def bernoulli(d, key, n, part):
    p = rnd(d, np.array(P_BERNOULLI, np.float32))
    return (unit(d, key, n, part) < p).astype(int).tolist()


def build():
    n = 7
    out = {"about": "float16/bfloat16 samples of jax.random by testdata/random/half/generate.py (see README.md); "
                     "floats are bit patterns (uint16), bernoulli is 0/1",
           "n": n, "pBernoulli": P_BERNOULLI, "uniformRange": [-2.5, 3.25], "truncatedBounds": [-1.5, 2.0],
           "cases": {}}
    for seed in [0, 42]:
        key = (U32(0), U32(seed))
        for part in [True, False]:
            for d in ["float16", "bfloat16"]:
                name = f"{seed}/{'partitionable' if part else 'legacy'}/{d}"
                out["cases"][name] = {
                    "bits": random_bits(key, FMT[d]["rng"], n, part).astype(int).tolist(),
                    "uniform": bits_of(d, uniform(d, key, n, part)).tolist(),
                    "uniformRange": bits_of(d, uniform(d, key, n, part, -2.5, 3.25)).tolist(),
                    "normal": bits_of(d, normal(d, key, n, part)).tolist(),
                    "truncatedNormal": bits_of(d, truncated_normal(d, key, n, part, -1.5, 2.0)).tolist(),
                    "exponential": bits_of(d, exponential(d, key, n, part)).tolist(),
                    "gumbel": bits_of(d, gumbel(d, key, n, part)).tolist(),
                    "bernoulli": bernoulli(d, key, n, part),
                }
    return out


def self_checks():
    # Published JAX values (legacy stream, tests/random_test.py): random bits of PRNGKey(1701).
    key = (U32(0), U32(1701))
    assert random_bits(key, 8, 3, False).tolist() == [216, 115, 43]
    assert random_bits(key, 16, 3, False).tolist() == [41682, 1300, 55017]
    assert random_bits(key, 32, 3, False).tolist() == [56197195, 4200222568, 961309823]
    # Random123 known answer for threefry2x32.
    y = threefry2x32(0x13198A2E, 0x03707344, np.array([0x243F6A88], U32), np.array([0x85A308D3], U32))
    assert (int(y[0][0]), int(y[1][0])) == (0xC4923A9C, 0x483DF7A0)
    # float32 uniform(PRNGKey(seed)) of _RANDOM_VALUES_CASES (legacy; seed = adler32("uniformthreefry2x32")).
    import zlib
    k = (U32(0), U32(zlib.adler32(b"uniformthreefry2x32")))
    u32 = ((random_bits(k, 32, 5, False) >> U32(9)) | U32(0x3F800000)).view(np.float32) - np.float32(1)
    assert np.allclose(u32, [0.298671, 0.073213, 0.873356, 0.260549, 0.412797], atol=1e-6)


if __name__ == "__main__":
    self_checks()
    path = Path(__file__).with_name("half-samplers.json")
    text = json.dumps(build(), indent=1) + "\n"
    if "--check" in sys.argv:
        sys.exit(0 if path.read_text() == text else "half-samplers.json is out of date")
    path.write_text(text)
    print("wrote", path)
