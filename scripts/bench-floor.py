#!/usr/bin/env python3
"""Scan against the inflate floor (issue 13): for every input, the inflate floor (`unzip -p F
'classes*.dex' > /dev/null`, or `cat F > /dev/null` for a bare DEX) and `dossier scan F --format
json -o /dev/null --allow-partial` run alternately, N rounds, each a process of its own; each round
pairs one floor with one scan, and the table shows the median of the per-round ratios and the
median absolute figures. CPU is user + sys and peak RSS is ru_maxrss, both from the kernel's
rusage of the child (os.wait4), so no GNU time is needed.

With --bin-before OLD every round also runs OLD (floor, OLD, NEW in turn), and the totals compare
the corpus CPU of both binaries (the issue's "at most half of today's total CPU").

Usage:
  python3 scripts/bench-floor.py [--rounds N] [--bin BIN] [--bin-before OLD] [--json OUT]
                                 [--corpus DIR | FILE_OR_DIR ...]

Inputs: files given as arguments (a directory stands for its files, or for its apks/ and dex/
when it has them); by default every file of target/corpus/apks and target/corpus/dex.
Standard library only (Python 3.11); needs unzip (Info-ZIP) and cat on PATH.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1 << 20
DEX_ENTRY = re.compile(r"classes\d*\.dex")
# The criteria apply to APKs over 1 MB (10^6 bytes).
GATE_BYTES = 1_000_000
# The memory bound: twice the largest inflated DEX plus a constant.
RSS_SLACK = 64 * MIB
# An empty zip: only the end-of-central-directory record.
EMPTY_ZIP = b"PK\x05\x06" + bytes(18)


def run_measured(argv, stdout_path=os.devnull):
    """Run argv once with stdout and stderr to /dev/null; (exit code, cpu s, wall s, peak RSS bytes)."""
    with open(stdout_path, "wb") as out, open(os.devnull, "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    cpu = usage.ru_utime + usage.ru_stime
    return proc.returncode, cpu, wall, usage.ru_maxrss * 1024  # ru_maxrss is in KiB on Linux


def dex_sizes(path):
    """Inflated sizes of the DEX files of an input, from the zip central directory: the root
    classes*.dex entries, and those of APKs nested one level (split sets). A bare DEX is its file."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    if magic == b"dex\n":
        return [path.stat().st_size], []
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return [], []
    with archive:
        sizes = [i.file_size for i in archive.infolist() if DEX_ENTRY.fullmatch(i.filename)]
        nested = [i.filename for i in archive.infolist() if i.filename.lower().endswith(".apk")]
        for name in nested:
            try:
                with zipfile.ZipFile(archive.open(name)) as inner:
                    sizes += [
                        i.file_size for i in inner.infolist() if DEX_ENTRY.fullmatch(i.filename)
                    ]
            except (zipfile.BadZipFile, OSError, NotImplementedError):
                pass
    return sizes, nested


class Floor:
    """The inflate floor of one input: the argv to time, and any nested APKs extracted (untimed)
    beforehand so that the floor of a split set inflates the DEX inside them too."""

    def __init__(self, path, nested, scratch):
        self.argv = None
        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic == b"dex\n":
            self.argv = ["cat", str(path)]
            return
        if not nested:
            self.argv = ["unzip", "-p", str(path), "classes*.dex"]
            return
        # A split set: the floor is inflating the nested APKs then their DEX, in one shell.
        inner = Path(tempfile.mkdtemp(dir=scratch))
        subprocess.run(["unzip", "-q", "-o", str(path), "*.apk", "-d", str(inner)], check=False)
        apks = sorted(str(p) for p in inner.rglob("*.apk"))
        script = 'unzip -p "$0" "*.apk"; for a in "$@"; do unzip -p "$a" "classes*.dex"; done'
        self.argv = ["sh", "-c", script, str(path), *apks]


def median(values):
    return statistics.median(values) if values else float("nan")


def ratio(a, b):
    return a / b if b > 0 else float("nan")


def fmt(value, digits=2):
    if value != value:  # NaN: a ratio over a floor of zero measured CPU
        return "-"
    return f"{value:.{digits}f}"


def looks_like_input(path):
    """A zip (APK, JAR, split set) or a DEX by its first bytes: a folder's README is not an input."""
    with open(path, "rb") as handle:
        magic = handle.read(4)
    return magic[:2] == b"PK" or magic == b"dex\n"


def folder_inputs(folder):
    return [p for p in sorted(folder.iterdir()) if p.is_file() and looks_like_input(p)]


def inputs_from(args):
    items = list(map(Path, args.inputs)) or [Path(args.corpus)]
    found = []
    for item in items:
        if not item.is_dir():
            found.append(item)
            continue
        subdirs = [d for d in (item / "apks", item / "dex") if d.is_dir()]
        for folder in subdirs or [item]:
            found += folder_inputs(folder)
    return [p for p in found if p.is_file()]


