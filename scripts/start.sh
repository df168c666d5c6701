#!/usr/bin/env bash
# Starts Riffroom on this machine, setting up whatever is missing first. Opens the desktop app
# (Electron; electron/launch.ts builds it and downloads the Electron binary once) with the last
# project, or the one given: `bash scripts/start.sh [song.riffroom]`.
# Where the desktop app cannot open (no display, the Electron binary cannot be downloaded), or with
# RIFFROOM_BROWSER=1: builds the web client (renderer/dist) and starts the session host (the sync
# server every browser tab connects to) serving it, with its data in .data/, and prints the links.
# PORT, RIFFROOM_DATA, RIFFROOM_ROOM override the defaults; HOST=0.0.0.0 lets bandmates on the
# LAN join (the printed links then use this machine's LAN address).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/setup.sh"
cd "$root"
if [ "${RIFFROOM_BROWSER:-0}" != 1 ]; then
  status=0
  node electron/launch.ts "$@" || status=$?
  # 3: the desktop app cannot open here (it said why); anything else is the app's own exit.
  if [ "$status" != 3 ]; then exit "$status"; fi
  echo "start: opening Riffroom in the browser instead" >&2
fi
data="${RIFFROOM_DATA:-$root/.data}"
port="${PORT:-4455}"
host="${HOST:-127.0.0.1}"
room="${RIFFROOM_ROOM:-my-song}"
link_host="$host"
if [ "$host" = "0.0.0.0" ]; then
  link_host="$(hostname -I 2>/dev/null | awk '{print $1}')"
  link_host="${link_host:-127.0.0.1}"
fi
node renderer/build.ts --out "$root/renderer/dist"
token="$(node sync-server/cli.ts token --data "$data" --room "$room" --role owner --name "${USER:-me}" --ttl 30d)"
# An invite: whoever opens it gives their name and gets their own token (POST /api/rooms/<room>/join).
invite="$(node sync-server/cli.ts token --data "$data" --room "$room" --role editor --ttl 7d --invite)"
# The links carry their token in the fragment (#token=): a browser never sends it to the server,
# so it stays out of logs and Referer headers; the page removes it from the address bar.
echo
echo "Open Riffroom in a browser:  http://$link_host:$port/?room=$room#token=$token"
echo "Invite a bandmate (7 days):  http://$link_host:$port/?room=$room#token=$invite"
# A websocket carries its token as subprotocols, never in its URL (sync-server/contract.ts).
echo "Room '$room' — a y-websocket client connects to ws://$link_host:$port/$room with protocols ['riffroom', 'riffroom-token.$token']"
echo "History: curl -H 'Authorization: Bearer $token' http://$link_host:$port/api/rooms/$room/history"
echo
exec node sync-server/cli.ts --port "$port" --data "$data" --host "$host" --web "$root/renderer/dist"
