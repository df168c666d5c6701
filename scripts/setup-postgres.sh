#!/usr/bin/env bash
# Installs Debian's PostgreSQL, which the store tests (tests/store-*.test.ts) start as throwaway
# clusters of their own (tests/support/postgres-cluster.ts: initdb in a temp dir). Best effort and
# idempotent: it never fails its caller; without root or apt it says why, and those tests skip
# with a message instead. No cluster of the machine's own is made or started: the tests need only
# the binaries (initdb, pg_ctl, pg_isready) and the `postgres` OS user the package creates.
set -uo pipefail
if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
# Debian's package would make and start a "main" cluster; the tests make their own.
if [ "$(id -u)" = 0 ]; then
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/riffroom-no-main-cluster.conf
fi
apt_install setup-postgres 'the PostgreSQL store tests will be skipped' --with-recommends postgresql
exit 0
