#!/usr/bin/env bash
# Regenerates rules/data/tlds.txt: the top-level domains of the Public Suffix List's ICANN section
# (a fact list, MPL-2.0), from Debian's `publicsuffix` package. Usage: bash scripts/gen-tlds.sh
set -euo pipefail
cd "$(dirname "$0")/.."
list=/usr/share/publicsuffix/public_suffix_list.dat
[ -f "$list" ] || { echo "install Debian's publicsuffix package first" >&2; exit 2; }
version=$(dpkg-query -W -f='${Version}' publicsuffix 2>/dev/null || echo unknown)
{
  echo "# Top-level domains of the ICANN section of the Public Suffix List (publicsuffix.org, MPL-2.0),"
  echo "# Debian package publicsuffix $version; regenerate with scripts/gen-tlds.sh. ASCII and punycode forms, one a line."
  sed -n '1,/===END ICANN DOMAINS===/p' "$list" | grep -v '^//' | grep -v '^\s*$' | grep -v '\.' | python3 -c '
import sys
tlds = set()
for line in sys.stdin:
    name = line.strip().lstrip("*.!")
    if name:
        tlds.add(name.encode("idna").decode("ascii").lower())
print("\n".join(sorted(tlds)))'
} > rules/data/tlds.txt
wc -l rules/data/tlds.txt
