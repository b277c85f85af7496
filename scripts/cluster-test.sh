#!/usr/bin/env bash
# The loopback test of several app processes (docs/scaling.md, tests/cluster/): a PostgreSQL primary and its
# streaming standby, two gunicorn instances of the app behind nginx, all children of this run on 127.0.0.1
# (ports 25401-25412), all stopped at the end, on success, failure or interruption alike.
#   scripts/cluster-test.sh [pytest options]          (make test-cluster)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/system-deps.sh postgres
scripts/system-deps.sh nginx
python=${PYTHON:-.venv/bin/python}

export EMHANA_CLUSTER_TEST=1
EMHANA_CLUSTER_DIR=$(mktemp -d /tmp/emhana-cluster.XXXXXX)
export EMHANA_CLUSTER_DIR
keep=${KEEP_CLUSTER_LOGS:-}
clean() {
  status=$?
  # Whatever pytest left behind (it is killed by the timeout, or crashed): exactly the noted processes.
  "$python" -m tests.cluster.harness "$EMHANA_CLUSTER_DIR" || true
  if [ "$status" != 0 ]; then
    # CI keeps only what was printed: the end of every server's log, so a failure can be read from it.
    for log in "$EMHANA_CLUSTER_DIR"/pglogs/*.log "$EMHANA_CLUSTER_DIR"/*.log "$EMHANA_CLUSTER_DIR"/nginx/error.log; do
      [ -f "$log" ] && { echo "--- the end of ${log#"$EMHANA_CLUSTER_DIR"/} ---"; tail -n 30 "$log"; } >&2
    done
  fi
  if [ -n "$keep" ]; then echo "cluster logs kept in $EMHANA_CLUSTER_DIR" >&2; else rm -rf "$EMHANA_CLUSTER_DIR"; fi
}
trap clean EXIT
trap 'exit 130' INT TERM
# A bound for a machine busy with other work; the run itself takes 2-3 minutes.
timeout --kill-after=10 600 "$python" -m pytest -q -p no:cacheprovider -m cluster tests/cluster "$@"
