#!/usr/bin/env bash
# Starts or stops throwaway PostgreSQL and Redis servers for the tests, on free ports on 127.0.0.1.
#
#   scripts/test-servers.sh start   initdb into a fresh temporary directory (as an unprivileged user when run
#                                   as root), start PostgreSQL (user market, trust auth, database market_test,
#                                   max_connections=1000, fsync off) and Redis (no persistence), then write
#                                   `export DATABASE_URL=…` and `export REDIS_URL=…` (plus the temporary
#                                   directory and pids) to $TEST_SERVERS_ENV and print the URLs.
#   scripts/test-servers.sh stop    stop both servers and remove the temporary directory; no error if they
#                                   are already stopped.
#
# TEST_SERVERS_ENV defaults to /tmp/market-console-test-servers.env.
set -euo pipefail

env_file="${TEST_SERVERS_ENV:-/tmp/market-console-test-servers.env}"

say() { echo "test-servers: $*"; }
die() { echo "test-servers: $*" >&2; exit 1; }

# Helpers shared with the other server scripts: postgres_bin, free_port, alive, wait_gone, as_server_user.
source "$(dirname "${BASH_SOURCE[0]}")/lib/servers.sh"

stop_servers() {
    [[ -f "$env_file" ]] || { say "nothing to stop ($env_file not found)"; return 0; }
    # shellcheck disable=SC1090
    source "$env_file"
    tmp_dir="${TEST_SERVERS_DIR:-}"
    server_user="${TEST_SERVERS_PG_USER:-}"
    local pg_pid="${TEST_SERVERS_PG_PID:-}" redis_pid="${TEST_SERVERS_REDIS_PID:-}"
    # A start that failed half-way may not have recorded the pids: the pid files know them.
    if [[ -z "$pg_pid" && -n "$tmp_dir" && -f "$tmp_dir/pg/postmaster.pid" ]]; then
        pg_pid="$(head -n 1 "$tmp_dir/pg/postmaster.pid" 2>/dev/null || true)"
    fi
    if [[ -z "$redis_pid" && -n "$tmp_dir" && -f "$tmp_dir/redis.pid" ]]; then
        redis_pid="$(cat "$tmp_dir/redis.pid" 2>/dev/null || true)"
    fi

    if [[ -n "$tmp_dir" && -f "$tmp_dir/pg/postmaster.pid" && -n "${TEST_SERVERS_PG_BIN:-}" ]] && alive "$pg_pid"; then
        as_server_user "$TEST_SERVERS_PG_BIN/pg_ctl" stop -D "$tmp_dir/pg" -m fast -w -t 30 >/dev/null 2>&1 || true
    fi
    if alive "$pg_pid"; then
        kill -TERM "$pg_pid" 2>/dev/null || true
        wait_gone "$pg_pid" 10 || kill -KILL "$pg_pid" 2>/dev/null || true
    fi

    if alive "$redis_pid"; then
        if [[ -n "${TEST_SERVERS_REDIS_PORT:-}" ]] && command -v redis-cli >/dev/null 2>&1; then
            redis-cli -h 127.0.0.1 -p "$TEST_SERVERS_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
        fi
        wait_gone "$redis_pid" 10 || { kill -TERM "$redis_pid" 2>/dev/null || true; }
        wait_gone "$redis_pid" 5 || kill -KILL "$redis_pid" 2>/dev/null || true
    fi

    if [[ -n "$tmp_dir" && -d "$tmp_dir" && "$tmp_dir" == */market-console-test.* ]]; then
        rm -rf "$tmp_dir"
    fi
    rm -f "$env_file"
    say "stopped"
}

