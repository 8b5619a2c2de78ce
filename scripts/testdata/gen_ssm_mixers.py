"""Known answers for the ssm mixers: a field-for-field JAX transcription of linax's sequence mixers.

linax itself is not installed where this runs, so this file transcribes its mixers
(`camail-official/discretax`, layout C: `src/linax/sequence_mixers/{s5,linoss,lru,s4d}.py`, commits
ad4cfaf1 / 74aa98ac; see packages/ssm/SPEC-linax.md §8) in plain JAX, same PRNG sub-key order, same
operations, float32, partitionable threefry (JAX's default). Run from the repository root:

    JAX_PLATFORMS=cpu python3 scripts/testdata/gen_ssm_mixers.py testdata/ssm/known-answers.json

Writes, per case: the config, the key, the input x (L, H), every parameter leaf (flat, row-major;
complex leaves interleaved re, im) and the mixer output y (L, H).
"""

import json
import math
import sys

import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np
from jax.nn.initializers import lecun_normal, normal
from jax.scipy.linalg import block_diag


def binop_diag(qi, qj):
    ai, bi = qi
    aj, bj = qj
    return aj * ai, aj * bi + bj


# ----------------------------------------------------------------------------------------- S5
def make_dplr_hippo(n):
    p = jnp.sqrt(1 + 2 * jnp.arange(n))
    a = p[:, None] * p[None, :]
    a = -(jnp.tril(a) - jnp.diag(jnp.arange(n)))
    pp = jnp.sqrt(jnp.arange(n) + 0.5)
    s = a + pp[:, None] * pp[None, :]
    lam_re = jnp.mean(jnp.diagonal(s)) * jnp.ones_like(jnp.diagonal(s))
    lam_im, v = jnp.linalg.eigh(s * -1j)
    return lam_re + 1j * lam_im, v


def trunc_standard_normal(key, shape):
    h, p, _ = shape
    cs = []
    for _ in range(h):
        key, skey = jr.split(key)
        cs.append(lecun_normal()(skey, shape=(1, p, 2)))
    return jnp.array(cs)[:, 0]


def s5_init(H, key, state_dim, ssm_blocks=1, C_init="lecun_normal", conj_sym=True, dt_min=0.001, dt_max=1.0, **_):
    B_key, C_key, D_key, step_key, key = jr.split(key, 5)
    block_size = int(state_dim / ssm_blocks)
    lam, V = make_dplr_hippo(block_size)
    if conj_sym:
        block_size = block_size // 2
        P = state_dim // 2
    else:
        P = state_dim
    lam = lam[:block_size]
    V = V[:, :block_size]
    Vc = V.conj().T
    lam = (lam * jnp.ones((ssm_blocks, block_size))).ravel()
    V = block_diag(*([V] * ssm_blocks))
    Vinv = block_diag(*([Vc] * ssm_blocks))
    local_P = 2 * P if conj_sym else P
    B0 = lecun_normal()(B_key, (local_P, H))
    VinvB = Vinv @ B0
    B = jnp.concatenate((VinvB.real[..., None], VinvB.imag[..., None]), axis=-1)
    init = trunc_standard_normal if C_init == "trunc_standard_normal" else lecun_normal()
    C_ = init(C_key, (H, local_P, 2))
    CV = (C_[..., 0] + 1j * C_[..., 1]) @ V
    C = jnp.concatenate((CV.real[..., None], CV.imag[..., None]), axis=-1)
    D = normal(stddev=1.0)(D_key, (H,))
    log_steps = []
    k = step_key
    for _ in range(P):
        k, sk = jr.split(k)
        log_steps.append(jr.uniform(sk, (1,)) * (jnp.log(dt_max) - jnp.log(dt_min)) + jnp.log(dt_min))
    log_step = jnp.array(log_steps)
    return dict(Lambda_re=lam.real, Lambda_im=lam.imag, B=B, C=C, D=D, log_step=log_step)


