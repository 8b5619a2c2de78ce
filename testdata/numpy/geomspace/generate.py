"""numpy references for np.geomspace across signs and with complex endpoints.

python3 testdata/numpy/geomspace/generate.py   (writes geomspace.json next to it; numpy 2.4)

Each case is numpy's own result (float64 / complex128; the tests compare float32 / complex64 with a
tolerance). Complex endpoints are built with complex(re, im) — positive zero parts, as linax's
lax.complex(np.array(re), np.array(im)) makes them — because the sign of a zero part decides which
side of the branch cut numpy's spiral takes.
"""
import json
from pathlib import Path

import numpy as np


def enc(v):
    v = np.asarray(v)
    if np.iscomplexobj(v):
        return {"complex": True, "data": np.stack([v.real, v.imag], -1).ravel().tolist()}
    return {"complex": False, "data": v.tolist()}


cases = {
    "neg_1000_1": dict(start=-1000.0, stop=-1.0, num=4),
    "neg_2_64": dict(start=-2.0, stop=-64.0, num=6),
    "neg_noend": dict(start=-1.0, stop=-256.0, num=4, endpoint=False),
    "pos_small": dict(start=1e-3, stop=10.0, num=5),
    "pos_desc": dict(start=100.0, stop=0.5, num=7),
    "int_truncate": dict(start=1.0, stop=256.0, num=9, dtype="int32"),
    "circle": dict(start=-1.0, stop=1.0, num=5, dtype="complex64"),
    "circle_noend": dict(start=-1.0, stop=1.0, num=5, dtype="complex64", endpoint=False),
    "imag_line": dict(start=complex(0, 1), stop=complex(0, 1000), num=4),
    "imag_flip": dict(start=complex(0, -1), stop=complex(0, 1), num=3),
    "spiral": dict(start=complex(1, 1), stop=complex(-8, -8), num=4),
    "real_to_imag": dict(start=2.0, stop=complex(0, -2), num=3),
    "neg_real_complex": dict(start=complex(-3, 0), stop=complex(-48, 0), num=5),
}
out = {"numpy": np.__version__}
np_dtype = {"int32": np.int32, "complex64": np.complex128, None: None}
for name, c in cases.items():
    r = np.geomspace(c["start"], c["stop"], c["num"], endpoint=c.get("endpoint", True), dtype=np_dtype[c.get("dtype")])
    out[name] = {
        "start": enc(c["start"]),
        "stop": enc(c["stop"]),
        "num": c["num"],
        "endpoint": c.get("endpoint", True),
        "dtype": c.get("dtype"),
        "want": enc(r),
    }
Path(__file__).with_name("geomspace.json").write_text(json.dumps(out) + "\n")
