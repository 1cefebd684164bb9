#!/usr/bin/env python3
"""Checks every `collects` evidence item of a dossier report against `dexdump -d`.

For each category whose verdict is `collected`, each evidence item that collects names a DEX entry,
a method and the code offset of one instruction. This script extracts that DEX from the APK, runs
the real Android `dexdump -d` on it, and confirms that the instruction at that offset of that method
invokes the API, reads the field or loads the string the evidence names. It prints a Markdown table
per app for docs/precision-review.md and exits 1 when an item is not confirmed.

usage: scripts/precision-review.py REPORT.json APP.apk [--max-per-category N]
"""
import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import defaultdict
from pathlib import Path

HEADER = re.compile(r"\|\[[0-9a-f]+\] (.+)$")
INSN = re.compile(r"\|([0-9a-f]{4,}): (.*)$")


def dexdump_form(detail, kind):
    """The text dexdump prints for what an evidence item names."""
    if kind == "string":
        return '"' + detail + '"'
    if "->" not in detail:
        return detail
    cls, member = detail.split("->", 1)
    if kind == "field_read":
        name, _, ty = member.partition(":")
        return f"{cls}.{name}:{ty}"
    name, paren, rest = member.partition("(")
    return f"{cls}.{name}:({rest}" if paren else f"{cls}.{name}"


def method_key(loc):
    """dexdump's `com.x.Y.name:(proto)ret` for a report location."""
    cls = loc["class"][1:-1].replace("/", ".")
    return f"{cls}.{loc['method']}:{loc['proto']}"


def check_dex(dex_bytes, wanted, defined):
    """wanted: {method_key: {offset: [needle, ...]}} -> {(method_key, offset, needle): how};
    defined: method keys whose code must exist (overrides) -> {(method_key, None, None): how}."""
    found = {}
    with tempfile.NamedTemporaryFile(suffix=".dex") as tmp:
        tmp.write(dex_bytes)
        tmp.flush()
        proc = subprocess.Popen(["dexdump", "-d", tmp.name], stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, errors="replace")
        current = None
        for line in proc.stdout:
            m = HEADER.search(line)
            if m:
                if m.group(1) in defined:
                    found[(m.group(1), None, None)] = "confirmed (method defined)"
                current = m.group(1) if m.group(1) in wanted else None
                continue
            if current is None:
                continue
            m = INSN.search(line)
            if not m:
                continue
            offset = int(m.group(1), 16)
            for needle in wanted[current].get(offset, []):
                if needle in m.group(2):
                    found[(current, offset, needle)] = "confirmed"
                elif "." in needle and needle[needle.index(";") + 1:] in m.group(2):
                    # A call written on the app's own subclass, resolved to the framework
                    # method it inherits: same member, another class in the instruction.
                    found[(current, offset, needle)] = "confirmed (call on a subclass)"
        proc.wait()
    return found


def main():
    args = sys.argv[1:]
    limit = 1_000_000
    if "--max-per-category" in args:
        i = args.index("--max-per-category")
        limit = int(args[i + 1])
        del args[i:i + 2]
    report = json.loads(Path(args[0]).read_text())
    apk = zipfile.ZipFile(args[1])
    names = {c["id"]: c["name"] for c in report["collectors"]}
    rows = []
    wanted = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    defined = defaultdict(set)
    for cat in report["categories"]:
        if cat["verdict"] != "collected":
            continue
        items = [e for e in cat["evidence"] if e["standing"] == "collects" and e.get("location")]
        for e in items[:limit]:
            loc = e["location"]
            needle = dexdump_form(e["detail"], e["kind"])
            row = {"category": cat["id"], "who": names.get(e["collector"], e["collector"]),
                   "what": e["detail"], "loc": loc, "needle": needle, "kind": e["kind"]}
            rows.append(row)
            if loc.get("offset") is not None and loc.get("method"):
                wanted[loc["entry"]][method_key(loc)][loc["offset"]].append(needle)
            elif e["kind"] == "override" and loc.get("method"):
                defined[loc["entry"]].add(method_key(loc))
    confirmed = {}
    for entry in set(wanted) | set(defined):
        name = entry.split("#")[0]
        try:
            data = apk.read(name)
        except KeyError:
            continue
        for (method, offset, needle), how in check_dex(data, wanted[entry], defined[entry]).items():
            confirmed[(entry, method, offset, needle)] = how
    manifest = subprocess.run(["aapt", "dump", "xmltree", args[1], "AndroidManifest.xml"],
                              capture_output=True, text=True, errors="replace").stdout
    print(f"#### {report['app'].get('label') or report['app'].get('package')} "
          f"(`{report['app'].get('package')}` {report['app'].get('version_name')})\n")
    print("| category | collected by | call | where | dexdump |")
    print("|---|---|---|---|---|")
    failures = 0
    for r in rows:
        loc = r["loc"]
        where = f"`{loc['entry']}` `{loc['class']}->{loc.get('method')}` @{loc.get('offset', 0):04x}" \
            if loc.get("offset") is not None else f"`{loc['entry']}` `{loc.get('class')}`"
        if r["kind"] == "component":
            # `receiver NAME for ACTION`: both must be in the manifest aapt decodes.
            parts = r["what"].split(" ")
            ok = "confirmed by aapt (receiver and action)" if len(parts) >= 4 \
                and f'"{parts[1]}"' in manifest and f'"{parts[3]}"' in manifest else None
        elif r["kind"] == "override":
            ok = confirmed.get((loc["entry"], method_key(loc), None, None))
        else:
            ok = confirmed.get((loc["entry"], method_key(loc) if loc.get("method") else None,
                                loc.get("offset"), r["needle"]))
        if not ok:
            failures += 1
        what = r["what"].replace("|", "\\|")
        print(f"| `{r['category']}` | {r['who']} | `{what}` | {where} | {ok or 'NOT FOUND'} |")
    print()
    print(f"{len(rows) - failures} of {len(rows)} confirmed by dexdump (receivers by aapt).\n")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
