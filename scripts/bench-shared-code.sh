#!/usr/bin/env bash
# Times `dossier scan` (call sites) against `dossier dex` (none) on DEX files of N methods that
# all share one code item calling sensitive APIs (tests/dex_support/shared_code.rs), with peak
# memory from /usr/bin/time -v. Usage: scripts/bench-shared-code.sh [N ...] (default 100000
# 500000 1000000). Builds the release binaries first; the DEX files go to a temporary directory
# that is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p dossier-cli
cargo build --release -q -p dossier --example shared_code_dex
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
uptime
printf '%10s %10s %8s %10s %8s %10s\n' methods dex_MB dex_s dex_MiB scan_s scan_MiB
for n in "${@:-100000 500000 1000000}"; do
  for m in $n; do
    target/release/examples/shared_code_dex "$m" "$work/shared.dex"
    size=$(stat -c %s "$work/shared.dex")
    measure() {
      /usr/bin/time -f '%e %M' -o "$work/time" target/release/dossier "$@" >/dev/null || true
      read -r secs kib <"$work/time"
      echo "$secs $((kib / 1024))"
    }
    read -r dex_s dex_mib <<<"$(measure dex "$work/shared.dex")"
    read -r scan_s scan_mib <<<"$(measure scan "$work/shared.dex" --format json)"
    printf '%10s %10.1f %8s %10s %8s %10s\n' "$m" "$(echo "$size/1000000" | bc -l)" \
      "$dex_s" "$dex_mib" "$scan_s" "$scan_mib"
  done
done
