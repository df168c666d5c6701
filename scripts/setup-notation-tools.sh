#!/usr/bin/env bash
# Installs Debian's MuseScore 3 (`musescore3`), the independent MusicXML reader that checks the
# files core/musicxml writes (tests/musicxml-musescore.test.ts converts them headless). Idempotent,
# and it never fails its caller: without root or apt it says what is missing, and that test skips
# with a message.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh"
mapfile -t missing < <(missing_packages musescore3=musescore3)
[ ${#missing[@]} -eq 0 ] && exit 0
apt_install setup-notation-tools 'the MuseScore check of the MusicXML export will be skipped' "${missing[@]}"
exit 0
