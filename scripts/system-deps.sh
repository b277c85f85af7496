#!/usr/bin/env bash
# Checks (and, as root on Debian, installs) the system packages a profile needs.
#   app       python3 venv support, Pango for WeasyPrint
#   postgres  a PostgreSQL server for the PostgreSQL test pass
#   browser   Debian's chromium for the real-browser tests
set -euo pipefail
profile=${1:-app}
missing=()

have_lib() { ldconfig -p 2>/dev/null | grep -q "$1"; }

case "$profile" in
  app)
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    have_lib 'libpango-1.0.so.0' || missing+=(libpango-1.0-0)
    have_lib 'libpangoft2-1.0.so.0' || missing+=(libpangoft2-1.0-0)
    have_lib 'libharfbuzz-subset.so.0' || missing+=(libharfbuzz-subset0)
    ;;
  postgres)
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
    ;;
  browser)
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    ;;
  *)
    echo "unknown profile: $profile" >&2; exit 2 ;;
esac

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing system packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

cat >&2 <<MSG
Emhana needs these Debian packages for '$profile': ${missing[*]}
Install them as root and run the command again:
    sudo apt-get install ${missing[*]}
MSG
exit 1
