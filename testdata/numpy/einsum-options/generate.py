"""numpy references for np.einsum's contraction orders and dtypes (linax's JAX options of einsum).

python3 testdata/numpy/einsum-options/generate.py   (writes einsum-options.json next to it; numpy 2.4)

For each case: the operands (float32-rounded inputs from default_rng(20261207), computed in float64),
numpy's einsum value, numpy's *optimal* contraction path with no memory limit
(`optimize=("optimal", 1e15)`) and that path's cost, summed with numpy's own cost function
(`numpy._core.einsumfunc._flop_count` over `_find_contraction` of each step — opt_einsum's model:
Π sizes of the step's labels × (terms − 1, plus 1 when a label is summed away)). numpy's printed
"Optimized FLOP count" is that sum + 1. The cases have no label private to one operand (linax sums
those before choosing an order, numpy inside it, so their costs would differ by construction).
"""
import json
from pathlib import Path

import numpy as np
from numpy._core import einsumfunc as ef

rng = np.random.default_rng(20261207)
cases = {
    "chain3": ("ij,jk,k->i", [(2, 30), (30, 40), (40,)]),
    "chain4": ("ab,bc,cd,de->ae", [(5, 6), (6, 7), (7, 8), (8, 3)]),
    "ring": ("ab,bc,ca->", [(3, 9), (9, 4), (4, 3)]),
    "star": ("ij,ik,il,i->jkl", [(6, 2), (6, 3), (6, 4), (6,)]),
    "batch": ("bij,bjk,bk->bi", [(3, 4, 5), (3, 5, 6), (3, 6)]),
    "five": ("ab,bc,cd,de,ea->", [(4, 5), (5, 2), (2, 6), (6, 3), (3, 4)]),
    "outer_then_contract": ("i,j,ij->", [(7,), (8,), (7, 8)]),
}


def path_cost(spec, shapes, path):
    lhs, out = spec.split("->")
    inputs = [set(t) for t in lhs.split(",")]
    sizes = {}
    for t, s in zip(lhs.split(","), shapes):
        sizes.update(zip(t, s))
    total = 0
    for step in path[1:]:
        contract = ef._find_contraction(step, inputs, set(out))
        idx_result, new_inputs, idx_removed, idx_contract = contract
        total += ef._flop_count(idx_contract, idx_removed, len(step), sizes)
        inputs = new_inputs
    return int(total)


out = {"numpy": np.__version__}
for name, (spec, shapes) in cases.items():
    ops = [rng.standard_normal(s).astype(np.float32).astype(np.float64) for s in shapes]
    path, _ = np.einsum_path(spec, *ops, optimize=("optimal", 1e15))
    out[name] = {
        "spec": spec,
        "ops": [{"shape": list(o.shape), "data": o.ravel().tolist()} for o in ops],
        "want": np.einsum(spec, *ops).ravel().tolist(),
        "shape": list(np.einsum(spec, *ops).shape),
        "optimal_path": [list(s) for s in path[1:]],
        "optimal_cost": path_cost(spec, shapes, path),
    }

# Integer and bool einsums (numpy's exact integer arithmetic; bool = or of ands).
ia = rng.integers(-5, 6, (3, 4)).astype(np.int32)
ib = rng.integers(-5, 6, (4, 2)).astype(np.int32)
out["int"] = {"a": ia.tolist(), "b": ib.tolist(), "want": np.einsum("ij,jk->ik", ia, ib).tolist()}
ba = rng.random((3, 4)) < 0.7
bb = rng.random((4, 2)) < 0.7
out["bool"] = {
    "a": ba.astype(int).tolist(),
    "b": bb.astype(int).tolist(),
    "or_of_ands": np.einsum("ij,jk->ik", ba, bb).astype(int).tolist(),
    "counts": np.einsum("ij,jk->ik", ba.astype(np.int32), bb.astype(np.int32)).tolist(),
}

Path(__file__).with_name("einsum-options.json").write_text(json.dumps(out) + "\n")
