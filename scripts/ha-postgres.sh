#!/usr/bin/env bash
# A PostgreSQL primary, a streaming standby and PgBouncer (pool_mode=transaction) on loopback, for the
# failover tests and benchmarks. Everything lives in a fresh temporary directory on free ports.
#
#   scripts/ha-postgres.sh start              initdb the primary (as an unprivileged user when run as root; user
#                                             market, trust auth, database market), clone the standby from it with
#                                             `pg_basebackup -R`, start both and PgBouncer in front of the primary,
#                                             then write the URLs (below) to $HA_POSTGRES_ENV.
#   scripts/ha-postgres.sh stop               stop all three and remove the directory; no error if already stopped.
#   scripts/ha-postgres.sh stop-primary       stop the primary (`pg_ctl stop -m fast`: sessions cut off at once; the
#                                             standby still receives the WAL written up to then, so no commit is lost).
#   scripts/ha-postgres.sh promote            promote the standby (`pg_ctl promote`) and wait until it takes writes.
#   scripts/ha-postgres.sh restart-pgbouncer  end PgBouncer at once (SIGTERM) and start it again on the same port.
#
# The environment file (HA_POSTGRES_ENV, default /tmp/market-console-ha-postgres.env) exports
#   HA_PRIMARY_URL    postgresql://market@127.0.0.1:P1/market
#   HA_STANDBY_URL    postgresql://market@127.0.0.1:P2/market
#   HA_FAILOVER_URL   postgresql://market@127.0.0.1:P1,127.0.0.1:P2/market?target_session_attrs=read-write
#   HA_PGBOUNCER_URL  postgresql://market@127.0.0.1:PB/market?pooler=transaction
set -euo pipefail

env_file="${HA_POSTGRES_ENV:-/tmp/market-console-ha-postgres.env}"

say() { echo "ha-postgres: $*"; }
die() { echo "ha-postgres: $*" >&2; exit 1; }

# Helpers shared with the other server scripts: postgres_bin, free_port, alive, wait_gone, as_server_user.
source "$(dirname "${BASH_SOURCE[0]}")/lib/servers.sh"

load_env() {
    [[ -f "$env_file" ]] || die "not started ($env_file not found)"
    # shellcheck disable=SC1090
    source "$env_file"
    tmp_dir="$HA_DIR"
    server_user="$HA_USER"
    pg_bin="$HA_PG_BIN"
}

pid_of() { head -n 1 "$tmp_dir/$1/postmaster.pid" 2>/dev/null || true; }

stop_postgres() {
    local data="$tmp_dir/$1" pid
    pid="$(pid_of "$1")"
    alive "$pid" || return 0
    as_server_user "$pg_bin/pg_ctl" stop -D "$data" -m "${2:-fast}" -w -t 30 >/dev/null 2>&1 || true
    if alive "$pid"; then
        kill -TERM "$pid" 2>/dev/null || true
        wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
    fi
}

start_pgbouncer() {
    as_server_user pgbouncer -d -q "$tmp_dir/pgbouncer.ini" || die "PgBouncer failed to start (see $tmp_dir/pgbouncer.log)"
    local tries=100
    until "$pg_bin/psql" -h 127.0.0.1 -p "$HA_PGBOUNCER_PORT" -U market -d market -Atqc 'SELECT 1' >/dev/null 2>&1; do
        ((tries-- > 0)) || die "PgBouncer does not answer on 127.0.0.1:$HA_PGBOUNCER_PORT (see $tmp_dir/pgbouncer.log)"
        sleep 0.1
    done
}

stop_pgbouncer() {
    local pid
    pid="$(cat "$tmp_dir/pgbouncer.pid" 2>/dev/null || true)"
    alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
}

stop_all() {
    [[ -f "$env_file" ]] || { say "nothing to stop ($env_file not found)"; return 0; }
    load_env
    stop_pgbouncer
    stop_postgres standby
    stop_postgres primary
    if [[ -n "$tmp_dir" && -d "$tmp_dir" && "$tmp_dir" == */market-console-ha.* ]]; then
        rm -rf "$tmp_dir"
    fi
    rm -f "$env_file"
    say "stopped"
}

