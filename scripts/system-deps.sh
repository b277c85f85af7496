#!/usr/bin/env bash
# Checks (and, as root on Debian, installs) the system packages a profile needs.
#   app       python3 venv support, Pango for WeasyPrint
#   postgres  a PostgreSQL server for the PostgreSQL test pass (its client tools come with it)
#   postgres-client  pg_dump and pg_restore, for `flask backup`/`restore` of a PostgreSQL database
#   browser   Debian's chromium for the real-browser tests
#   nginx     nginx, for the loopback cluster test (scripts/cluster-test.sh: two app processes behind it)
set -euo pipefail
profile=${1:-app}
missing=()

# ldconfig lives in /sbin, which is not on a normal user's PATH on Debian 12.
have_lib() { PATH="$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q "$1"; }
have_pg_tool() { command -v "$1" >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/"$1" >/dev/null 2>&1; }

case "$profile" in
  app)
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
    have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
    have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
    ;;
  postgres)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    have_pg_tool pg_dump || missing+=(postgresql-client)
    ;;
  postgres-client)
    { have_pg_tool pg_dump && have_pg_tool pg_restore; } || missing+=(postgresql-client)
    ;;
  nginx)
    { command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; } || missing+=(nginx)
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    ;;
  *)
    echo "unknown profile: $profile" >&2; exit 2 ;;
esac

[ ${#missing[@]} -eq 0 ] && exit 0

# As root, or through sudo for a user allowed to use it (asked for a password once, on the terminal).
as_root=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    as_root=(sudo)
  else
    as_root=(none)
  fi
fi
if [ "${as_root[*]}" != none ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}" >&2
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
Emhana needs these Debian packages for '$profile': ${missing[*]}
Install them as root and run the command again:
    sudo apt-get install ${missing[*]}
MSG
exit 1
