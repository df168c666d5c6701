#!/usr/bin/env bash
# Installs Debian's openssl command, which the TLS tests use to make their certificates
# (tests/support/test-certs.ts). Best effort and idempotent: it never fails its caller; without
# root or apt it says why, and those tests skip with a message instead.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
command -v openssl >/dev/null || apt_install setup-openssl 'the TLS tests will be skipped' --with-recommends openssl
exit 0
