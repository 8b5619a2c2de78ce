#!/usr/bin/env bash
# The WebGPU tests run on SwiftShader, the software Vulkan driver that Debian's `chromium` package
# ships (/usr/lib/chromium/libvk_swiftshader.so), through Dawn for Node (npm `webgpu`), which also
# needs the Vulkan loader (`libvulkan1`). Installs both when missing (needs root, as CI has).
# See ../shared/device/SOFTWARE-ADAPTER.md for why this setup and not Mesa's lavapipe.
set -euo pipefail
if [ -f /usr/lib/chromium/vk_swiftshader_icd.json ] && ldconfig -p | grep -q 'libvulkan.so.1'; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-webgpu-adapter: need root to apt-get install chromium libvulkan1 (WebGPU tests use SwiftShader)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium libvulkan1 > /tmp/install-webgpu-adapter.log 2>&1 || {
  tail -20 /tmp/install-webgpu-adapter.log >&2
  exit 1
}
echo "install-webgpu-adapter: installed chromium (SwiftShader) and libvulkan1"
