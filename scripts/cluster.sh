#!/usr/bin/env bash
# A production-like jichitai stack on this machine, loopback only (docs/operations.md):
#   scripts/cluster.sh up       start etcd, two Patroni shards (primary + synchronous standby each),
#                               a pgBackRest repository with WAL archiving and one full backup per
#                               shard, the API (several worker processes) and the webhook workers;
#                               migrate both shards and seed one demo municipality on each
#   scripts/cluster.sh status   each component and its state; exit 0 only if all is healthy
#   scripts/cluster.sh down     stop everything `up` started (pid files) and remove the state dir
#   scripts/cluster.sh restore SHARD TIME DIR
#                               point-in-time restore of SHARD as of TIME (a PostgreSQL timestamp)
#                               from the repository into the new directory DIR, started as a plain
#                               PostgreSQL on a free loopback port; prints its SQLAlchemy URL
#   scripts/cluster.sh restore-stop DIR   stop that server and remove DIR (`down` does it too)
#   scripts/cluster.sh start NAME  start again a stopped component (etcd, patroni-SHARD-MEMBER)
# Everything lives in one owner-only state directory: JICHITAI_CLUSTER_DIR (default
# /tmp/jichitai-cluster); <dir>/cluster.env says what runs where. As root, etcd, Patroni,
# PostgreSQL and pgBackRest run as the `postgres` user (PostgreSQL refuses root); the state dir
# then belongs to `postgres`. No step sleeps blindly: each waits for its condition with a deadline.
# Settings: JICHITAI_CLUSTER_DIR, JICHITAI_CLUSTER_API_WORKERS (2), JICHITAI_CLUSTER_RESIDENTS (100),
# JICHITAI_CLUSTER_KEEP=1 (a failed `up` keeps its state for a look), JICHITAI_PG_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STATE=${JICHITAI_CLUSTER_DIR:-/tmp/jichitai-cluster}
PG_BIN=${JICHITAI_PG_BIN:-/usr/lib/postgresql/15/bin}
JICHITAI=$ROOT/.venv/bin/jichitai
SHARDS=(shard1 shard2)
MEMBERS=(a b)
# Demo municipalities, one per shard: CODE NAME.
DEMO_shard1=(131016 東京都千代田区)
DEMO_shard2=(271004 大阪府大阪市)
DEMO_RESIDENTS=${JICHITAI_CLUSTER_RESIDENTS:-100}
API_WORKERS=${JICHITAI_CLUSTER_API_WORKERS:-2}
DEMO_PASSWORD="jichitai-demo-password"
APP_LOGIN=jichitai_api  # the API's and the workers' database login (a member of jichitai_app)
umask 077

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The prefix that runs a command as the postgres user when root. Both env and setpriv exec the
# command, so a background job's $! is the command's own pid (what `down` stops).
AS_PG=()
[ "$(id -u)" -ne 0 ] || AS_PG=(env "HOME=$STATE" setpriv --reuid=postgres --regid=postgres --init-groups --)
as_pg() { "${AS_PG[@]}" "$@"; }

start_bg() {  # NAME LOGFILE CMD...: start CMD in the background, its pid in $STATE/pids/NAME
    local name=$1 logfile=$2
    shift 2
    "$@" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$STATE/pids/$name"
}

wait_for() {  # SECONDS WHAT CMD...: run CMD until it succeeds, at most SECONDS
    local limit=$1 what=$2
    shift 2
    local deadline=$((SECONDS + limit))
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || die "timed out after ${limit}s waiting for $what"
        sleep 0.2
    done
}

