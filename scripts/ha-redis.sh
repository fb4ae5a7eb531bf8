#!/usr/bin/env bash
# Starts or stops a throwaway Redis under Sentinel on loopback, for failover tests and benchmarks:
# one master, one replica and three sentinels (redis-server in sentinel mode), on free ports of
# 127.0.0.1, with no persistence, in a fresh temporary directory.
#
#   scripts/ha-redis.sh start   start them, wait until the replica is in sync and every sentinel knows
#                               the replica and the two other sentinels (so a failover can be agreed),
#                               then write `export REDIS_SENTINEL_URL=redis-sentinel://…#market` and the
#                               ports and pids to $HA_REDIS_ENV and print the URL.
#   scripts/ha-redis.sh stop    stop all five and remove the temporary directory; no error if they are
#                               already stopped.
#
# Sentinels declare the master down after 1 s (down-after-milliseconds) and give a failover 3 s
# (failover-timeout), so killing the master promotes the replica in about 2-4 s.
# HA_REDIS_ENV defaults to /tmp/market-console-ha-redis.env. The master's name is `market`.
# With HA_REDIS_SENTINEL_PASSWORD set, the sentinels ask for it (`requirepass`, which they also use
# with each other); the console then needs the same value in REDIS_SENTINEL_PASSWORD. The script
# hands it to redis-cli through REDISCLI_AUTH, never argv, and does not write it to $HA_REDIS_ENV.
set -euo pipefail

env_file="${HA_REDIS_ENV:-/tmp/market-console-ha-redis.env}"
master_name=market

say() { echo "ha-redis: $*"; }
die() { echo "ha-redis: $*" >&2; exit 1; }

# Helpers shared with the other server scripts: free_port, alive, wait_gone.
source "$(dirname "${BASH_SOURCE[0]}")/lib/servers.sh"

stop_servers() {
    [[ -f "$env_file" ]] || { say "nothing to stop ($env_file not found)"; return 0; }
    # shellcheck disable=SC1090
    source "$env_file"
    local dir="${HA_REDIS_DIR:-}" pid
    local pids="${HA_REDIS_MASTER_PID:-} ${HA_REDIS_REPLICA_PID:-} ${HA_REDIS_SENTINEL_PIDS:-}"
    # A start that failed half-way may not have recorded every pid: the pid files know them.
    if [[ -n "$dir" && -d "$dir" ]]; then
        for file in "$dir"/*.pid; do [[ -f "$file" ]] && pids+=" $(cat "$file" 2>/dev/null || true)"; done
    fi
    for pid in $pids; do alive "$pid" && kill -TERM "$pid" 2>/dev/null || true; done
    for pid in $pids; do
        wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
    done
    if [[ -n "$dir" && -d "$dir" && "$dir" == */market-console-ha-redis.* ]]; then
        rm -rf "$dir"
    fi
    rm -f "$env_file"
    say "stopped"
}