def s5_call(p, x, conj_sym=True, clip_eigs=True, discretization="zoh", step_rescale=1.0, **_):
    lam = (jnp.clip(p["Lambda_re"], None, -1e-4) if clip_eigs else p["Lambda_re"]) + 1j * p["Lambda_im"]
    Bt = p["B"][..., 0] + 1j * p["B"][..., 1]
    Ct = p["C"][..., 0] + 1j * p["C"][..., 1]
    step = step_rescale * jnp.exp(p["log_step"][:, 0])
    ident = jnp.ones(lam.shape[0])
    if discretization == "zoh":
        lb = jnp.exp(lam * step)
        bb = (1 / lam * (lb - ident))[..., None] * Bt
    else:
        bl = 1 / (ident - (step / 2.0) * lam)
        lb = bl * (ident + (step / 2.0) * lam)
        bb = (bl * step)[..., None] * Bt
    le = lb * jnp.ones((x.shape[0], lb.shape[0]))
    bu = jax.vmap(lambda u: bb @ u)(x)
    _, xs = jax.lax.associative_scan(jax.vmap(binop_diag), (le, bu))
    ys = jax.vmap(lambda s: (2 if conj_sym else 1) * (Ct @ s).real)(xs)
    return ys + jax.vmap(lambda u: p["D"] * u)(x)


# ------------------------------------------------------------------------------------- LinOSS
def map_theta_to_A(th, G, s):
    common = -(s**2) * (-4 - 2 * s * G - 4 * jnp.tan(th) ** 2 - 2 * s * G * jnp.tan(th) ** 2)
    root = jnp.sqrt(s**4 * jnp.cos(th) ** (-2) + s**5 * G * jnp.cos(th) ** (-2))
    den = 2 * s**4 * (1 + jnp.tan(th) ** 2)
    return jnp.where(th > jnp.pi / 2, (4 * root + common) / den, (-4 * root + common) / den)


def linoss_init(H, key, state_dim, discretization="IMEX", damping=True, r_min=0.9, theta_max=math.pi, **_):
    A_key, G_key, B_key, C_key, D_key, step_key, key = jr.split(key, 7)
    P = state_dim
    out = {}
    steps_raw = normal(stddev=0.5)(step_key, (P,))
    steps = jax.nn.sigmoid(steps_raw)
    if discretization == "IMEX" and damping:
        mags = jnp.sqrt(jr.uniform(G_key, shape=(P,)) * (1.0 - r_min**2) + r_min**2)
        G = (1 - mags**2) / (steps * mags**2)
        theta = jr.uniform(A_key, shape=(P,)) * theta_max
        out["A_diag"] = map_theta_to_A(theta, jax.nn.relu(G), steps)
        out["G_diag"] = G
    else:
        out["A_diag"] = jr.uniform(A_key, shape=(P,))
    out["B"] = jr.uniform(B_key, (P, H, 2)) * 2.0 * (1.0 / math.sqrt(H)) - 1.0 / math.sqrt(H)
    out["C"] = jr.uniform(C_key, (H, P, 2)) * 2.0 * (1.0 / math.sqrt(P)) - 1.0 / math.sqrt(P)
    out["D"] = normal(stddev=1.0)(D_key, (H,))
    out["steps"] = steps_raw
    return out


def binop_linoss(qi, qj):
    Ai, bi = qi
    Aj, bj = qj
    N = Ai.size // 4
    iA, iB, iC, iD = Ai[:N], Ai[N : 2 * N], Ai[2 * N : 3 * N], Ai[3 * N :]
    jA, jB, jC, jD = Aj[:N], Aj[N : 2 * N], Aj[2 * N : 3 * N], Aj[3 * N :]
    An = jnp.concatenate([jA * iA + jB * iC, jA * iB + jB * iD, jC * iA + jD * iC, jC * iB + jD * iD])
    bn = jnp.concatenate([jA * bi[:N] + jB * bi[N:], jC * bi[:N] + jD * bi[N:]])
    return An, bn + bj