free_ports() {  # N: N distinct free loopback ports
    python3 - "$1" <<'PY'
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

demo_login() {  # SHARD: the demo clerk's login on the shard's municipality (one login, one user)
    if [ "$1" = shard1 ]; then echo demo-clerk; else echo "demo-clerk-$1"; fi
}

demo_field() {  # SHARD INDEX: the shard's demo municipality's code (0) or name (1)
    local ref="DEMO_$1[$2]"
    echo "${!ref}"
}

load_env() {
    [ -f "$STATE/cluster.env" ] || return 1
    # shellcheck disable=SC1091
    . "$STATE/cluster.env"
}

# --- status -------------------------------------------------------------------------------------

etcd_healthy() { curl -sf --max-time 2 "http://127.0.0.1:$ETCD_PORT/health" | grep -q '"health":"true"'; }

shard_members() {  # SHARD: Patroni's view of the shard (GET /cluster of whichever member answers)
    local member port
    for member in "${MEMBERS[@]}"; do
        port="REST_PORT_${1}_${member}"
        curl -sf --max-time 2 "http://127.0.0.1:${!port}/cluster" && return 0
    done
    return 1
}

shard_healthy() {  # SHARD: a running Leader and a running Sync Standby (what `patronictl list` shows)
    shard_members "$1" | python3 -c '
import json, sys
roles = {(m["role"], m["state"]) for m in json.load(sys.stdin)["members"]}
ok = ("leader", "running") in roles and ("sync_standby", "running") in roles
sys.exit(0 if ok else 1)'
}

backup_healthy() {  # SHARD: the stanza is ok and holds at least one full backup
    as_pg pgbackrest --config="$STATE/pgbackrest/pgbackrest.conf" --stanza="$1" --output=json info |
        python3 -c '
import json, sys
(stanza,) = json.load(sys.stdin)
ok = stanza["status"]["code"] == 0 and any(b["type"] == "full" for b in stanza["backup"])
sys.exit(0 if ok else 1)'
}

api_healthy() { curl -sf --max-time 2 "$API_URL/healthz" | grep -q '"ok"'; }

pid_alive() { [ -f "$STATE/pids/$1" ] && ours "$(cat "$STATE/pids/$1")"; }

cmd_status() {
    load_env || { echo "cluster: not running (no $STATE/cluster.env)"; return 1; }
    local healthy=0 shard
    check() {  # NAME DETAIL CMD...: one line, ok or FAIL
        local name=$1 detail=$2
        shift 2
        if "$@" >/dev/null 2>&1; then
            printf '  %-22s ok    %s\n' "$name" "$detail"
        else
            printf '  %-22s FAIL  %s\n' "$name" "$detail"
            healthy=1
        fi
    }
    echo "jichitai cluster in $STATE"
    check etcd "http://127.0.0.1:$ETCD_PORT/health" etcd_healthy
    for shard in "${SHARDS[@]}"; do
        check "$shard (Patroni)" "a running Leader and a running Sync Standby" shard_healthy "$shard"
        as_pg patronictl -c "$STATE/$shard/a/patroni.yml" list 2>&1 | sed 's/^/    /' || true
        check "$shard (pgBackRest)" "stanza $shard ok with a full backup" backup_healthy "$shard"
        as_pg pgbackrest --config="$STATE/pgbackrest/pgbackrest.conf" --stanza="$shard" info 2>&1 | sed 's/^/    /' || true
    done
    check API "$API_URL/healthz ($API_WORKERS worker processes; catalog on shard1)" api_healthy
    check "API process" "pid $(cat "$STATE/pids/api" 2>/dev/null || echo -)" pid_alive api
    for shard in "${SHARDS[@]}"; do
        check "worker ($shard)" "pid $(cat "$STATE/pids/worker-$shard" 2>/dev/null || echo -)" pid_alive "worker-$shard"
    done
    return $healthy
}

# --- down ---------------------------------------------------------------------------------------

ours() {  # PID: the process is alive and one of the stack's (its command line or environment
    # names the state dir), not another that was given a dead process's pid since
    local f
    for f in /proc/"$1"/cmdline /proc/"$1"/environ; do
        grep -qaF -- "$STATE" "$f" 2>/dev/null && return 0
    done
    return 1
}

stop_pids() {  # SECONDS NAME...: SIGTERM each, wait for them up to SECONDS, then SIGKILL
    local limit=$1
    shift
    local pids=() name pid
    for name in "$@"; do
        [ -f "$STATE/pids/$name" ] || continue
        pid=$(cat "$STATE/pids/$name")
        if ours "$pid"; then kill -TERM "$pid" 2>/dev/null && pids+=("$pid"); fi
    done
    local deadline=$((SECONDS + limit)) started=$SECONDS
    for pid in "${pids[@]}"; do
        while ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
        if ours "$pid" && kill -KILL "$pid" 2>/dev/null; then log "pid $pid did not stop within ${limit}s: killed"; fi
    done
    log "stopped $* ($((SECONDS - started)) s)"
}

cmd_down() {
    if [ ! -d "$STATE" ]; then
        echo "cluster: nothing to stop ($STATE does not exist)"
        return 0
    fi
    local started=$SECONDS names=(api) shard member pid
    for shard in "${SHARDS[@]}"; do
        names+=("worker-$shard" "backup-$shard")
        for member in "${MEMBERS[@]}"; do names+=("patroni-$shard-$member"); done
    done
    # The API, the workers and Patroni together (Patroni stops its PostgreSQL on SIGTERM, fast
    # shutdown, and needs etcd meanwhile); a postmaster left behind (Patroni killed) is stopped
    # by its own pid file; etcd last.
    stop_restores
    stop_pids 30 "${names[@]}"
    for shard in "${SHARDS[@]}"; do
        for member in "${MEMBERS[@]}"; do
            if [ -f "$STATE/$shard/$member/data/postmaster.pid" ]; then
                pid=$(head -n 1 "$STATE/$shard/$member/data/postmaster.pid")
                ours "$pid" || continue
                kill -QUIT "$pid" 2>/dev/null || true
                local deadline=$((SECONDS + 10))
                while ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
            fi
        done
    done
    stop_pids 10 etcd
    # Whatever is left of the stack (children outliving their parent for a moment: uvicorn's
    # worker processes, an archiver's pgbackrest) is waited for, then killed.
    local left deadline=$((SECONDS + 10)) mine=" " up=$$
    while [ -n "$up" ] && [ "$up" -gt 1 ]; do  # this script and its callers are not the stack's
        mine+="$up "
        up=$(awk '{print $4}' "/proc/$up/stat" 2>/dev/null || true)
    done
    while :; do
        left=()
        for pid in $(ls /proc | grep -E '^[0-9]+$'); do
            case "$mine" in *" $pid "*) continue ;; esac
            ours "$pid" && left+=("$pid")
        done
        [ ${#left[@]} -eq 0 ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "killing what is left: ${left[*]}"
            kill -KILL "${left[@]}" 2>/dev/null || true
            sleep 0.2
            break
        fi
        sleep 0.1
    done
    rm -rf "$STATE"
    echo "cluster: stopped and removed $STATE in $((SECONDS - started)) s"
}

# --- restore ------------------------------------------------------------------------------------

restore_stop_dir() {  # DIR: fast shutdown of the restored server in DIR (if it runs), then remove DIR
    local dir=$1 pid
    if [ -f "$dir/data/postmaster.pid" ]; then
        pid=$(head -n 1 "$dir/data/postmaster.pid")
        if ours "$pid"; then
            kill -INT "$pid" 2>/dev/null || true
            local deadline=$((SECONDS + 20))
            while ours "$pid" && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
            if ours "$pid" && kill -KILL "$pid" 2>/dev/null; then log "restore in $dir did not stop within 20s: killed"; fi
        fi
    fi
    rm -rf "$dir"
    if [ -f "$STATE/restores.list" ]; then
        grep -vxF -- "$dir" "$STATE/restores.list" >"$STATE/restores.list.new" || true
        mv "$STATE/restores.list.new" "$STATE/restores.list"
    fi
}

stop_restores() {  # every restore of this stack still listed (`down`)
    [ -f "$STATE/restores.list" ] || return 0
    local dir
    while IFS= read -r dir; do
        [ -n "$dir" ] && restore_stop_dir "$dir"
    done <"$STATE/restores.list"
}

restored_promoted() {  # DIR PORT: the restored server accepts connections and left recovery
    [ "$(psql -h "$1" -p "$2" -U postgres -d postgres -qAtc 'SELECT NOT pg_is_in_recovery()' 2>/dev/null)" = t ]
}

cmd_restore() {  # SHARD TIME DIR: the shard as of TIME, restored from the repository into DIR
    local shard=${1:-} target=${2:-} dir=${3:-}
    [ -n "$shard" ] && [ -n "$target" ] && [ -n "$dir" ] || die "usage: scripts/cluster.sh restore SHARD TIME DIR"
    load_env || die "not running (no $STATE/cluster.env)"
    case " ${SHARDS[*]} " in *" $shard "*) ;; *) die "unknown shard $shard (${SHARDS[*]})" ;; esac
    [ ! -e "$dir" ] || die "$dir exists: choose a new directory"
    # Made by the postgres user (as root), so that it may write there: under the state dir
    # (which it owns), `down` stops and removes the restore with the rest.
    as_pg mkdir -p -m 700 "$dir" || die "the postgres user cannot create $dir"
    dir=$(cd "$dir" && pwd)
    echo "$dir" >>"$STATE/restores.list"
    local port started=$SECONDS t0 t1 t2
    port=$(free_ports 1)
    t0=$(date +%s.%N)
    # The restored server must never write into the live stanza: archive_mode off (pgBackRest
    # writes it to postgresql.auto.conf, and the command line repeats it); its restore_command
    # only reads (archive-get).
    as_pg pgbackrest --config="$PGBACKREST_CONFIG" --stanza="$shard" --pg1-path="$dir/data" \
        --type=time --target="$target" --target-action=promote --archive-mode=off \
        --log-path="$dir" --log-level-file=info restore >&2 ||
        die "pgbackrest restore failed (log: $dir/$shard-restore.log)"
    t1=$(date +%s.%N)
    # Plain PostgreSQL, no Patroni: Patroni's postgresql.conf (copied with the backup) names the
    # shard's ports, synchronous standbys and archive command; the command line overrides them.
    "${AS_PG[@]}" env "JICHITAI_CLUSTER_DIR=$STATE" "$PG_BIN/postgres" -D "$dir/data" \
        -c port="$port" -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir" \
        -c archive_mode=off -c archive_command= -c synchronous_standby_names= \
        -c hba_file="$dir/data/pg_hba.conf" -c ident_file="$dir/data/pg_ident.conf" \
        -c cluster_name="$shard-restore" -c logging_collector=off \
        >>"$dir/postgres.log" 2>&1 </dev/null &
    local pid=$! deadline=$((SECONDS + 300))
    until restored_promoted "$dir" "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 20 "$dir/postgres.log" >&2
            die "the restored server stopped (log: $dir/postgres.log)"
        fi
        [ "$SECONDS" -lt "$deadline" ] || die "timed out after 300s waiting for the restored server to finish recovery"
        sleep 0.2
    done
    t2=$(date +%s.%N)
    local db_bytes data_mb url
    db_bytes=$(psql -h "$dir" -p "$port" -U postgres -d postgres -qAtc "SELECT pg_database_size('jichitai')")
    data_mb=$(du -sm "$dir/data" | cut -f1)
    url="postgresql+psycopg://postgres:$PG_PASSWORD@127.0.0.1:$port/jichitai"
    {
        echo "# scripts/cluster.sh restore $shard '$target' $dir. Owner-only: holds a password."
        echo "RESTORE_SHARD=$shard"
        echo "RESTORE_TARGET='$target'"
        echo "RESTORE_PORT=$port"
        echo "RESTORE_URL='$url'"
        echo "RESTORE_DATABASE_BYTES=$db_bytes"
        echo "RESTORE_DATA_MB=$data_mb"
        echo "RESTORE_COPY_SECONDS=$(python3 -c "print(round($t1 - $t0, 2))")"
        echo "RESTORE_SECONDS=$(python3 -c "print(round($t2 - $t0, 2))")"
    } >"$dir/restore.env"
    chmod 600 "$dir/restore.env"
    log "$shard restored to $target in $((SECONDS - started)) s: 127.0.0.1:$port (details: $dir/restore.env; stop: scripts/cluster.sh restore-stop $dir)"
    echo "$url"
}