def measure(args, files, scratch):
    bins = [("scan", args.bin)]
    if args.bin_before:
        bins.insert(0, ("before", args.bin_before))
    rows = []
    for number, path in enumerate(files, 1):
        sizes, nested = dex_sizes(path)
        floor = Floor(path, nested, scratch)
        samples = {"floor": [], **{label: [] for label, _ in bins}}
        codes = set()
        for round_index in range(args.warmup + args.rounds):
            pair = {"floor": run_measured(floor.argv)}
            for label, binary in bins:
                pair[label] = run_measured(
                    [binary, "scan", str(path), "--format", "json", "-o", os.devnull, "--allow-partial"]
                )
                if pair[label][0] not in (0, 3):
                    codes.add(f"{label} exit {pair[label][0]}")
            if round_index >= args.warmup:
                for label, result in pair.items():
                    samples[label].append(result)
        row = summarise(path, sizes, samples, [label for label, _ in bins])
        row["problems"] = sorted(codes)
        rows.append(row)
        print(
            f"[{number}/{len(files)}] {path.name}: scan {fmt(row['scan']['cpu'])} s CPU, "
            f"floor {fmt(row['floor']['cpu'])} s, ratio {fmt(row['cpu_ratio'])}",
            file=sys.stderr,
        )
    return rows


def summarise(path, sizes, samples, labels):
    def med(label, index):
        return median([s[index] for s in samples[label]])

    row = {
        "file": path.name,
        "size_bytes": path.stat().st_size,
        "is_apk": path.suffix.lower() == ".apk",
        "dex_count": len(sizes),
        "dex_bytes": sum(sizes),
        "largest_dex_bytes": max(sizes, default=0),
        "rounds": len(samples["floor"]),
    }
    for label in ["floor", *labels]:
        row[label] = {
            "cpu": med(label, 1),
            "wall": med(label, 2),
            "rss_max": max(s[3] for s in samples[label]),
            "cpu_all": [s[1] for s in samples[label]],
            "wall_all": [s[2] for s in samples[label]],
        }
    floors = samples["floor"]
    scans = samples["scan"]
    row["cpu_ratio"] = median([ratio(s[1], f[1]) for s, f in zip(scans, floors) if f[1] > 0])
    row["wall_ratio"] = median([ratio(s[2], f[2]) for s, f in zip(scans, floors) if f[2] > 0])
    if "before" in samples:
        befores = samples["before"]
        row["before_cpu_ratio"] = median(
            [ratio(b[1], f[1]) for b, f in zip(befores, floors) if f[1] > 0]
        )
        row["new_over_before"] = median([ratio(s[1], b[1]) for s, b in zip(scans, befores) if b[1] > 0])
    row["rss_bound"] = 2 * row["largest_dex_bytes"] + RSS_SLACK
    row["within_bound"] = row["scan"]["rss_max"] <= row["rss_bound"]
    row["gated"] = row["is_apk"] and row["size_bytes"] > GATE_BYTES
    return row


def startup(args, scratch):
    empty = Path(scratch) / "empty.apk"
    empty.write_bytes(EMPTY_ZIP)
    result = {}
    bins = [("scan", args.bin)] + ([("before", args.bin_before)] if args.bin_before else [])
    runs = {label: [] for label, _ in bins}
    for _ in range(args.startup_rounds):
        for label, binary in bins:
            runs[label].append(
                run_measured([binary, "scan", str(empty), "--format", "json", "-o", os.devnull, "--allow-partial"])
            )
    for label, samples in runs.items():
        result[label] = {
            "cpu_ms": median([s[1] for s in samples]) * 1000,
            "wall_ms": median([s[2] for s in samples]) * 1000,
            "rss_mib": max(s[3] for s in samples) / MIB,
            "rounds": len(samples),
        }
    return result


