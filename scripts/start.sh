#!/usr/bin/env bash
# Starts Riffroom on this machine, setting up whatever is missing first.
# Today that is the session host (the sync server every window and browser tab connects to),
# bound to 127.0.0.1 with its data in .data/; the desktop window comes with the Electron shell.
# PORT and RIFFROOM_DATA override the defaults.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
data="${RIFFROOM_DATA:-$root/.data}"
port="${PORT:-4455}"
room="${RIFFROOM_ROOM:-my-song}"
token="$(node sync-server/cli.ts token --data "$data" --room "$room" --role owner --name "${USER:-me}" --ttl 30d)"
echo "Room '$room' — connect a y-websocket client to: ws://127.0.0.1:$port/$room?token=$token"
echo "History: curl -H 'Authorization: Bearer $token' http://127.0.0.1:$port/api/rooms/$room/history"
exec node sync-server/cli.ts --port "$port" --data "$data" --host 127.0.0.1