cmd_restore_stop() {  # DIR
    local dir=${1:-}
    [ -n "$dir" ] || die "usage: scripts/cluster.sh restore-stop DIR"
    [ -d "$dir" ] || die "$dir does not exist"
    restore_stop_dir "$(cd "$dir" && pwd)"
    echo "cluster: stopped and removed the restore in $dir"
}

# --- up -----------------------------------------------------------------------------------------

write_patroni_config() {  # SHARD MEMBER PG_PORT REST_PORT
    local shard=$1 member=$2 pg_port=$3 rest_port=$4 dir="$STATE/$1/$2"
    mkdir -p "$dir"
    cat >"$dir/patroni.yml" <<YAML
scope: $shard
namespace: /jichitai/
name: $shard-$member
log:
  level: WARNING
restapi:
  listen: 127.0.0.1:$rest_port
  connect_address: 127.0.0.1:$rest_port
etcd3:
  hosts: 127.0.0.1:$ETCD_PORT
bootstrap:
  dcs:
    # loop_wait + 2 × retry_timeout <= ttl (Patroni's rule); a lost primary's leader key expires
    # within ttl seconds, so a failover starts within ~12 s.
    ttl: 12
    loop_wait: 2
    retry_timeout: 5
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    # etcd down: the primary stays primary while it still reaches every member of its shard
    # (their REST API), instead of demoting itself when its leader key cannot be renewed.
    failsafe_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        archive_mode: "on"
        archive_timeout: 60
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator 127.0.0.1/32 scram-sha-256
    - host all all 127.0.0.1/32 scram-sha-256
postgresql:
  listen: 127.0.0.1:$pg_port
  connect_address: 127.0.0.1:$pg_port
  data_dir: $dir/data
  bin_dir: $PG_BIN
  pgpass: $dir/pgpass
  authentication:
    superuser:
      username: postgres
      password: "$PG_PASSWORD"
    replication:
      username: replicator
      password: "$REPLICATION_PASSWORD"
    rewind:
      username: postgres
      password: "$PG_PASSWORD"
  parameters:
    unix_socket_directories: "$dir"
    # Per member (not in the shard's shared configuration): pgBackRest checks that the
    # archiving server's data directory is its pg1-path.
    archive_command: "pgbackrest --config=$STATE/pgbackrest/pgbackrest.conf --stanza=$shard --pg1-path=$dir/data archive-push %p"
  create_replica_methods:
    - basebackup
  basebackup:
    - checkpoint: fast
YAML
}

