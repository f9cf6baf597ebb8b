#!/usr/bin/env bash
# The SQLite and the PostgreSQL passes of `make test`, side by side. Most of either pass waits on
# processes it starts (the `jichitai` commands of the end-to-end tests, the worker, the stand-in,
# the browser, the clusters), so on two cores the two together take little longer than the longer
# one alone (run one after the other they took about 86 minutes). Each line is prefixed with its
# pass; the target fails when either pass fails. Nothing is shared between the passes: each test
# takes its own free ports and temporary directories, and the PostgreSQL pass its own throwaway
# server (scripts/with-postgres.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
status=$(mktemp -d)
trap 'rm -rf "$status"' EXIT

pass() {  # NAME TARGET
    { make --no-print-directory "$2" 2>&1; echo $? > "$status/$1"; } | sed -u "s/^/[$1] /"
}

pass sqlite test-sqlite &
sqlite=$!
pass postgres test-postgres &
postgres=$!
wait "$sqlite" "$postgres"
failed=0
for name in sqlite postgres; do
    code=$(cat "$status/$name" 2>/dev/null || echo 1)
    echo "test-both: the $name pass ended with status $code"
    [ "$code" = 0 ] || failed=1
done
exit "$failed"