start_all() {
    [[ -f "$env_file" ]] && stop_all >/dev/null
    command -v pgbouncer >/dev/null 2>&1 || die "pgbouncer not found: run scripts/install-deps.sh"
    pg_bin="$(postgres_bin pg_basebackup)"
    tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/market-console-ha.XXXXXX")"
    chmod 755 "$tmp_dir"
    server_user=""
    if [[ $(id -u) -eq 0 ]]; then
        if id -u postgres >/dev/null 2>&1; then
            server_user=postgres
        else
            id -u marketconsole >/dev/null 2>&1 ||
                useradd --system --no-create-home --shell /usr/sbin/nologin marketconsole
            server_user=marketconsole
        fi
        chown "$server_user" "$tmp_dir"
    fi
    local p1 p2 pb
    p1="$(free_port)"
    p2="$(free_port)"
    while [[ "$p2" == "$p1" ]]; do p2="$(free_port)"; done
    pb="$(free_port)"
    while [[ "$pb" == "$p1" || "$pb" == "$p2" ]]; do pb="$(free_port)"; done
    local base="postgresql://market@127.0.0.1"
    {
        echo "export HA_PRIMARY_URL='$base:$p1/market'"
        echo "export HA_STANDBY_URL='$base:$p2/market'"
        echo "export HA_FAILOVER_URL='$base:$p1,127.0.0.1:$p2/market?target_session_attrs=read-write'"
        echo "export HA_PGBOUNCER_URL='$base:$pb/market?pooler=transaction'"
        echo "HA_DIR='$tmp_dir'"
        echo "HA_USER='$server_user'"
        echo "HA_PG_BIN='$pg_bin'"
        echo "HA_PRIMARY_PORT='$p1'"
        echo "HA_STANDBY_PORT='$p2'"
        echo "HA_PGBOUNCER_PORT='$pb'"
    } >"$env_file"
    load_env
    trap 'echo "ha-postgres: start failed; cleaning up" >&2; stop_all >/dev/null 2>&1 || true' ERR

    as_server_user "$pg_bin/initdb" -D "$tmp_dir/primary" -U market --auth=trust -E UTF8 --no-locale --no-sync \
        >"$tmp_dir/initdb.log" 2>&1 || { cat "$tmp_dir/initdb.log" >&2; false; }
    local settings="-c listen_addresses=127.0.0.1 -k '' -c max_connections=300 -c fsync=off -c synchronous_commit=off"
    settings+=" -c full_page_writes=off -c wal_level=replica -c max_wal_senders=5 -c hot_standby=on -c wal_keep_size=256MB"
    say "starting the primary on 127.0.0.1:$p1"
    as_server_user "$pg_bin/pg_ctl" start -D "$tmp_dir/primary" -l "$tmp_dir/primary.log" -w -t 60 -o "-p $p1 $settings" >/dev/null
    PGCONNECT_TIMEOUT=10 "$pg_bin/createdb" -h 127.0.0.1 -p "$p1" -U market market

    say "cloning the standby (pg_basebackup -R) and starting it on 127.0.0.1:$p2"
    as_server_user "$pg_bin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U market -D "$tmp_dir/standby" -R -X stream --checkpoint=fast --no-sync \
        >"$tmp_dir/basebackup.log" 2>&1 || { cat "$tmp_dir/basebackup.log" >&2; false; }
    as_server_user "$pg_bin/pg_ctl" start -D "$tmp_dir/standby" -l "$tmp_dir/standby.log" -w -t 60 -o "-p $p2 $settings" >/dev/null

    say "starting PgBouncer (pool_mode=transaction) on 127.0.0.1:$pb in front of the primary"
    echo '"market" ""' >"$tmp_dir/userlist.txt"
    cat >"$tmp_dir/pgbouncer.ini" <<EOF
[databases]
* = host=127.0.0.1 port=$p1

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $pb
unix_socket_dir =
auth_type = trust
auth_file = $tmp_dir/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 60
max_db_connections = 200
server_reset_query =
server_login_retry = 1
logfile = $tmp_dir/pgbouncer.log
pidfile = $tmp_dir/pgbouncer.pid
admin_users = market
EOF
    [[ -n "$server_user" ]] && chown "$server_user" "$tmp_dir/userlist.txt" "$tmp_dir/pgbouncer.ini"
    start_pgbouncer
    trap - ERR
    say "primary   $HA_PRIMARY_URL"
    say "standby   $HA_STANDBY_URL"
    say "failover  $HA_FAILOVER_URL"
    say "pgbouncer $HA_PGBOUNCER_URL"
    say "environment written to $env_file"
}

case "${1:-}" in
    start) start_all ;;
    stop) stop_all ;;
    stop-primary) load_env; stop_postgres primary fast; say "primary stopped" ;;
    promote)
        load_env
        as_server_user "$pg_bin/pg_ctl" promote -D "$tmp_dir/standby" -w -t 60 >/dev/null
        say "standby promoted"
        ;;
    restart-pgbouncer) load_env; stop_pgbouncer; start_pgbouncer; say "PgBouncer restarted" ;;
    *) echo "usage: $0 start|stop|stop-primary|promote|restart-pgbouncer" >&2; exit 2 ;;
esac