def linoss_call(p, x, discretization="IMEX", damping=True, **_):
    step = jax.nn.sigmoid(p["steps"])
    Bc = p["B"][..., 0] + 1j * p["B"][..., 1]
    Cc = p["C"][..., 0] + 1j * p["C"][..., 1]
    bu = jax.vmap(lambda u: Bc @ u)(x)
    if discretization == "IM":
        A = jax.nn.relu(p["A_diag"])
        S = 1.0 / (1.0 + step**2.0 * A)
        M11, M12, M21, M22 = 1.0 - step**2.0 * A * S, -1.0 * step * A * S, step * S, S
        F1, F2 = M11 * bu * step, M21 * bu * step
    elif not damping:
        A = jax.nn.relu(p["A_diag"])
        M11, M12, M21, M22 = jnp.ones_like(A), -1.0 * step * A, step, 1.0 - (step**2.0) * A
        F1, F2 = bu * step, bu * (step**2.0)
    else:
        G = jax.nn.relu(p["G_diag"])
        lo = (2 + step * G - 2 * jnp.sqrt(1 + step * G)) / step**2
        hi = (2 + step * G + 2 * jnp.sqrt(1 + step * G)) / step**2
        A = lo + jax.nn.relu(p["A_diag"] - lo) - jax.nn.relu(p["A_diag"] - hi)
        I = jnp.ones_like(A)
        S = I + step * G
        M11, M12, M21, M22 = 1.0 / S, -step / S * A, step / S, I - step**2 / S * A
        F1, F2 = step * (1.0 / S) * bu, step**2 * (1.0 / S) * bu
    M = jnp.concatenate([M11, M12, M21, M22])
    Me = M * jnp.ones((x.shape[0], 4 * A.shape[0]))
    _, xs = jax.lax.associative_scan(jax.vmap(binop_linoss), (Me, jnp.hstack((F1, F2))))
    ys = xs[:, A.shape[0] :]
    return jax.vmap(lambda s: (Cc @ s).real)(ys) + jax.vmap(lambda u: p["D"] * u)(x)


# ---------------------------------------------------------------------------------------- LRU
def lru_init(H, key, state_dim, r_min=0.0, r_max=1.0, max_phase=6.28, **_):
    u1k, u2k, brk, bik, crk, cik, dk = jr.split(key, 7)
    N = state_dim
    u1 = jr.uniform(u1k, shape=(N,))
    u2 = jr.uniform(u2k, shape=(N,))
    nu_log = jnp.log(-0.5 * jnp.log(u1 * (r_max**2 - r_min**2) + r_min**2))
    theta_log = jnp.log(max_phase * u2)
    lam = jnp.exp(-jnp.exp(nu_log) + 1j * jnp.exp(theta_log))
    return dict(
        nu_log=nu_log,
        theta_log=theta_log,
        B_re=jr.normal(brk, shape=(N, H)) / jnp.sqrt(2 * H),
        B_im=jr.normal(bik, shape=(N, H)) / jnp.sqrt(2 * H),
        C_re=jr.normal(crk, shape=(H, N)) / jnp.sqrt(N),
        C_im=jr.normal(cik, shape=(H, N)) / jnp.sqrt(N),
        D=jr.normal(dk, shape=(H,)),
        gamma_log=jnp.log(jnp.sqrt(1 - jnp.abs(lam) ** 2)),
    )


def lru_call(p, x, **_):
    lam = jnp.exp(-jnp.exp(p["nu_log"]) + 1j * jnp.exp(p["theta_log"]))
    Bn = (p["B_re"] + 1j * p["B_im"]) * jnp.expand_dims(jnp.exp(p["gamma_log"]), axis=-1)
    C = p["C_re"] + 1j * p["C_im"]
    le = jnp.repeat(lam[None, ...], x.shape[0], axis=0)
    bu = jax.vmap(lambda u: Bn @ u)(x)
    _, hs = jax.lax.associative_scan(binop_diag, (le, bu))
    return jax.vmap(lambda z, u: (C @ z).real + p["D"] * u)(hs, x)


