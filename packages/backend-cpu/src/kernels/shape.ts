/** Shape kernels: broadcastInDim, reshape, transpose. */
import type { BroadcastInDimParams, TransposeParams, TypedArray } from "@linax-ts/core";
import { registerKernel } from "../registry.ts";
import { gatherIndex, stridesOf, takeFlat } from "./strided-index.ts";

registerKernel("broadcastInDim", ([x], [xa], [oa], params) => {
  const { broadcastDimensions: bd } = params as unknown as BroadcastInDimParams;
  const inStrides = stridesOf(xa.shape);
  const per = oa.shape.map(() => 0);
  bd.forEach((d, i) => {
    if (xa.shape[i] !== 1) per[d] = inStrides[i];
  });
  return [takeFlat(x, gatherIndex(oa.shape, per), oa)];
});

registerKernel("reshape", ([x]) => [x.slice() as TypedArray]);

registerKernel("transpose", ([x], [xa], [oa], params) => {
  const { permutation: perm } = params as unknown as TransposeParams;
  const inStrides = stridesOf(xa.shape);
  return [
    takeFlat(
      x,
      gatherIndex(
        oa.shape,
        perm.map((p) => inStrides[p]),
      ),
      oa,
    ),
  ];
});
