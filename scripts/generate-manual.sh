#!/usr/bin/env bash
# Regenerates docs/market-console.1, the man page, from the command-line definitions (swift-argument-parser's
# generate-manual plugin, run on the debug build). With --check, writes nothing and exits 1 when the shipped
# page differs from a fresh one (the date line aside), so scripts/test.sh can tell that it is stale.
#
# The page's date is the date of the last commit that touched the commands (Sources/Console), so that
# regenerating an unchanged tree gives the same file.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v swift >/dev/null 2>&1 && [[ -x /opt/swift/usr/bin/swift ]]; then
    export PATH="/opt/swift/usr/bin:$PATH"
fi

check=false
[[ "${1:-}" == "--check" ]] && check=true

date="$(git log -1 --format=%cs -- Sources/Console 2>/dev/null || true)"
[[ -n "$date" ]] || date="$(date -u +%Y-%m-%d)"

swift package plugin generate-manual --configuration debug --date "$date" >/dev/null
generated=".build/plugins/GenerateManual/outputs/Console/market-console.1"
[[ -f "$generated" ]] || { echo "generate-manual: $generated was not written" >&2; exit 1; }

if $check; then
    if ! diff <(grep -v '^\.Dd ' docs/market-console.1) <(grep -v '^\.Dd ' "$generated") >/dev/null; then
        echo "generate-manual: docs/market-console.1 is stale: run scripts/generate-manual.sh and commit it" >&2
        exit 1
    fi
    echo "generate-manual: docs/market-console.1 is up to date"
else
    mkdir -p docs
    cp "$generated" docs/market-console.1
    echo "generate-manual: wrote docs/market-console.1"
fi
