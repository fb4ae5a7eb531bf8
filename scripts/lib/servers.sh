# Helpers the server scripts share (test-servers.sh, ha-postgres.sh, ha-redis.sh): source it after
# defining `die MESSAGE`. Sets nothing else; every function is self-contained.

# The highest PostgreSQL version's bin directory under /usr/lib/postgresql that has pg_ctl, initdb
# and every tool named in the arguments, else wherever pg_ctl is on PATH.
postgres_bin() {
    local dir tool best="" complete
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
        complete=yes
        for tool in pg_ctl initdb "$@"; do [[ -x "$dir/$tool" ]] || complete=""; done
        [[ -n "$complete" ]] && best="$dir"
    done
    if [[ -z "$best" ]] && command -v pg_ctl >/dev/null 2>&1; then
        best="$(dirname "$(command -v pg_ctl)")"
    fi
    [[ -n "$best" ]] || die "PostgreSQL binaries not found: run scripts/install-deps.sh"
    echo "$best"
}

# A TCP port on 127.0.0.1 that is free right now (the kernel picks it) and that this script has not
# handed out before (several servers started one after another must not get the same one).
free_port_taken=" "
free_port() {
    local port
    while true; do
        if command -v perl >/dev/null 2>&1; then
            port="$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(LocalAddr => "127.0.0.1", LocalPort => 0, Proto => "tcp", Listen => 1, ReuseAddr => 1) or die "bind: $!\n"; print $s->sockport, "\n";')"
        elif command -v python3 >/dev/null 2>&1; then
            port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        else
            die "need perl or python3 to find a free port"
        fi
        [[ "$free_port_taken" != *" $port "* ]] && break
    done
    free_port_taken+="$port "
    echo "$port"
}

# Whether a process with this pid exists and is not a zombie (an exited daemon nobody has reaped yet).
alive() {
    local pid="$1" stat
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
    stat="$(cat "/proc/$pid/stat" 2>/dev/null || true)"
    [[ -z "$stat" ]] && return 0  # no /proc: trust kill -0
    stat="${stat##*) }"
    [[ "${stat:0:1}" != Z && "${stat:0:1}" != X ]]
}

# Waits up to $2 seconds for pid $1 to end.
wait_gone() {
    local pid="$1" tenths=$(($2 * 10))
    while alive "$pid" && ((tenths-- > 0)); do sleep 0.1; done
    ! alive "$pid"
}

# Runs a command as $server_user (via runuser when that is not us), from $tmp_dir.
as_server_user() {
    if [[ -n "${server_user:-}" && "$server_user" != "$(id -un)" ]]; then
        (cd "$tmp_dir" && runuser -u "$server_user" -- "$@")
    else
        (cd "$tmp_dir" && "$@")
    fi
}
