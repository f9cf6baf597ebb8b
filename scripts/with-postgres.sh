#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL cluster of its own (Debian's PostgreSQL, initdb +
# pg_ctl on a free loopback port), with JICHITAI_DATABASE_URL pointing at it, and removes the
# cluster afterwards whatever the command's outcome.
#   scripts/with-postgres.sh .venv/bin/pytest -q
set -euo pipefail
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || { echo "with-postgres: PostgreSQL server binaries not found (run scripts/install.sh)" >&2; exit 1; }

dir=$(mktemp -d /tmp/jichitai-pg.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
run_as=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    run_as=(su postgres -s /bin/sh -c)
else
    run_as=(sh -c)
fi
cleanup() {
    "${run_as[@]}" "$PG_BIN/pg_ctl -D $dir/data -m immediate -w stop" >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"${run_as[@]}" "$PG_BIN/initdb -D $dir/data -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8" >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$PG_BIN/pg_ctl -D $dir/data -l $dir/server.log -o \"-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50\" -w start" >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
"${run_as[@]}" "$PG_BIN/createdb -h 127.0.0.1 -p $port -U postgres jichitai"

export JICHITAI_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/jichitai"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
"$@"