write_pgbackrest_config() {
    mkdir -p "$STATE/pgbackrest"/{repo,log,spool,lock}
    {
        cat <<INI
[global]
repo1-path=$STATE/pgbackrest/repo
repo1-retention-full=2
log-path=$STATE/pgbackrest/log
lock-path=$STATE/pgbackrest/lock
spool-path=$STATE/pgbackrest/spool
log-level-console=warn
log-level-file=info
compress-type=lz4
start-fast=y
INI
        local shard i member
        for shard in "${SHARDS[@]}"; do
            echo
            echo "[$shard]"
            i=1
            for member in "${MEMBERS[@]}"; do
                # Both members: a backup finds whichever is the primary now.
                local port_var="PG_PORT_${shard}_${member}"
                echo "pg$i-path=$STATE/$shard/$member/data"
                echo "pg$i-port=${!port_var}"
                echo "pg$i-socket-path=$STATE/$shard/$member"
                echo "pg$i-user=postgres"
                i=$((i + 1))
            done
        done
    } >"$STATE/pgbackrest/pgbackrest.conf"
}

shard_url() {  # SHARD [USER PASSWORD]: the libpq multi-host URL that follows the shard's primary
    # (by default as the schema owner, postgres)
    local shard=$1 user=${2:-postgres} password=${3:-$PG_PASSWORD}
    local a="PG_PORT_${shard}_a" b="PG_PORT_${shard}_b"
    # SQLAlchemy's multi-host form (host=…&host=…): the libpq form user@h1:p1,h2:p2 is refused by
    # SQLAlchemy's URL parser. psycopg hands both hosts to libpq, which takes the read-write one.
    echo "postgresql+psycopg://$user:$password@/jichitai?host=127.0.0.1:${!a}&host=127.0.0.1:${!b}&target_session_attrs=read-write"
}

