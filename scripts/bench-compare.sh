#!/usr/bin/env bash
# Compares two dossier binaries on the corpus: `scan --format json` on every file, the two
# binaries run alternately (so load changes hit both alike), N rounds each; prints per file the
# best CPU time (user+sys) and the peak RSS of each, and their ratios, then the totals.
# Usage: bash scripts/bench-compare.sh OLD_BIN NEW_BIN [CORPUS_DIR] [ROUNDS]
#   e.g. git worktree add /tmp/old <commit> && (cd /tmp/old && cargo build --release)
#        bash scripts/bench-compare.sh /tmp/old/target/release/dossier target/release/dossier
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?old binary}; new=${2:?new binary}
corpus=${3:-${DOSSIER_CORPUS:-target/corpus}}
rounds=${4:-5}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
measure() { # bin file -> "cpu_seconds rss_kb"
  { /usr/bin/time -f "%U %S %M" "$1" scan "$2" --format json -o "$out/r.json"; } 2>&1 >/dev/null \
    | tail -1 | awk '{printf "%.2f %d\n", $1 + $2, $3}'
}
echo "| file | old CPU s | new CPU s | CPU new/old | old RSS MB | new RSS MB | RSS new/old |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
total_old=0; total_new=0
for file in "$corpus"/apks/*.apk "$corpus"/dex/*; do
  [ -f "$file" ] || continue
  best_old=""; best_new=""; rss_old=0; rss_new=0
  for _ in $(seq "$rounds"); do
    read -r cpu rss < <(measure "$old" "$file")
    if [ -z "$best_old" ] || awk "BEGIN{exit !($cpu < $best_old)}"; then best_old=$cpu; fi
    [ "$rss" -gt "$rss_old" ] && rss_old=$rss
    read -r cpu rss < <(measure "$new" "$file")
    if [ -z "$best_new" ] || awk "BEGIN{exit !($cpu < $best_new)}"; then best_new=$cpu; fi
    [ "$rss" -gt "$rss_new" ] && rss_new=$rss
  done
  total_old=$(awk "BEGIN{print $total_old + $best_old}")
  total_new=$(awk "BEGIN{print $total_new + $best_new}")
  awk -v f="$(basename "$file")" -v co="$best_old" -v cn="$best_new" -v ro="$rss_old" -v rn="$rss_new" 'BEGIN{
    printf "| %s | %.2f | %.2f | %s | %d | %d | %.2f |\n", f, co, cn,
      (co > 0 ? sprintf("%.2f", cn / co) : "-"), ro / 1024, rn / 1024, (ro > 0 ? rn / ro : 0) }'
done
awk -v o="$total_old" -v n="$total_new" 'BEGIN{printf "| **total** | %.2f | %.2f | %.2f | | | |\n", o, n, n / o}'