def table(rows, args):
    before = bool(args.bin_before)
    head = [
        "file", "size MB", "DEX", "DEX MiB", "largest DEX MiB", "floor CPU s", "scan CPU s",
        "CPU ratio", "floor wall s", "scan wall s", "wall ratio", "peak RSS MiB", "RSS bound MiB",
        "within bound",
    ]
    if before:
        head[6:6] = ["before CPU s", "before CPU ratio"]
        head[13:13] = ["before RSS MiB"]
        head.append("scan/before CPU")
    lines = ["| " + " | ".join(head) + " |", "| --- |" + " ---: |" * (len(head) - 2) + " :-: |"]
    if before:
        lines[1] = "| --- |" + " ---: |" * (len(head) - 3) + " :-: | ---: |"
    for r in rows:
        name = f"**{r['file']}**" if r["gated"] else r["file"]
        cells = [
            name,
            fmt(r["size_bytes"] / 1e6, 1),
            str(r["dex_count"]),
            fmt(r["dex_bytes"] / MIB, 1),
            fmt(r["largest_dex_bytes"] / MIB, 1),
            fmt(r["floor"]["cpu"], 3),
            fmt(r["scan"]["cpu"], 3),
            fmt(r["cpu_ratio"]),
            fmt(r["floor"]["wall"], 3),
            fmt(r["scan"]["wall"], 3),
            fmt(r["wall_ratio"]),
            fmt(r["scan"]["rss_max"] / MIB, 0),
            fmt(r["rss_bound"] / MIB, 0),
            "yes" if r["within_bound"] else "no",
        ]
        if before:
            cells[6:6] = [fmt(r["before"]["cpu"], 3), fmt(r["before_cpu_ratio"])]
            cells[13:13] = [fmt(r["before"]["rss_max"] / MIB, 0)]
            cells.append(fmt(r["new_over_before"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def totals(rows, start, args):
    gated = [r for r in rows if r["gated"]]
    floor_total = sum(r["floor"]["cpu"] for r in rows)
    scan_total = sum(r["scan"]["cpu"] for r in rows)
    out = [
        f"Totals over {len(rows)} files, one process each (sums of the per-file medians): "
        f"floor CPU {floor_total:.2f} s, scan CPU {scan_total:.2f} s "
        f"(×{fmt(ratio(scan_total, floor_total))} the floor)."
    ]
    if args.bin_before:
        before_total = sum(r["before"]["cpu"] for r in rows)
        out.append(
            f"Before ({args.bin_before}): {before_total:.2f} s; scan ({args.bin}): {scan_total:.2f} s; "
            f"scan/before ×{fmt(ratio(scan_total, before_total))} (the issue asks ≤ 0.50)."
        )
    cpu_ok = sum(1 for r in gated if r["cpu_ratio"] <= 2.0)
    wall_ok = sum(1 for r in gated if r["wall_ratio"] <= 1.3)
    rss_ok = sum(1 for r in rows if r["within_bound"])
    out.append(
        f"APKs over 1 MB (bold): {len(gated)}; CPU ratio ≤ 2: {cpu_ok}; wall ratio ≤ 1.3: {wall_ok}. "
        f"Peak RSS within 2 × largest DEX + 64 MiB: {rss_ok} of {len(rows)} files."
    )
    for label in sorted(start):  # "before" first
        figures = start[label]
        name = args.bin if label == "scan" else args.bin_before
        out.append(
            f"Start-up, 22-byte empty zip ({label}: {name}): median {figures['cpu_ms']:.1f} ms CPU, "
            f"{figures['wall_ms']:.1f} ms wall, {figures['rss_mib']:.0f} MiB peak RSS "
            f"({figures['rounds']} runs; the issue asks < 5 ms CPU)."
        )
    problems = [f"{r['file']}: {', '.join(r['problems'])}" for r in rows if r["problems"]]
    if problems:
        out.append("Unexpected exit codes: " + "; ".join(problems))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("inputs", nargs="*", help="files or directories (default: the corpus)")
    parser.add_argument("--corpus", default=str(REPO / "target/corpus"))
    parser.add_argument("--bin", default=str(REPO / "target/release/dossier"))
    parser.add_argument("--bin-before", help="a second binary measured in the same rounds")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (page cache)")
    parser.add_argument("--startup-rounds", type=int, default=20)
    parser.add_argument("--json", help="also write every sample to this file")
    args = parser.parse_args()
    for tool in ("unzip", "cat"):
        if shutil.which(tool) is None:
            sys.exit(f"needs {tool} on PATH")
    for binary in filter(None, [args.bin, args.bin_before]):
        if not os.access(binary, os.X_OK):
            sys.exit(f"not an executable: {binary} (cargo build --release -p dossier-cli)")
    files = inputs_from(args)
    if not files:
        sys.exit("no inputs")
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-floor-") as scratch:
        start = startup(args, scratch)
        rows = measure(args, files, scratch)
    load_after = os.getloadavg()
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"{stamp}, {os.cpu_count()} CPUs, load average {load_before[0]:.2f} before and "
        f"{load_after[0]:.2f} after (1-minute); {args.rounds} rounds + {args.warmup} warm-up, "
        f"floor and scan alternately; medians.\n"
    )
    print(table(rows, args))
    print()
    print(totals(rows, start, args))
    if args.json:
        with open(args.json, "w") as out:
            json.dump(
                {"when": stamp, "load": [load_before, load_after], "bin": args.bin,
                 "bin_before": args.bin_before, "startup": start, "rows": rows},
                out, indent=1,
            )


if __name__ == "__main__":
    main()