app_url() {  # SHARD: the same as the application's login (a member of jichitai_app: DML only,
    # row-level security, no UPDATE or DELETE of the journals; ADR 0014)
    shard_url "$1" "$APP_LOGIN" "$APP_PASSWORD"
}

shard_dsn() {  # SHARD: the same as a libpq connection string (psql)
    local shard=$1
    local a="PG_PORT_${shard}_a" b="PG_PORT_${shard}_b"
    echo "host=127.0.0.1,127.0.0.1 port=${!a},${!b} user=postgres dbname=postgres target_session_attrs=read-write"
}

app_env() {  # SHARD: the environment of jichitai's processes on SHARD
    echo "JICHITAI_MODE=production"
    echo "JICHITAI_SECRET_KEY=$SECRET_KEY"
    echo "JICHITAI_KEY_DIR=$STATE/app/keys"
    echo "JICHITAI_DATABASE_URL=$(shard_url "$1")"
}

prepare_shard() {  # SHARD: backups, database, migrations, demo municipality, jichitai's processes
    local shard=$1 conf="$STATE/pgbackrest/pgbackrest.conf" started=$SECONDS
    local code name backup
    code=$(demo_field "$shard" 0)
    name=$(demo_field "$shard" 1)
    wait_for 90 "a Leader and a Sync Standby in $shard" shard_healthy "$shard"
    log "$shard: Patroni Leader and Sync Standby ($((SECONDS - started)) s)"
    as_pg pgbackrest --config="$conf" --stanza="$shard" stanza-create
    # The full backup runs while the database is migrated and seeded (both take a core each).
    "${AS_PG[@]}" pgbackrest --config="$conf" --stanza="$shard" --type=full backup &
    backup=$!
    echo "$backup" >"$STATE/pids/backup-$shard"  # for `down`, should this step fail meanwhile
    PGPASSWORD="$PG_PASSWORD" psql "$(shard_dsn "$shard")" -qAtc 'CREATE DATABASE jichitai'
    local env_vars
    mapfile -t env_vars < <(app_env "$shard")
    export "${env_vars[@]}"
    "$JICHITAI" db upgrade >/dev/null
    # The application's own login (roles are the PostgreSQL cluster's: one per shard).
    PGPASSWORD="$PG_PASSWORD" psql "$(shard_dsn "$shard")" -qAtc \
        "CREATE ROLE $APP_LOGIN LOGIN PASSWORD '$APP_PASSWORD' IN ROLE jichitai_app"
    # shard1's database is also the shard catalog (ADR 0016): every jichitai process below
    # names it, and reaches shard2 through it. The operator's commands here run as the schema
    # owner; the API and the workers as the application's login (the catalog stores its URLs).
    export JICHITAI_DATABASE_URL
    JICHITAI_DATABASE_URL=$(shard_url shard1)
    if [ "$shard" = shard1 ]; then
        "$JICHITAI" municipality add "$code" "$name" >/dev/null
        touch "$STATE/catalog.ready"
        # The API starts once the catalog is migrated, while the demo data is seeded.
        start_bg api "$STATE/logs/api.log" env JICHITAI_DATABASE_URL="$(app_url shard1)" \
            "$JICHITAI" serve --host 127.0.0.1 --port "$API_PORT" --workers "$API_WORKERS"
    else
        wait_for 300 "the catalog (shard1) to be migrated" test -f "$STATE/catalog.ready"
        "$JICHITAI" shard add "$shard" "$(app_url "$shard")" >/dev/null
        "$JICHITAI" municipality add "$code" "$name" --shard "$shard" >/dev/null
    fi
    local master="$ROOT/src/jichitai/layouts/town_areas/$code.csv"
    if [ -f "$master" ]; then "$JICHITAI" address import --municipality "$code" "$master" >/dev/null; fi
    "$JICHITAI" demo seed --municipality "$code" --residents "$DEMO_RESIDENTS" --seed 1 >/dev/null
    echo "$DEMO_PASSWORD" | "$JICHITAI" user add --municipality "$code" "$(demo_login "$shard")" --role clerk >/dev/null
    # A webhook worker per shard (each serves every shard's queue: two for the load and for a
    # spare); it reads the municipalities when it starts: after they exist.
    start_bg "worker-$shard" "$STATE/logs/worker-$shard.log" env JICHITAI_DATABASE_URL="$(app_url shard1)" \
        "$JICHITAI" worker
    log "$shard: database jichitai migrated, $code $name seeded ($((SECONDS - started)) s)"
    wait "$backup"
    log "$shard: pgBackRest stanza and full backup done ($((SECONDS - started)) s)"
    log "$shard ready"
}

