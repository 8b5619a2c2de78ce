"""numpy references for the accumulator dtypes of np.sum / np.prod / cumsum / cumprod / cumulative_sum.

python3 testdata/numpy/reduction-dtypes/generate.py   (writes reduction-dtypes.json next to it; numpy 2.4)

Values are numpy's own results. numpy promotes bool and small integers to int64 (its platform
integer); JAX with x64 disabled, and linax, use int32 instead — the tests compare the *values*
with numpy and check the dtypes against JAX's documented rule (by hand, in the test).
"""
import json
from pathlib import Path

import numpy as np

out = {"numpy": np.__version__}
b = np.array([[True, False, True, True], [False, False, True, False], [True, True, True, True]])
i = np.array([[3, -1, 0, 7], [2, 5, -4, 1], [0, 0, 6, -2]], dtype=np.int32)
u = np.array([4000000000, 300000000, 5, 1], dtype=np.uint32)
w = np.array([[True, True, False, True], [True, False, True, True], [True, True, False, False]])
out["b"] = b.astype(int).tolist()
out["i"] = i.tolist()
out["u"] = u.tolist()
out["w"] = w.astype(int).tolist()

out["sum_b"] = int(np.sum(b))
out["sum_b_axis0"] = np.sum(b, axis=0).tolist()
out["prod_b_axis1"] = np.prod(b, axis=1).tolist()
# uint32 sums wrap modulo 2^32 in uint32 (numpy with dtype=uint32, as JAX x32 / linax do by default).
out["sum_u"] = int(np.sum(u, dtype=np.uint32))
# dtype=bool: numpy's bool add / multiply are logical or / and.
out["sum_i_bool_axis1"] = np.sum(i, axis=1, dtype=bool).tolist()
out["sum_i_bool_axis0"] = np.sum(i, axis=0, dtype=bool).tolist()
out["prod_i_bool_axis0"] = np.prod(i, axis=0, dtype=bool).tolist()
out["prod_i_bool_axis1"] = np.prod(i, axis=1, dtype=bool).tolist()
out["sum_i_bool_where_axis1"] = np.sum(i, axis=1, dtype=bool, where=w).tolist()
out["prod_b_where_initial_axis1"] = np.prod(b, axis=1, where=w, initial=2).tolist()
out["sum_b_float"] = np.sum(b, axis=1, dtype=np.float32).tolist()
# Cumulative
out["cumsum_b"] = np.cumsum(b).tolist()
out["cumsum_i_bool_axis1"] = np.cumsum(i, axis=1, dtype=bool).tolist()
out["cumprod_i_bool_axis1"] = np.cumprod(i, axis=1, dtype=bool).tolist()
out["cumprod_b_axis0"] = np.cumprod(b, axis=0).tolist()
out["cumulative_sum_i_axis1_initial"] = np.cumulative_sum(i, axis=1, include_initial=True).tolist()
out["cumulative_sum_b_axis0"] = np.cumulative_sum(b, axis=0).tolist()
out["cumulative_prod_i_axis0_initial"] = np.cumulative_prod(i, axis=0, include_initial=True).tolist()
out["cumulative_sum_1d"] = np.cumulative_sum(np.array([1.5, -2.0, 4.25])).tolist()

Path(__file__).with_name("reduction-dtypes.json").write_text(json.dumps(out) + "\n")