start_servers() {
    # Servers left by an earlier start with the same env file are throwaway too.
    stop_servers >/dev/null

    local pg_bin pg_port redis_port redis_server redis_cli
    pg_bin="$(postgres_bin)"
    redis_server="$(command -v redis-server || true)"
    redis_cli="$(command -v redis-cli || true)"
    [[ -n "$redis_server" && -n "$redis_cli" ]] || die "redis-server/redis-cli not found: run scripts/install-deps.sh"

    tmp_dir="$(mktemp -d "${TMPDIR:-/tmp}/market-console-test.XXXXXX")"
    chmod 755 "$tmp_dir"
    mkdir -p "$tmp_dir/pg" "$tmp_dir/run" "$tmp_dir/redis"
    touch "$tmp_dir/postgres.log"

    # PostgreSQL refuses to run as root: use the postgres user, or a system user of our own.
    server_user=""
    if [[ $(id -u) -eq 0 ]]; then
        if id -u postgres >/dev/null 2>&1; then
            server_user=postgres
        else
            id -u marketconsole >/dev/null 2>&1 ||
                useradd --system --no-create-home --shell /usr/sbin/nologin marketconsole
            server_user=marketconsole
        fi
        chown "$server_user" "$tmp_dir/pg" "$tmp_dir/run" "$tmp_dir/postgres.log"
    fi
    chmod 700 "$tmp_dir/pg"

    # Record what there is to clean up before anything can fail.
    write_env() {
        {
            echo "export DATABASE_URL='${database_url:-}'"
            echo "export REDIS_URL='${redis_url:-}'"
            echo "TEST_SERVERS_DIR='$tmp_dir'"
            echo "TEST_SERVERS_PG_BIN='$pg_bin'"
            echo "TEST_SERVERS_PG_USER='$server_user'"
            echo "TEST_SERVERS_PG_PID='${pg_pid:-}'"
            echo "TEST_SERVERS_REDIS_PORT='${redis_port:-}'"
            echo "TEST_SERVERS_REDIS_PID='${redis_pid:-}'"
        } >"$env_file"
    }
    local pg_pid="" redis_pid="" database_url="" redis_url=""
    write_env

    fail() {
        echo "test-servers: $1" >&2
        if [[ -n "${2:-}" && -f "$2" ]]; then
            echo "---- last lines of $2" >&2
            tail -n 20 "$2" >&2 || true
        fi
        stop_servers >/dev/null 2>&1 || true
        exit 1
    }

    if ! as_server_user "$pg_bin/initdb" -D "$tmp_dir/pg" -U market --auth=trust -E UTF8 --no-locale --no-sync \
        >"$tmp_dir/initdb.log" 2>&1; then
        cat "$tmp_dir/initdb.log" >&2
        fail "initdb failed"
    fi

    pg_port="$(free_port)"
    local socket_dir="'$tmp_dir/run'"
    # A Unix socket path has at most 107 bytes: with a longer TMPDIR, TCP only.
    ((${#tmp_dir} + 20 <= 107)) || socket_dir="''"
    say "starting PostgreSQL on 127.0.0.1:$pg_port"
    if ! as_server_user "$pg_bin/pg_ctl" start -D "$tmp_dir/pg" -l "$tmp_dir/postgres.log" -w -t 60 \
        -o "-p $pg_port -k $socket_dir -c listen_addresses=127.0.0.1 -c max_connections=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null; then
        fail "PostgreSQL failed to start" "$tmp_dir/postgres.log"
    fi
    pg_pid="$(head -n 1 "$tmp_dir/pg/postmaster.pid")"
    write_env
    PGCONNECT_TIMEOUT=10 "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U market market_test ||
        fail "cannot create database market_test" "$tmp_dir/postgres.log"
    database_url="postgresql://market@127.0.0.1:$pg_port/market_test"

    redis_port="$(free_port)"
    while [[ "$redis_port" == "$pg_port" ]]; do redis_port="$(free_port)"; done
    say "starting Redis on 127.0.0.1:$redis_port"
    (cd "$tmp_dir" && "$redis_server" --port "$redis_port" --bind 127.0.0.1 --daemonize yes \
        --pidfile "$tmp_dir/redis.pid" --logfile "$tmp_dir/redis.log" --dir "$tmp_dir/redis" \
        --save "" --appendonly no) </dev/null || fail "Redis failed to start" "$tmp_dir/redis.log"
    local tries=200
    until [[ "$("$redis_cli" -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" == PONG ]]; do
        ((tries-- > 0)) || fail "Redis does not answer on 127.0.0.1:$redis_port" "$tmp_dir/redis.log"
        sleep 0.05
    done
    redis_pid="$(cat "$tmp_dir/redis.pid" 2>/dev/null || true)"
    redis_url="redis://127.0.0.1:$redis_port/0"
    write_env

    say "DATABASE_URL=$database_url"
    say "REDIS_URL=$redis_url"
    say "environment written to $env_file"
}

case "${1:-}" in
    start) start_servers ;;
    stop) stop_servers ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
