"""Known answers for the ssm model system: linax's SSM (layout C) with real Equinox layers.

linax itself is not installed where this runs, so the model is transcribed from
`src/linax/models/ssm.py`, `src/linax/blocks/standard.py` (cab7b064), `channel_mixers/glu.py` and
`heads/classification.py` (packages/ssm/SPEC-linax.md §3, §5-§7, §9, §10), using Equinox's own
`Linear`, `BatchNorm(axis_name="batch", channelwise_affine=False, mode="ema")`, `Dropout` and
`State`, and the mixer transcriptions of gen_ssm_mixers.py. Run from the repository root:

    JAX_PLATFORMS=cpu python3 scripts/testdata/gen_ssm_models.py testdata/ssm/model-known-answers.json

Per case (mixer, drop rate, prenorm) it records three batched calls, vmapped as linax's notebook
(`axis_name="batch", in_axes=(0, None, 0), out_axes=(0, None)`, keys `split(key, B)`):
1. training, first BatchNorm call: x1, State(model), key PRNGKey(1) -> y1, running stats
2. training, EMA blending: x2, the state from 1, key PRNGKey(2) -> y2, running stats
3. inference mode (`eqx.nn.inference_mode`) on x1 with the state from 2 -> y3
"""

import json
import os
import sys

import equinox as eqx
import jax
import jax.numpy as jnp
import jax.random as jr
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_ssm_mixers import MIXERS, enc  # noqa: E402


class Block(eqx.Module):
    norm: eqx.nn.BatchNorm
    mixer: dict
    w1: eqx.nn.Linear
    w2: eqx.nn.Linear
    drop: eqx.nn.Dropout
    prenorm: bool = eqx.field(static=True)
    kind: str = eqx.field(static=True)
    cfg: tuple = eqx.field(static=True)

    def __call__(self, x, state, key):
        _, k1, k2 = jr.split(key, 3)
        skip = x
        if self.prenorm:
            x, state = self.norm(x.T, state)
            x = x.T
        x = MIXERS[self.kind][1](self.mixer, x, **dict(self.cfg))
        x = self.drop(jax.nn.gelu(x), key=k1)
        x = jax.vmap(lambda v: self.w1(v) * jax.nn.sigmoid(self.w2(v)))(x)
        x = self.drop(x, key=k2)
        x = skip + x
        if not self.prenorm:
            x, state = self.norm(x.T, state)
            x = x.T
        return x, state


class Model(eqx.Module):
    encoder: eqx.nn.Linear
    blocks: list
    head: eqx.nn.Linear

    def __init__(self, kind, cfg, n, F, H, K, drop_rate, prenorm, key):
        keys = jr.split(key, 3 * n + 2)
        self.encoder = eqx.nn.Linear(F, H, use_bias=False, key=keys[0])
        blocks = []
        for i in range(n):
            mixer = MIXERS[kind][0](H, keys[1 + i], **cfg)
            g1, g2 = jr.split(keys[1 + n + i], 2)
            blocks.append(
                Block(
                    norm=eqx.nn.BatchNorm(input_size=H, axis_name="batch", channelwise_affine=False, mode="ema"),
                    mixer=mixer,
                    w1=eqx.nn.Linear(H, H, key=g1),
                    w2=eqx.nn.Linear(H, H, key=g2),
                    drop=eqx.nn.Dropout(p=drop_rate),
                    prenorm=prenorm,
                    kind=kind,
                    cfg=tuple(sorted(cfg.items())),
                )
            )
        self.blocks = blocks
        self.head = eqx.nn.Linear(H, K, key=keys[3 * n + 1])

    def __call__(self, x, state, key):
        block_keys = jr.split(key, len(self.blocks))
        x = jax.vmap(self.encoder)(x)
        for i, b in enumerate(self.blocks):
            x, state = b(x, state, block_keys[i])
        return jax.nn.log_softmax(self.head(jnp.mean(x, axis=0)), axis=-1), state


def batched(model, x, state, key):
    return jax.vmap(model, axis_name="batch", in_axes=(0, None, 0), out_axes=(0, None))(x, state, jr.split(key, x.shape[0]))


CASES = [
    ("s5_drop0.1_prenorm", "s5", dict(state_dim=4), 0.1, True),
    ("linoss_drop0.1_prenorm", "linoss", dict(state_dim=4), 0.1, True),
    ("s5_drop0.5_postnorm", "s5", dict(state_dim=4), 0.5, False),
    ("linoss_drop0.5_postnorm", "linoss", dict(state_dim=4), 0.5, False),
]


def stats(model, state):
    return [[enc(v) for v in state.get(b.norm.ema_state_index)] for b in model.blocks]


def main(path):
    F, H, K, n = 3, 4, 2, 2
    x1 = jnp.arange(30, dtype=jnp.float32).reshape(2, 5, 3) / 10 - 1
    x2 = jnp.sin(jnp.arange(30, dtype=jnp.float32) * 0.37).reshape(2, 5, 3) * 2
    out = {"jax": jax.__version__, "equinox": eqx.__version__, "threefry_partitionable": bool(jax.config.jax_threefry_partitionable), "x1": enc(x1), "x2": enc(x2), "cases": {}}
    for name, kind, cfg, p, prenorm in CASES:
        model = Model(kind, cfg, n, F, H, K, p, prenorm, jr.PRNGKey(0))
        state0 = eqx.nn.State(model)
        y1, state1 = batched(model, x1, state0, jr.PRNGKey(1))
        y2, state2 = batched(model, x2, state1, jr.PRNGKey(2))
        s2 = stats(model, state2)
        y3, _ = batched(eqx.nn.inference_mode(model), x1, state2, jr.PRNGKey(3))
        out["cases"][name] = {"mixer": kind, "config": cfg, "drop_rate": p, "prenorm": prenorm, "y1": enc(y1), "stats1": stats(model, state1), "y2": enc(y2), "stats2": s2, "y3": enc(y3)}
    with open(path, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
