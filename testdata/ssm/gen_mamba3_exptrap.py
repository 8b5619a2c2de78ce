"""Reference numbers for Mamba-3's exponential-trapezoidal rule and grouped B/C in
ssm.ops.selectiveScan (testdata/ssm/mamba3-exptrap.json). Run from the repository root:

    python3 testdata/ssm/gen_mamba3_exptrap.py

Independent derivation in float64 numpy, written here from the published algorithms:

* exptrap: the step-by-step reference recurrence of the official Mamba-3 code,
  `Mamba3Simple._recurrence` (state-spaces/mamba, mamba_ssm/modules/mamba3_simple.py), layout
  x [b, l, h, p], dt [b, l, h], A [h], B, C [b, l, h, n] (already expanded from groups to heads,
  `repeat(B, "b l g n -> b l (g h) n")`), lam [b, l, h]:
      alpha_t = exp(dt_t A);  gamma_t = lam_t dt_t;  beta_t = (1 - lam_t) dt_t exp(dt_t A)
      h_t = alpha_t h_{t-1} + gamma_t (x_t B_t^T) + beta_t (x_{t-1} B_{t-1}^T)   (no beta term at t = 0)
      y_t = h_t C_t;  then y += D x (applied outside the scan, as Mamba3Simple.forward)
  with dt = softplus(dt_raw + dt_bias) (F.softplus, threshold 20) and lam = sigmoid(lam_raw).
  The final h is stored too (the same loop's last state).
* zoh grouped: mamba_ssm's `selective_scan_ref` (mamba_ssm/ops/selective_scan_interface.py)
  branch for 4-D B, C: `B = repeat(B, "B G N L -> B (G H) N L")`, deltaB_u =
  einsum('bdl,bdnl,bdl->bdln'), y_i = einsum('bdn,bdn->bd', x, C[:, :, :, i]).

The mapping to selectiveScan's layout is stored with each case's inputs: channel d = h*P + p,
u[b, d, l] = x[b, l, h, p], delta = dt_raw (per head, repeated over p), deltaBias[d] = dt_bias[h],
A[d, n] = A[h] for every n, B, C as [b, G, N, L] (grouped; G = 1 also as [b, N, L]),
trapezoidLambda[b, d, l] = lam[b, l, h], D[d] = D[h], initialState[b, d, n] = h0[b, h, p, n].
Inputs are float32-rounded draws of numpy.random.default_rng(seed).
"""
import json
import numpy as np


