#!/usr/bin/env bash
# Throughput and memory of `dossier batch` on the corpus (target/corpus and ../shared/corpus/sdk-apps):
# files/s, MB/s, the speed-up from 1 to 2 jobs, the workers' peak memory and the coordinator's, each
# the median of N runs. Then the same app set copied 10 times over (each copy with distinct bytes,
# so none is skipped as a duplicate), to show that memory does not grow with the number of inputs.
# Usage: bash scripts/bench-batch.sh [BIN] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/dossier}
rounds=${2:-5}
inputs=(target/corpus)
[ -d ../shared/corpus/sdk-apps ] && inputs+=(../shared/corpus/sdk-apps)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One run: prints "wall_s files mb workers_peak_mib coordinator_peak_mib", read off the closing line
# "... N of N input(s) in T s (F files/s, M MB/s): ...; peak memory X MiB for the workers together,
# Y MiB for this process" (the coordinator measures both itself, so nothing here competes for a core).
one_run() {
  local jobs=$1; shift
  "$bin" batch "$@" -j "$jobs" -o /dev/null 2>"$work/err"
  sed -E 's/.* of ([0-9]+) input\(s\) in ([0-9.]+) s \(([0-9.]+) files\/s, ([0-9.]+) MB\/s\).*peak memory ([0-9.]+) ([KMG]iB) for the workers together, ([0-9.]+) ([KMG]iB) for this process.*/\2 \1 \4 \5 \6 \7 \8/' "$work/err" |
    awk 'function mib(v, u) { return u == "GiB" ? v * 1024 : (u == "KiB" ? v / 1024 : v) }
         { print $1, $2, $3, mib($4, $5), mib($6, $7) }'
}

median_of() { # jobs, inputs... -> the run with the median wall time
  local jobs=$1; shift
  for _ in $(seq "$rounds"); do one_run "$jobs" "$@"; done | sort -n | awk '{a[NR]=$0} END{print a[int((NR+1)/2)]}'
}

report() { # label, jobs, inputs...
  local label=$1 jobs=$2; shift 2
  read -r wall files mb workers coord < <(median_of "$jobs" "$@")
  printf "| %s | %s | %s | %.2f | %.1f | %.1f | %.0f | %.1f |\n" "$label" "$jobs" "$files" "$wall" \
    "$(awk "BEGIN{print $files/$wall}")" "$mb" "$workers" "$coord"
  echo "$wall" >"$work/wall-$label-$jobs"
}

echo "| inputs | jobs | files | wall s (median of $rounds) | files/s | MB/s | workers' peak MiB | coordinator peak MiB |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
report corpus 1 "${inputs[@]}"
report corpus 2 "${inputs[@]}"

# Ten distinct copies of every app: a byte appended after the archive changes the hash, not the app.
mkdir -p "$work/copies"
for i in $(seq 10); do
  for f in $(find "${inputs[@]}" -name '*.apk' -size -8M); do
    cp "$f" "$work/copies/$i-$(basename "$f")"
    printf '%s' "$i" >>"$work/copies/$i-$(basename "$f")"
  done
done
report "10x-small-apps" 2 "$work/copies"
echo
echo "speed-up from 1 to 2 jobs on the corpus: $(awk "BEGIN{printf \"%.2f\", $(cat "$work/wall-corpus-1")/$(cat "$work/wall-corpus-2")}")x"
