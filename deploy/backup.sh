#!/usr/bin/env bash
# Backs up a Riffroom data dir while the server runs: the signing secret, and every room's file
# through SQLite's online backup (`sqlite3 <room> .backup`), which copies a consistent state even
# while the server appends. A plain `cp` of a room file during a jam may miss what is still in
# its -wal file, or catch a page half written.
#
#   deploy/backup.sh <data dir> <backup dir>      prints the folder it made: <backup dir>/riffroom-<UTC time>
#
# Run it as the service's user, so that any file SQLite makes beside a room (-wal, -shm) stays
# the server's own:  runuser -u riffroom -- /opt/riffroom/deploy/backup.sh /var/lib/riffroom /var/backups/riffroom
# Needs: sqlite3 (apt-get install sqlite3). Tested by tests/deploy-backup.test.ts.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: $0 <data dir> <backup dir>" >&2
  exit 2
fi
data=$1
dest=$2
command -v sqlite3 >/dev/null || { echo "backup: sqlite3 is missing (apt-get install sqlite3)" >&2; exit 1; }
[ -d "$data/rooms" ] || [ -f "$data/secret" ] || { echo "backup: $data is not a Riffroom data dir (no secret, no rooms/)" >&2; exit 1; }
umask 077
out="$dest/riffroom-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out/rooms"
[ -f "$data/secret" ] && cp -p "$data/secret" "$out/secret"
count=0
for room in "$data"/rooms/*.riffroom; do
  [ -e "$room" ] || continue
  # Room names are letters, digits, - and _ (sync-server/contract.ts): safe inside the quotes.
  sqlite3 "$room" ".backup '$out/rooms/$(basename "$room")'"
  count=$((count + 1))
done
echo "backup: $count room(s) and the secret in $out" >&2
echo "$out"
