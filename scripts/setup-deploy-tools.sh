#!/usr/bin/env bash
# Installs the programs that check deploy/ for real (tests/deploy-*.test.ts): Debian's nginx,
# caddy and haproxy, strace (the system calls the server makes, against the unit's filter), sqlite3
# (deploy/backup.sh), openssl and systemd-analyze. Idempotent, and it never fails its caller: without root or apt it says what is
# missing, and those tests then fail naming the program (they do not skip).
#
# While it installs, a temporary /usr/sbin/policy-rc.d (when the machine has none) keeps the
# packages from starting their services: installing test tools must not start web servers on
# this machine's ports 80 and 443 (and nginx's and Caddy's would fight over port 80).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
mapfile -t missing < <(missing_packages nginx=nginx caddy=caddy strace=strace openssl=openssl systemd-analyze=systemd sqlite3=sqlite3 haproxy=haproxy)
[ ${#missing[@]} -eq 0 ] && exit 0
policy=/usr/sbin/policy-rc.d
if [ "$(id -u)" = 0 ] && [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from riffroom scripts/setup-deploy-tools.sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt_install setup-deploy-tools 'tests/deploy-*.test.ts will fail' "${missing[@]}"
exit 0
