#!/usr/bin/env bash
# Bundle the WebGPU tests and the benchmarks for the GPU machine (which has node but no npm/tsx;
# see ../shared/device/README.md): run ../shared/device/pack-webgpu.sh first, then this; carry
# `.gpu` and run e.g. `source .gpu/gpu-prelude.sh && LINAX_WEBGPU_ADAPTER=system node --test .gpu/app/x/*.test.mjs`.
# Bundles sit three folders deep so that the tests' `../../../testdata` paths resolve to the repo's.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=.gpu/app/x
mkdir -p "$OUT"
bundle() { npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --external:webgpu --log-level=warning --outfile="$OUT/$2"; }
for f in packages/backend-webgpu/test/*.test.ts; do bundle "$f" "k-$(basename "$f" .ts).mjs"; done
bundle property-tests/test/webgpu-backend.property.test.ts webgpu-backend.test.mjs
bundle property-tests/test/webgpu-ssm.test.ts webgpu-ssm.test.mjs
bundle bench/run.ts bench.mjs
bundle examples/demo.ts demo.mjs
ls -la "$OUT"