def f32(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def enc(a):
    a = np.asarray(a, dtype=np.float64)
    return {"shape": list(a.shape), "data": a.ravel().tolist()}


def softplus(x):
    return np.where(x > 20, x, np.log1p(np.exp(np.minimum(x, 20))))


def mamba3_recurrence(x, dt, A, B, C, lam, h0):
    """Mamba3Simple._recurrence (non-MIMO, trapezoidal), float64: returns y [b, l, h, p], h [b, h, p, n]."""
    batch, L, H, P = x.shape
    alpha = np.exp(dt[..., None] * A[None, None, :, None])  # [b, l, h, 1]
    gamma = lam * dt
    beta = (1 - lam) * dt * np.exp(dt * A[None, None, :])
    h = h0.copy()
    prev_Bx = None
    ys = []
    for t in range(L):
        Bx_t = np.einsum("bhp,bhn->bhpn", x[:, t], B[:, t])
        h = alpha[:, t][..., None] * h + gamma[:, t][..., None, None] * Bx_t
        if prev_Bx is not None:
            h = h + beta[:, t][..., None, None] * prev_Bx
        prev_Bx = Bx_t
        ys.append(np.einsum("bhpn,bhn->bhp", h, C[:, t]))
    return np.stack(ys, axis=1), h


def exptrap_case(seed, batch, L, H, P, N, G, data_lambda=True, with_h0=True):
    r = np.random.default_rng(seed)
    x = f32(r.normal(size=(batch, L, H, P)))
    dt_raw = f32(r.normal(size=(batch, L, H)) * 0.7)
    dt_bias = f32(r.normal(size=(H,)) * 0.5 - 1.0)
    A = f32(-np.exp(r.normal(size=(H,)) * 0.5))
    Bg = f32(r.normal(size=(batch, L, G, N)))
    Cg = f32(r.normal(size=(batch, L, G, N)))
    lam_raw = f32(r.normal(size=(batch, L, H)) * 1.5)
    Dh = f32(r.normal(size=(H,)))
    h0 = f32(r.normal(size=(batch, H, P, N))) if with_h0 else np.zeros((batch, H, P, N))
    dt = softplus(dt_raw + dt_bias)
    # The lambda the scan sees: sigmoid(lam_raw), rounded to float32 as it is handed over; a
    # fixed-lambda case uses lam = 1/2 everywhere (the classical trapezoid).
    lam = f32(1 / (1 + np.exp(-lam_raw))) if data_lambda else np.full((batch, L, H), 0.5)
    rep = lambda m: np.repeat(m, H // G, axis=2)  # "b l g n -> b l (g h) n"
    y, hN = mamba3_recurrence(x, dt, A, rep(Bg), rep(Cg), lam, h0)
    y = y + x * Dh[None, None, :, None]
    Dch = H * P
    per_head = lambda a: np.repeat(np.moveaxis(a, 1, 2), P, axis=1)  # [b, l, h] -> [b, h*P, l]
    inputs = {
        "u": enc(np.moveaxis(x.reshape(batch, L, Dch), 1, 2)),
        "delta": enc(per_head(dt_raw)),
        "deltaBias": enc(np.repeat(dt_bias, P)),
        "A": enc(np.repeat(A[:, None], P, axis=0) * np.ones((1, N))),
        "B": enc(np.moveaxis(Bg, 1, 3)),  # [b, G, N, L]
        "C": enc(np.moveaxis(Cg, 1, 3)),
        "D": enc(np.repeat(Dh, P)),
    }
    if data_lambda:
        inputs["trapezoidLambda"] = enc(per_head(lam))
    if with_h0:
        inputs["initialState"] = enc(h0.reshape(batch, Dch, N))
    return {
        "discretization": "exptrap",
        "deltaSoftplus": True,
        "fixedLambda": None if data_lambda else 0.5,
        "inputs": inputs,
        "out": enc(np.moveaxis(y.reshape(batch, L, Dch), 1, 2)),
        "lastState": enc(hN.reshape(batch, Dch, N)),
    }


def selective_scan_ref_grouped(u, delta, A, B, C, D):
    """selective_scan_ref with 4-D (grouped) B, C, float64, no softplus/bias/z."""
    batch, dim, L = u.shape
    Bh = np.repeat(B, dim // B.shape[1], axis=1)  # "B G N L -> B (G H) N L"
    Ch = np.repeat(C, dim // C.shape[1], axis=1)
    deltaA = np.exp(np.einsum("bdl,dn->bdln", delta, A))
    deltaB_u = np.einsum("bdl,bdnl,bdl->bdln", delta, Bh, u)
    x = np.zeros((batch, dim, A.shape[1]))
    ys = []
    for i in range(L):
        x = deltaA[:, :, i] * x + deltaB_u[:, :, i]
        ys.append(np.einsum("bdn,bdn->bd", x, Ch[:, :, :, i]))
    y = np.stack(ys, axis=2)
    return y + u * D[:, None], x


def zoh_grouped_case(seed, batch, dim, L, N, G):
    r = np.random.default_rng(seed)
    u = f32(r.normal(size=(batch, dim, L)))
    delta = f32(np.exp(r.normal(size=(batch, dim, L)) * 0.5) * 0.3)
    A = f32(-np.exp(r.normal(size=(dim, N)) * 0.5))
    B = f32(r.normal(size=(batch, G, N, L)))
    C = f32(r.normal(size=(batch, G, N, L)))
    D = f32(r.normal(size=(dim,)))
    out, last = selective_scan_ref_grouped(u, delta, A, B, C, D)
    return {
        "discretization": "zoh",
        "deltaSoftplus": False,
        "fixedLambda": None,
        "inputs": {"u": enc(u), "delta": enc(delta), "A": enc(A), "B": enc(B), "C": enc(C), "D": enc(D)},
        "out": enc(out),
        "lastState": enc(last),
    }


cases = {
    # 3 heads of 2 channels, each head its own B, C (G = H), data-dependent lambda, initial state.
    "exptrap_heads": exptrap_case(10, 2, 9, 3, 2, 4, G=3),
    # 4 heads in 2 groups (heads 0, 1 share group 0's B, C), data-dependent lambda, zero initial state.
    "exptrap_groups2": exptrap_case(11, 1, 11, 4, 2, 3, G=2, with_h0=False),
    # One group shared by every head (also given as ungrouped [b, N, L]), fixed lambda 1/2.
    "exptrap_shared_fixed_lambda": exptrap_case(12, 2, 7, 2, 3, 3, G=1, data_lambda=False),
    # mamba_ssm's selective_scan_ref with grouped B, C (zoh): D = 6 channels in 3 groups.
    "zoh_grouped_ref": zoh_grouped_case(13, 2, 6, 8, 3, G=3),
}
with open("testdata/ssm/mamba3-exptrap.json", "w") as f:
    json.dump({"generator": "testdata/ssm/gen_mamba3_exptrap.py", "numpy": np.__version__, "cases": cases}, f)
