#!/usr/bin/env bash
# Installs Debian's openssl command, which the TLS tests use to make their certificates
# (tests/support/test-certs.ts). Best effort and idempotent: it never fails its caller; without
# root or apt it says why, and those tests skip with a message instead.
set -uo pipefail
if command -v openssl >/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-openssl: openssl is missing and there is no root or apt-get to install it; the TLS tests will be skipped" >&2
  exit 0
fi
echo "setup-openssl: installing openssl from apt" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y openssl >/tmp/riffroom-apt-openssl.log 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y openssl >/tmp/riffroom-apt-openssl.log 2>&1 \
    || echo "setup-openssl: apt-get install openssl failed (see /tmp/riffroom-apt-openssl.log); the TLS tests will be skipped" >&2
fi
exit 0