start_etcd() {
    start_bg etcd "$STATE/logs/etcd.log" "${AS_PG[@]}" etcd --name jichitai --data-dir "$STATE/etcd" \
        --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
        --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
        --initial-cluster "jichitai=http://127.0.0.1:$ETCD_PEER_PORT" --logger zap --log-level warn
}

start_patroni() {  # SHARD MEMBER
    start_bg "patroni-$1-$2" "$STATE/logs/patroni-$1-$2.log" "${AS_PG[@]}" patroni "$STATE/$1/$2/patroni.yml"
}

cmd_start() {  # NAME: start again a component of a running stack that has stopped (killed by a
    # failover test, or crashed), as `up` started it: etcd, or patroni-SHARD-MEMBER (the member
    # rejoins its shard as a replica, rewound with pg_rewind if it was the primary)
    load_env || die "not running (no $STATE/cluster.env)"
    local name=${1:-}
    ! pid_alive "$name" || die "$name is running (pid $(cat "$STATE/pids/$name"))"
    case "$name" in
        etcd)
            start_etcd
            wait_for 30 "etcd" etcd_healthy
            ;;
        patroni-*-*)
            local member=${name##*-} shard=${name#patroni-}
            shard=${shard%-*}
            [ -f "$STATE/$shard/$member/patroni.yml" ] || die "no member $shard-$member"
            start_patroni "$shard" "$member"
            ;;
        *) die "usage: scripts/cluster.sh start etcd|patroni-SHARD-MEMBER" ;;
    esac
    log "started $name (pid $(cat "$STATE/pids/$name"))"
}

