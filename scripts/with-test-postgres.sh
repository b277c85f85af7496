#!/usr/bin/env bash
# Runs a command against a throw-away PostgreSQL cluster on loopback, then stops it.
# PostgreSQL refuses to run as root, so the cluster belongs to the `postgres` user when we are root.
set -euo pipefail
bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
port=${TEST_PG_PORT:-54329}
data=$(mktemp -d /tmp/emhana-pg.XXXXXX)
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$data"
  as_owner=(runuser -u postgres --)
fi

stop() { "${as_owner[@]}" "$bin/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$data"; }
trap stop EXIT

"${as_owner[@]}" "$bin/initdb" -D "$data" -U emhana --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
  -o "-p $port -k $data -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
"${as_owner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U emhana emhana_test

export TEST_DATABASE_URL="postgresql+psycopg://emhana@127.0.0.1:$port/emhana_test"
export EMHANA_EXPECT_POSTGRES=1
echo "PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
