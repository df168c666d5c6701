#!/usr/bin/env bash
# Installs Debian's PostgreSQL, which the store tests (tests/store-*.test.ts) start as throwaway
# clusters of their own (tests/support/postgres-cluster.ts: initdb in a temp dir). Best effort and
# idempotent: it never fails its caller; without root or apt it says why, and those tests skip
# with a message instead. No cluster of the machine's own is made or started: the tests need only
# the binaries (initdb, pg_ctl, pg_isready) and the `postgres` OS user the package creates.
set -uo pipefail
if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
  echo "setup-postgres: PostgreSQL is missing and there is no root or apt-get to install it; the PostgreSQL store tests will be skipped" >&2
  exit 0
fi
echo "setup-postgres: installing postgresql from apt" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian's package would make and start a "main" cluster; the tests make their own.
mkdir -p /etc/postgresql-common/createcluster.d
echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/riffroom-no-main-cluster.conf
if ! apt-get install -y postgresql >/tmp/riffroom-apt-postgresql.log 2>&1; then
  # A fresh machine may have no package lists yet.
  apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
  apt-get install -y postgresql >/tmp/riffroom-apt-postgresql.log 2>&1 \
    || echo "setup-postgres: apt-get install postgresql failed (see /tmp/riffroom-apt-postgresql.log); the PostgreSQL store tests will be skipped" >&2
fi
exit 0
