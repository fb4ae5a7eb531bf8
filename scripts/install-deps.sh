#!/usr/bin/env bash
# Installs what Market Console needs to build, test and run on Debian/Ubuntu, only what is missing:
# the C libraries it links (libpq, hiredis, ncursesw, found through pkg-config), the PostgreSQL and Redis
# servers it starts for itself and for the tests, PgBouncer (scripts/ha-postgres.sh puts it in front of the
# tests' primary), tmux, and Prometheus (the exporter's test scrapes with the real server; promtool checks
# the alert rules). The distribution's own postgresql, redis-server, pgbouncer and prometheus services are
# stopped again if installing them started them: the console and the tests run their own servers. Also
# checks that the Swift toolchain is on PATH.
set -euo pipefail

packages=(libpq-dev libhiredis-dev libncursesw5-dev pkg-config postgresql redis-server tmux pgbouncer prometheus)

installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

missing=()
for package in "${packages[@]}"; do
    installed "$package" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-deps: missing ${missing[*]}, and apt-get is not available: install them by hand" >&2
        exit 1
    fi
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo=(sudo)
        else
            echo "install-deps: missing ${missing[*]}: run this script as root (or install sudo)" >&2
            exit 1
        fi
    fi
    echo "install-deps: installing ${missing[*]}"
    "${sudo[@]}" apt-get update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"

    # The packages may have started their own services; the console and the tests run their own servers
    # (prometheus also brings prometheus-node-exporter, which it recommends).
    if command -v service >/dev/null 2>&1; then
        for package in "${missing[@]}"; do
            case "$package" in
                redis-server) "${sudo[@]}" service redis-server stop >/dev/null 2>&1 || true ;;
                postgresql) "${sudo[@]}" service postgresql stop >/dev/null 2>&1 || true ;;
                pgbouncer) "${sudo[@]}" service pgbouncer stop >/dev/null 2>&1 || true ;;
                prometheus)
                    "${sudo[@]}" service prometheus stop >/dev/null 2>&1 || true
                    "${sudo[@]}" service prometheus-node-exporter stop >/dev/null 2>&1 || true
                    ;;
            esac
        done
    fi
else
    echo "install-deps: all packages present"
fi

# Swift: preinstalled at /opt/swift/usr/bin on the project's machines.
if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "install-deps: swift not found on PATH (nor at /opt/swift/usr/bin): install Swift 6.3 from swift.org and put its usr/bin on PATH" >&2
    exit 1
fi
echo "install-deps: $(swift --version 2>/dev/null | head -n 1)"