start_servers() {
    stop_servers >/dev/null

    local redis_server redis_cli
    redis_server="$(command -v redis-server || true)"
    redis_cli="$(command -v redis-cli || true)"
    [[ -n "$redis_server" && -n "$redis_cli" ]] || die "redis-server/redis-cli not found: run scripts/install-deps.sh"

    dir="$(mktemp -d "${TMPDIR:-/tmp}/market-console-ha-redis.XXXXXX")"
    local master_port replica_port sentinel_ports=() master_pid="" replica_pid="" sentinel_pids="" url=""

    write_env() {
        {
            echo "export REDIS_SENTINEL_URL='$url'"
            echo "HA_REDIS_DIR='$dir'"
            echo "HA_REDIS_MASTER_NAME='$master_name'"
            echo "HA_REDIS_MASTER_PORT='${master_port:-}'"
            echo "HA_REDIS_MASTER_PID='$master_pid'"
            echo "HA_REDIS_REPLICA_PORT='${replica_port:-}'"
            echo "HA_REDIS_REPLICA_PID='$replica_pid'"
            echo "HA_REDIS_SENTINEL_PORTS='${sentinel_ports[*]:-}'"
            echo "HA_REDIS_SENTINEL_PIDS='$sentinel_pids'"
        } >"$env_file"
    }
    write_env

    fail() {
        echo "ha-redis: $1" >&2
        for log in "$dir"/*.log; do
            [[ -f "$log" ]] || continue
            echo "---- last lines of $log" >&2
            tail -n 10 "$log" >&2 || true
        done
        stop_servers >/dev/null 2>&1 || true
        exit 1
    }

    # $1 = name, then redis-server arguments. Daemonizes, waits for PING, prints the pid.
    # redis-cli on 127.0.0.1:PORT; a sentinel's port gets the sentinel password, through the environment.
    cli() {
        local port="$1"
        shift
        if [[ -n "${HA_REDIS_SENTINEL_PASSWORD:-}" && " ${sentinel_ports[*]} " == *" $port "* ]]; then
            REDISCLI_AUTH="$HA_REDIS_SENTINEL_PASSWORD" "$redis_cli" -h 127.0.0.1 -p "$port" "$@"
        else
            "$redis_cli" -h 127.0.0.1 -p "$port" "$@"
        fi
    }

    start_one() {
        local name="$1" port="$2"
        shift 2
        (cd "$dir" && "$redis_server" "$@" --port "$port" --bind 127.0.0.1 --daemonize yes \
            --pidfile "$dir/$name.pid" --logfile "$dir/$name.log" --dir "$dir") </dev/null >/dev/null ||
            fail "$name failed to start"
        local tries=200
        until [[ "$(cli "$port" ping 2>/dev/null)" == PONG ]]; do
            ((tries-- > 0)) || fail "$name does not answer on 127.0.0.1:$port"
            sleep 0.05
        done
        cat "$dir/$name.pid"
    }

    master_port="$(free_port)"
    replica_port="$(free_port)"
    sentinel_ports=("$(free_port)" "$(free_port)" "$(free_port)")

    say "starting the master on 127.0.0.1:$master_port"
    master_pid="$(start_one master "$master_port" --save "" --appendonly no)"
    write_env
    say "starting the replica on 127.0.0.1:$replica_port"
    replica_pid="$(start_one replica "$replica_port" --save "" --appendonly no --replicaof 127.0.0.1 "$master_port")"
    write_env

    local number=0
    for port in "${sentinel_ports[@]}"; do
        number=$((number + 1))
        # Sentinels rewrite their configuration file: each needs its own, writable.
        cat >"$dir/sentinel$number.conf" <<EOF
sentinel monitor $master_name 127.0.0.1 $master_port 2
sentinel down-after-milliseconds $master_name 1000
sentinel failover-timeout $master_name 3000
sentinel parallel-syncs $master_name 1
EOF
        if [[ -n "${HA_REDIS_SENTINEL_PASSWORD:-}" ]]; then
            printf 'requirepass "%s"\n' "$HA_REDIS_SENTINEL_PASSWORD" >>"$dir/sentinel$number.conf"
        fi
        say "starting sentinel $number on 127.0.0.1:$port"
        sentinel_pids+="$(start_one "sentinel$number" "$port" "$dir/sentinel$number.conf" --sentinel) "
        write_env
    done

    # Ready when the replica has synced and every sentinel has seen the replica and both other sentinels.
    local tries=300 ready
    while true; do
        ready=yes
        cli "$replica_port" info replication 2>/dev/null | grep -q 'master_link_status:up' || ready=no
        for port in "${sentinel_ports[@]}"; do
            [[ "$(cli "$port" sentinel master "$master_name" 2>/dev/null |
                awk 'previous == "num-slaves" || previous == "num-other-sentinels" { printf "%s ", $0 } { previous = $0 }')" == "1 2 " ]] ||
                ready=no
        done
        [[ "$ready" == yes ]] && break
        ((tries-- > 0)) || fail "the sentinels did not find the replica and each other within 30 s"
        sleep 0.1
    done

    url="redis-sentinel://127.0.0.1:${sentinel_ports[0]},127.0.0.1:${sentinel_ports[1]},127.0.0.1:${sentinel_ports[2]}/0#$master_name"
    write_env
    say "REDIS_SENTINEL_URL=$url"
    say "master pid $master_pid on $master_port, replica pid $replica_pid on $replica_port"
    say "environment written to $env_file"
}

case "${1:-}" in
    start) start_servers ;;
    stop) stop_servers ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
