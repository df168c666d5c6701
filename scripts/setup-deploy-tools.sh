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
declare -A package_of=([nginx]=nginx [caddy]=caddy [strace]=strace [openssl]=openssl [systemd-analyze]=systemd [sqlite3]=sqlite3 [haproxy]=haproxy)
missing=()
for program in "${!package_of[@]}"; do
  command -v "$program" >/dev/null || missing+=("${package_of[$program]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-deploy-tools: missing ${missing[*]} and there is no root or apt-get to install them; tests/deploy-*.test.ts will fail" >&2
  exit 0
fi
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# temporary, from riffroom scripts/setup-deploy-tools.sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
echo "setup-deploy-tools: installing ${missing[*]} from apt" >&2
export DEBIAN_FRONTEND=noninteractive
log=/tmp/riffroom-apt-deploy-tools.log
if ! apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1 \
    || echo "setup-deploy-tools: apt-get install ${missing[*]} failed (see $log); tests/deploy-*.test.ts will fail" >&2
fi
exit 0
