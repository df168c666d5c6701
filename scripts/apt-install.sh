# Sourced by the setup-*.sh scripts: installing Debian packages the tests need, best effort.
#
# apt_install WHO CONSEQUENCE [--with-recommends] PACKAGE...
#   As root with apt-get: installs the packages (updating the package lists once if the first try
#   fails: a fresh machine may have none), logging to /tmp/riffroom-apt-WHO.log. Never fails its
#   caller: without root or apt, or when apt fails, it says so on stderr, followed by CONSEQUENCE
#   (what happens to the tests that needed the packages).
apt_install() {
  local who=$1 consequence=$2
  shift 2
  local recommends=--no-install-recommends
  if [ "${1:-}" = --with-recommends ]; then
    recommends=
    shift
  fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "$who: missing $* and there is no root or apt-get to install them; $consequence" >&2
    return 0
  fi
  echo "$who: installing $* from apt" >&2
  export DEBIAN_FRONTEND=noninteractive
  local log=/tmp/riffroom-apt-$who.log
  # shellcheck disable=SC2086 # $recommends is one option or nothing
  if ! apt-get install -y $recommends "$@" >"$log" 2>&1; then
    apt-get update >/tmp/riffroom-apt-update.log 2>&1 || true
    # shellcheck disable=SC2086
    apt-get install -y $recommends "$@" >"$log" 2>&1 \
      || echo "$who: apt-get install $* failed (see $log); $consequence" >&2
  fi
  return 0
}

# missing_packages PROGRAM=PACKAGE... : prints (one per line) the packages whose program is not on
# the PATH.
missing_packages() {
  local pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || echo "${pair#*=}"
  done
}