# ---------------------------------------------------------------------------------------- S4D
def s4d_init(H, key, state_dim, dt_min=0.001, dt_max=0.1, **_):
    (kk,) = jr.split(key, 1)
    k1, k2, k3 = jr.split(kk, 3)
    N = state_dim
    return {
        "kernel.C": jr.normal(k2, (H, N // 2)) + 1j * jr.normal(k3, (H, N // 2)),
        "kernel.log_dt": jr.uniform(k1, shape=(H,), minval=math.log(dt_min), maxval=math.log(dt_max)),
        "kernel.log_a_real": jnp.log(0.5 * jnp.ones((H, N // 2))),
        "kernel.A_imag": math.pi * jnp.tile(jnp.arange(N // 2)[None, :], (H, 1)),
    }


def s4d_call(p, x, **_):
    u = x.T
    L = u.shape[1]
    dt = jnp.exp(p["kernel.log_dt"])
    A = -jnp.exp(p["kernel.log_a_real"]) + 1j * p["kernel.A_imag"]
    dtA = A * dt[:, None]
    K = dtA[:, :, None] * jnp.arange(L)[None, None, :]
    C = p["kernel.C"] * (jnp.exp(dtA) - 1.0) / A
    k = 2 * jnp.einsum("hn,hnl->hl", C, jnp.exp(K)).real
    n = 2 * L
    y = jnp.fft.irfft(jnp.fft.rfft(u, n=n, axis=-1) * jnp.fft.rfft(k, n=n, axis=-1), n=n, axis=-1)[..., :L]
    return y.T


MIXERS = {"s5": (s5_init, s5_call), "linoss": (linoss_init, linoss_call), "lru": (lru_init, lru_call), "s4d": (s4d_init, s4d_call)}

CASES = [
    ("s5_default", "s5", dict(state_dim=8)),
    ("s5_bilinear_blocks_trunc", "s5", dict(state_dim=8, ssm_blocks=2, conj_sym=False, C_init="trunc_standard_normal", discretization="bilinear", clip_eigs=False, step_rescale=0.5, dt_min=0.01, dt_max=0.5)),
    ("linoss_damped_imex", "linoss", dict(state_dim=5)),
    ("linoss_im", "linoss", dict(state_dim=5, discretization="IM", damping=False)),
    ("linoss_imex", "linoss", dict(state_dim=5, discretization="IMEX", damping=False)),
    ("lru_ring", "lru", dict(state_dim=6, r_min=0.4, r_max=0.95, max_phase=3.0)),
    ("s4d_lin", "s4d", dict(state_dim=6, dt_min=0.01, dt_max=0.5)),
]


def enc(a):
    a = np.asarray(a)
    if np.iscomplexobj(a):
        flat = np.stack([a.real, a.imag], -1).astype(np.float64).ravel()
        return {"shape": list(a.shape), "dtype": "complex64", "data": [float(v) for v in flat]}
    return {"shape": list(a.shape), "dtype": str(a.dtype), "data": [float(v) for v in a.astype(np.float64).ravel()]}


def main(path):
    H, L, seed = 3, 12, 7
    t = np.arange(L)[:, None]
    h = np.arange(H)[None, :]
    x = jnp.asarray((np.sin(0.7 * t + 1.3 * h) + 0.1 * h).astype(np.float32))
    out = {
        "jax": jax.__version__,
        "threefry_partitionable": bool(jax.config.jax_threefry_partitionable),
        "H": H,
        "L": L,
        "seed": seed,
        "x": enc(x),
        "cases": {},
    }
    for name, mixer, cfg in CASES:
        init, call = MIXERS[mixer]
        params = init(H, jr.PRNGKey(seed), **cfg)
        y = call(params, x, **cfg)
        out["cases"][name] = {"mixer": mixer, "config": cfg, "params": {k: enc(v) for k, v in params.items()}, "y": enc(y)}
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
