#!/usr/bin/env bash
# Bundle the WebGPU tests and the benchmarks for the GPU machine (which has node but no npm/tsx;
# see ../shared/device/README.md): run ../shared/device/pack-webgpu.sh first, then this; carry
# the folder and run e.g. `source .gpu/gpu-prelude.sh && LINAX_WEBGPU_ADAPTER=system node --test .gpu/app/x/*.test.mjs`.
# GPU_DIR picks the folder (default .gpu; issue #11's runs use .gpu11 and .gpu11/run.sh).
# Bundles sit three folders deep so that the tests' `../../../testdata` paths resolve to the repo's.
# ESM bundles get a `require` made by createRequire: bundled CommonJS packages (commander, which
# the demo uses) call require("node:events") and the like, which esbuild's ESM output cannot
# resolve statically ("Dynamic require of ... is not supported" without it).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${GPU_DIR:-.gpu}/app/x
mkdir -p "$OUT"
BANNER='import { createRequire as __linaxCreateRequire } from "node:module"; const require = __linaxCreateRequire(import.meta.url);'
bundle() { npx esbuild "$1" --bundle --platform=node --format=esm --target=node20 --external:webgpu "--banner:js=$BANNER" --log-level=warning --outfile="$OUT/$2"; }
if [ "${1:-}" = "--measure-only" ]; then
  bundle packages/backend-webgpu/bench/gpu-measure.ts measure.mjs
  ls -la "$OUT/measure.mjs"; exit 0
fi
for f in packages/backend-webgpu/test/*.test.ts; do bundle "$f" "k-$(basename "$f" .ts).mjs"; done
bundle property-tests/test/webgpu-backend.property.test.ts webgpu-backend.test.mjs
bundle property-tests/test/webgpu-ssm.test.ts webgpu-ssm.test.mjs
bundle bench/run.ts bench.mjs
bundle examples/mnist/main.ts demo.mjs
bundle packages/backend-webgpu/bench/gpu-measure.ts measure.mjs
ls -la "$OUT"