cmd_up() {
    local started=$SECONDS
    [ -x "$JICHITAI" ] || die "$JICHITAI not found (run make install)"
    [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 not found in $PG_BIN (run make install)"
    local tool
    for tool in etcd patroni patronictl pgbackrest psql curl; do
        command -v "$tool" >/dev/null || die "$tool not found (run make install)"
    done
    [ ! -e "$STATE" ] || die "$STATE exists: run 'scripts/cluster.sh down' first"
    mkdir -p "$STATE/pids" "$STATE/logs" "$STATE/app/keys"
    chmod 700 "$STATE"
    trap 'on_exit $?' EXIT

    # Ports: etcd client + peer, per shard member PostgreSQL + Patroni REST, the API.
    local ports
    read -r -a ports <<<"$(free_ports 11)"
    ETCD_PORT=${ports[0]}
    ETCD_PEER_PORT=${ports[1]}
    API_PORT=${ports[10]}
    API_URL="http://127.0.0.1:$API_PORT"
    local i=2 shard member
    for shard in "${SHARDS[@]}"; do
        for member in "${MEMBERS[@]}"; do
            printf -v "PG_PORT_${shard}_${member}" '%s' "${ports[$i]}"
            printf -v "REST_PORT_${shard}_${member}" '%s' "${ports[$((i + 1))]}"
            i=$((i + 2))
        done
    done
    PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
    REPLICATION_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
    APP_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')
    SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')

    for shard in "${SHARDS[@]}"; do
        for member in "${MEMBERS[@]}"; do
            local pg="PG_PORT_${shard}_${member}" rest="REST_PORT_${shard}_${member}"
            write_patroni_config "$shard" "$member" "${!pg}" "${!rest}"
        done
    done
    write_pgbackrest_config
    mkdir -p "$STATE/etcd"
    if [ "$(id -u)" -eq 0 ]; then
        chown -R postgres:postgres "$STATE"
        as_pg test -w "$STATE" || die "the postgres user cannot reach $STATE: choose a state dir whose parents it may enter"
    fi

    start_etcd
    wait_for 30 "etcd" etcd_healthy
    log "etcd on 127.0.0.1:$ETCD_PORT ($((SECONDS - started)) s)"

    for shard in "${SHARDS[@]}"; do
        for member in "${MEMBERS[@]}"; do start_patroni "$shard" "$member"; done
    done
    local jobs=()
    for shard in "${SHARDS[@]}"; do
        prepare_shard "$shard" 2>&1 | tee "$STATE/logs/prepare-$shard.log" >&2 &
        jobs+=($!)
    done
    local job failed=0
    for job in "${jobs[@]}"; do wait "$job" || failed=1; done
    # prepare_shard's failure shows in its log: tee hides the exit status, so check the result.
    for shard in "${SHARDS[@]}"; do
        grep -q "^cluster: $shard ready" "$STATE/logs/prepare-$shard.log" || failed=1
    done
    [ "$failed" -eq 0 ] || die "preparing the shards failed (logs above)"

    wait_for 60 "the API's /healthz" api_healthy
    for shard in "${SHARDS[@]}"; do
        wait_for 60 "a Leader and a Sync Standby in $shard" shard_healthy "$shard"
    done
    {
        echo "# jichitai cluster (scripts/cluster.sh up): what runs where. Owner-only: holds passwords."
        echo "JICHITAI_CLUSTER_DIR=$STATE"
        echo "ETCD_PORT=$ETCD_PORT"
        echo "ETCD_PEER_PORT=$ETCD_PEER_PORT"
        for shard in "${SHARDS[@]}"; do
            for member in "${MEMBERS[@]}"; do
                local pg="PG_PORT_${shard}_${member}" rest="REST_PORT_${shard}_${member}"
                echo "PG_PORT_${shard}_${member}=${!pg}"
                echo "REST_PORT_${shard}_${member}=${!rest}"
            done
            echo "MUNICIPALITY_$shard=$(demo_field "$shard" 0)"
            echo "MUNICIPALITY_NAME_$shard=$(demo_field "$shard" 1)"
            echo "DATABASE_URL_$shard='$(shard_url "$shard")'"
            echo "PATRONI_CONFIG_$shard=$STATE/$shard/a/patroni.yml"
        done
        echo "PG_PASSWORD=$PG_PASSWORD"
        echo "APP_LOGIN=$APP_LOGIN"
        echo "APP_PASSWORD=$APP_PASSWORD"
        echo "API_DATABASE_URL='$(app_url shard1)'"
        echo "PGBACKREST_CONFIG=$STATE/pgbackrest/pgbackrest.conf"
        echo "API_PORT=$API_PORT"
        echo "API_URL=$API_URL"
        echo "API_WORKERS=$API_WORKERS"
        echo "CATALOG_SHARD=shard1"
        echo "CATALOG_URL='$(shard_url shard1)'"
        echo "DEMO_LOGIN_shard1=$(demo_login shard1)"
        echo "DEMO_LOGIN_shard2=$(demo_login shard2)"
        echo "JICHITAI_SECRET_KEY=$SECRET_KEY"
        echo "JICHITAI_KEY_DIR=$STATE/app/keys"
        echo "DEMO_PASSWORD=$DEMO_PASSWORD"
    } >"$STATE/cluster.env"
    chmod 600 "$STATE/cluster.env"
    [ "$(id -u)" -ne 0 ] || chown postgres:postgres "$STATE/cluster.env"
    trap - EXIT

    cat <<TEXT

jichitai cluster up in $((SECONDS - started)) s (state: $STATE; details: $STATE/cluster.env)
  etcd            http://127.0.0.1:$ETCD_PORT  (namespace /jichitai/)
TEXT
    for shard in "${SHARDS[@]}"; do
        printf '  %-15s PostgreSQL 127.0.0.1:%s and :%s, Patroni REST :%s and :%s; municipality %s %s\n' \
            "$shard" "$(eval echo "\$PG_PORT_${shard}_a")" "$(eval echo "\$PG_PORT_${shard}_b")" \
            "$(eval echo "\$REST_PORT_${shard}_a")" "$(eval echo "\$REST_PORT_${shard}_b")" "$(demo_field "$shard" 0)" "$(demo_field "$shard" 1)"
    done
    cat <<TEXT
  pgBackRest      repository $STATE/pgbackrest/repo, stanzas ${SHARDS[*]} (WAL archived, one full backup each)
  API             $API_URL  ($API_WORKERS worker processes; /ui/, /docs): both municipalities,
                  each request routed to its shard by the catalog in shard1's database
  workers         one 'jichitai worker' per shard
  demo logins     $(demo_login shard1) (shard1's municipality), $(demo_login shard2) (shard2's); password $DEMO_PASSWORD
  scripts/cluster.sh status | scripts/cluster.sh down
TEXT
}

on_exit() {  # STATUS: after a failed `up`, show the logs and remove what it started
    [ "$1" -ne 0 ] || return 0
    log "up failed; the last lines of each log:"
    local f
    for f in "$STATE"/logs/*.log; do
        [ -s "$f" ] || continue
        echo "--- $f" >&2
        tail -n 15 "$f" >&2
    done
    if [ "${JICHITAI_CLUSTER_KEEP:-}" = 1 ]; then
        log "state kept (JICHITAI_CLUSTER_KEEP=1): $STATE; remove it with 'scripts/cluster.sh down'"
    else
        cmd_down >&2
    fi
    exit 1
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    restore) cmd_restore "${@:2}" ;;
    restore-stop) cmd_restore_stop "${@:2}" ;;
    start) cmd_start "${2:-}" ;;
    *)
        echo "usage: scripts/cluster.sh up|status|down|start NAME|restore SHARD TIME DIR|restore-stop DIR  (state dir: \$JICHITAI_CLUSTER_DIR, default /tmp/jichitai-cluster)" >&2
        exit 2
        ;;
esac
