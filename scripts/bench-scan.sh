#!/usr/bin/env bash
# Times `dossier scan --format json` (release build) on every corpus file and prints a Markdown table
# of wall time, CPU time and peak memory (GNU time's maximum resident set size), best of N runs.
# Usage: bash scripts/bench-scan.sh [CORPUS_DIR] [RUNS]   (default target/corpus, 3 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-${DOSSIER_CORPUS:-target/corpus}}
runs=${2:-3}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release -q
bin=target/release/dossier
echo "| file | size MB | DEX | wall s (best of $runs) | CPU s | peak RSS MB | categories | trackers | endpoints |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
for file in "$corpus"/apks/*.apk "$corpus"/dex/*; do
  [ -f "$file" ] || continue
  best=""; cpu=""; rss=""
  for _ in $(seq "$runs"); do
    stats=$( { /usr/bin/time -f "%e %U %S %M" "$bin" scan "$file" --format json -o /tmp/dossier-bench.json; } 2>&1 >/dev/null | tail -1)
    read -r wall user sys kb <<<"$stats"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
      best=$wall; cpu=$(awk "BEGIN{printf \"%.2f\", $user + $sys}"); rss=$((kb / 1024))
    fi
  done
  counts=$(python3 -c "
import json; d = json.load(open('/tmp/dossier-bench.json'))
print(len(d['categories']), len(d['trackers']), len(d['endpoints']))")
  read -r cats trackers endpoints <<<"$counts"
  size=$(awk "BEGIN{printf \"%.1f\", $(stat -c %s "$file") / 1048576}")
  dex=$("$bin" dex "$file" --format json 2>/dev/null | python3 -c "import json,sys; print(len(json.load(sys.stdin)['dex']))" 2>/dev/null || echo 0)
  echo "| $(basename "$file") | $size | $dex | $best | $cpu | $rss | $cats | $trackers | $endpoints |"
done
