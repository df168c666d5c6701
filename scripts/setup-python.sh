#!/usr/bin/env bash
# Installs what the model trainer's test needs from Debian's packages: PyTorch (CPU), onnx,
# numpy, and OpenBLAS (Debian's torch otherwise runs on the reference BLAS, ~30x slower).
# Best effort: without root or apt the trainer test skips with a message instead.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
/usr/bin/python3 -c 'import torch, onnx, numpy' 2>/dev/null \
  || apt_install setup-python 'the trainer test will be skipped' python3-torch python3-onnx python3-numpy libopenblas0-pthread
exit 0
