#!/usr/bin/env bash
# Renders an HTML report in headless Chromium and saves a PNG screenshot of it, or prints the
# page's DOM once it has loaded (and run any inline script a test put in a copy of it).
# Usage: scripts/screenshot-html.sh REPORT.html OUT.png [WIDTH,HEIGHT]
#        scripts/screenshot-html.sh --dump-dom REPORT.html [WIDTH,HEIGHT]
# Needs Debian's chromium (apt-get install -y chromium). Exits 2 when it is missing, so callers
# (tests) can skip. Networking is disabled: the report must look right with nothing fetched.
set -euo pipefail

usage() {
    echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
    echo "       $0 --dump-dom REPORT.html [WIDTH,HEIGHT]" >&2
    exit 1
}
dump_dom=false
if [[ ${1:-} == --dump-dom ]]; then
    dump_dom=true
    shift
    [[ $# -ge 1 ]] || usage
    report=$1
    size=${2:-1280,1600}
else
    [[ $# -ge 2 ]] || usage
    report=$1
    out=$2
    size=${3:-1280,1600}
fi

browser=""
for candidate in chromium chromium-browser; do
    if command -v "$candidate" >/dev/null 2>&1; then
        browser=$candidate
        break
    fi
done
if [[ -z $browser ]]; then
    echo "chromium not installed (apt-get install -y chromium)" >&2
    exit 2
fi

report_abs=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT

# A private profile, no GPU, no background traffic; the timeout bounds a hung browser.
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
    --disable-background-networking --disable-component-update --disable-sync
    --hide-scrollbars --user-data-dir="$profile" --window-size="$size")

if $dump_dom; then
    timeout 60 "$browser" "${flags[@]}" --dump-dom "file://$report_abs" 2>/dev/null
    exit 0
fi

out_dir=$(cd "$(dirname "$out")" && pwd)
out_abs=$out_dir/$(basename "$out")
timeout 60 "$browser" "${flags[@]}" --screenshot="$out_abs" "file://$report_abs" >/dev/null 2>&1

if [[ ! -s $out_abs ]]; then
    echo "no screenshot written to $out_abs" >&2
    exit 1
fi
echo "$out_abs"
