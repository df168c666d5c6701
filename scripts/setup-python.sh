#!/usr/bin/env bash
# Installs what the model trainer's test needs from Debian's packages: PyTorch (CPU), onnx,
# numpy, and OpenBLAS (Debian's torch otherwise runs on the reference BLAS, ~30x slower).
# Best effort: without root or apt the trainer test skips with a message instead.
set -uo pipefail
if /usr/bin/python3 -c 'import torch, onnx, numpy' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-python: no root or apt-get; the trainer test will be skipped" >&2
  exit 0
fi
echo "setup-python: installing python3-torch python3-onnx python3-numpy libopenblas0-pthread from apt" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy libopenblas0-pthread >/tmp/riffroom-apt.log 2>&1; then
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends python3-torch python3-onnx python3-numpy libopenblas0-pthread >/tmp/riffroom-apt.log 2>&1 \
    || echo "setup-python: apt-get failed (see /tmp/riffroom-apt.log); the trainer test will be skipped" >&2
fi
exit 0
