#!/usr/bin/env python3
"""Per input, the share of sensitive call sites that an entry point reaches, as a Markdown table:
for each APK, `dossier scan --format json` gives the sites of every called sensitive API (each
with `unreachable`), and `dossier dex --format json` the call graph's figures and coverage.

Usage: python3 scripts/reach-share.py DOSSIER_BINARY FILE_OR_DIR...
"""

import json
import pathlib
import subprocess
import sys


def run(binary, *args):
    done = subprocess.run([binary, *args], capture_output=True, text=True)
    return json.loads(done.stdout) if done.stdout.strip() else None


def main(argv):
    binary, inputs = argv[0], argv[1:]
    files = []
    for item in inputs:
        path = pathlib.Path(item)
        files += sorted(path.glob("*.apk")) if path.is_dir() else [path]
    print("| input | methods | reachable methods | sensitive call sites | reachable sites | categories unreachable only | coverage |")
    print("| --- | ---: | ---: | ---: | ---: | --- | --- |")
    for path in files:
        report = run(binary, "scan", str(path), "--format", "json", "--allow-partial")
        dex = run(binary, "dex", str(path), "--format", "json")
        if report is None or dex is None:
            print(f"| {path.name} | | | | | | not scanned |")
            continue
        graph = dex["graph"]
        sites = [s for call in report["api_calls"] if call["strength"] == "called" for s in call["sites"]]
        reached = sum(1 for s in sites if not s["unreachable"])
        only = sorted(
            c["id"]
            for c in report["categories"]
            if c["verdict"] == "possible"
            and any(e["standing"] == "unreachable" for e in c["evidence"])
            and not any(e["standing"] == "collects" for e in c["evidence"])
        )
        coverage = graph["coverage"]
        note = "known" if coverage["state"] == "known" else "every method counts: " + coverage["reason"].split(":")[0]
        share = f"{reached} ({100 * reached / len(sites):.0f}%)" if sites else "-"
        methods = graph["methods"]
        reach_m = f"{graph['reachable_methods']} ({100 * graph['reachable_share']:.0f}%)" if methods else "-"
        print(f"| {path.name} | {methods} | {reach_m} | {len(sites)} | {share} | {', '.join(only)} | {note} |")


if __name__ == "__main__":
    main(sys.argv[1:])
