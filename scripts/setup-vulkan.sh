#!/usr/bin/env bash
# Installs a software Vulkan driver (Mesa 25's lavapipe, from bookworm-backports: Mesa 22 in
# bookworm is too old for Dawn) so onnxruntime's WebGPU provider can run on a machine without a
# GPU. Only the test that checks WebGPU writes the CPU's tokens needs it; it is slow there and
# used for correctness only. Best effort: without root or apt that test skips with a message.
set -uo pipefail
if [ -f /usr/share/vulkan/icd.d/lvp_icd.json ] && dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -q '^2[5-9]\.'; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-vulkan: no root or apt-get; the WebGPU provider test will be skipped" >&2
  exit 0
fi
. /etc/os-release
if [ "${VERSION_CODENAME:-}" != bookworm ]; then
  echo "setup-vulkan: not Debian bookworm (${VERSION_CODENAME:-unknown}); install Mesa >= 25 lavapipe yourself for the WebGPU test" >&2
  exit 0
fi
echo "setup-vulkan: installing Mesa lavapipe (mesa-vulkan-drivers, libvulkan1) from bookworm-backports" >&2
export DEBIAN_FRONTEND=noninteractive
list=/etc/apt/sources.list.d/riffroom-backports.list
[ -f "$list" ] || echo "deb http://deb.debian.org/debian bookworm-backports main" > "$list"
{ apt-get update && apt-get install -y --no-install-recommends -t bookworm-backports mesa-vulkan-drivers libvulkan1; } >/tmp/riffroom-apt-vulkan.log 2>&1 \
  || echo "setup-vulkan: apt-get failed (see /tmp/riffroom-apt-vulkan.log); the WebGPU provider test will be skipped" >&2
exit 0
