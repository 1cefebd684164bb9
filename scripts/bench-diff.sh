#!/usr/bin/env bash
# Times `dossier diff` (best of N runs, wall and CPU): two saved JSON reports, and two APKs, against
# scanning the larger APK twice; each on one core (taskset -c 0) and on all cores.
# Usage: bash scripts/bench-diff.sh [BIN] [OLD.apk NEW.apk] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/dossier}
old=${2:-target/corpus/apks/yosemite-airtest-1.3.6.apk}
new=${3:-target/corpus/apks/yosemite-airtest-1.4.3.apk}
rounds=${4:-5}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" scan "$old" --format json -o "$work/old.json"
"$bin" scan "$new" --format json -o "$work/new.json"
larger=$old; [ "$(stat -c %s "$new")" -gt "$(stat -c %s "$old")" ] && larger=$new
best() { # label, command... -> best wall and CPU seconds over the rounds
  local label=$1; shift
  local wall="" cpu=""
  for _ in $(seq "$rounds"); do
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" >/dev/null 2>&1
    read -r w c < <(tail -1 "$work/time" | awk '{print $1, $2 + $3}')
    if [ -z "$wall" ] || awk "BEGIN{exit !($w < $wall)}"; then wall=$w; fi
    if [ -z "$cpu" ] || awk "BEGIN{exit !($c < $cpu)}"; then cpu=$c; fi
  done
  printf "| %s | %.3f | %.3f |\n" "$label" "$wall" "$cpu"
}
echo "| what | wall s (best of $rounds) | CPU s (best) |"
echo "| --- | ---: | ---: |"
best "diff of two saved reports" "$bin" diff "$work/old.json" "$work/new.json" --format json
best "diff of two APKs, all cores" "$bin" diff "$old" "$new" --format json
best "diff of two APKs, one core" taskset -c 0 "$bin" diff "$old" "$new" --format json
best "scan of the larger APK, one core (×1)" taskset -c 0 "$bin" scan "$larger" --format json -o "$work/x.json"
