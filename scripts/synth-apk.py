#!/usr/bin/env python3
"""Synthetic multi-DEX APKs for the scale benchmark of issue 13: APKs of about 25, 50, 100 and
200 MiB of inflated DEX, made of the corpus's real DEX files, with a real binary manifest (and the
resources.arsc of the same app, so that its references resolve).

DEX files: the root classes*.dex entries of every corpus APK and JAR, and every bare .dex file,
kept once per distinct content (SHA-256). The manifest's own app comes first (so that the classes
its components name are there and the call graph has its entry points), then the other distinct
files in the order of their SHA-256 (a fixed mix of apps and sizes); when the distinct files run
out, the same order repeats from the start. Entries are classes.dex, classes2.dex, ... deflated,
with a fixed timestamp: the same corpus gives the same bytes.

Repeated copies get no shortcut in dossier (copies are recognised by the archive record they read,
not by content: see src/container/input.rs CodeCopies), so a repeat costs a full DEX scan; the
call graph keeps only the first definition of a class for dispatch (src/callgraph/index.rs), as
in a real app with duplicate classes.

Usage:
  python3 scripts/synth-apk.py OUT_DIR [--corpus DIR] [--sizes 25 50 100 200]
                               [--manifest-from APK]
then measure them:  python3 scripts/bench-floor.py OUT_DIR/*.apk
Standard library only (Python 3.11). OUT_DIR must be outside the repository.
"""

import argparse
import hashlib
import json
import re
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
MIB = 1 << 20
DEX_ENTRY = re.compile(r"classes\d*\.dex")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
# Taken from the manifest's app: the manifest, and the resource table its references resolve in.
DONOR_ENTRIES = ("AndroidManifest.xml", "resources.arsc")


def is_dex(data):
    return len(data) >= 8 and data[:4] == b"dex\n" and data[7] == 0


def dex_of(path):
    """(entry label, bytes) of each DEX of one corpus file, in entry order; none if unreadable."""
    data = path.read_bytes()
    if is_dex(data):
        return [(path.name, data)]
    try:
        with zipfile.ZipFile(path) as archive:
            found = []
            for info in archive.infolist():
                if DEX_ENTRY.fullmatch(info.filename):
                    body = archive.read(info)
                    if is_dex(body):
                        found.append((f"{path.name}!{info.filename}", body))
            return sorted(found, key=lambda item: dex_order(item[0]))
    except (zipfile.BadZipFile, OSError, NotImplementedError, zipfile.LargeZipFile, EOFError):
        return []


def dex_order(label):
    """classes.dex, classes2.dex, ... in Android's order."""
    name = label.rsplit("!", 1)[-1]
    digits = name[len("classes") : -len(".dex")]
    return int(digits) if digits.isdigit() else 1


def corpus_files(corpus):
    files = []
    for sub in ("apks", "dex"):
        folder = corpus / sub
        if folder.is_dir():
            files += sorted(p for p in folder.iterdir() if p.is_file())
    return files


def distinct_dex(corpus, donor):
    """The distinct DEX files: the donor's first (its own order), then the rest by SHA-256."""
    seen = {}
    for path in corpus_files(corpus):
        for label, body in dex_of(path):
            digest = hashlib.sha256(body).hexdigest()
            seen.setdefault(digest, (label, body))
    donor_digests = [hashlib.sha256(body).hexdigest() for _, body in dex_of(donor)]
    first = [d for d in donor_digests if d in seen]
    rest = sorted(d for d in seen if d not in set(first))
    return [(d, *seen[d]) for d in first + rest]


def build(out, size_mib, pool, donor_files):
    """One APK of at least size_mib MiB of DEX; returns what it holds."""
    target = size_mib * MIB
    chosen = []
    total = 0
    index = 0
    while total < target:
        digest, label, body = pool[index % len(pool)]
        chosen.append((digest, label, body))
        total += len(body)
        index += 1
    path = out / f"synth-{size_mib:03d}mib.apk"
    with zipfile.ZipFile(path, "w") as archive:
        for name, body in donor_files:
            write(archive, name, body)
        for number, (_, _, body) in enumerate(chosen, 1):
            write(archive, "classes.dex" if number == 1 else f"classes{number}.dex", body)
    distinct = len({digest for digest, _, _ in chosen})
    return {
        "file": path.name,
        "apk_bytes": path.stat().st_size,
        "dex_count": len(chosen),
        "distinct_dex": distinct,
        "repeated_copies": len(chosen) - distinct,
        "dex_bytes": total,
        "largest_dex_bytes": max(len(body) for _, _, body in chosen),
        "sources": [label for _, label, _ in chosen],
    }


def write(archive, name, body):
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, body, compresslevel=6)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="output directory (outside the repository)")
    parser.add_argument("--corpus", default=str(REPO / "target/corpus"))
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100, 200], help="MiB of DEX")
    parser.add_argument(
        "--manifest-from",
        default=None,
        help="the APK whose binary AndroidManifest.xml, resources.arsc and DEX (first) the "
        "synthetic APKs take "
        "(default: CORPUS/apks/appium-settings-8.0.10.apk: an app with activities, services and "
        "receivers, no <instrumentation>, so reachability is computed from its entry points)",
    )
    args = parser.parse_args()
    corpus = Path(args.corpus)
    out = Path(args.out).resolve()
    if out == REPO or REPO in out.parents:
        sys.exit(f"{out} is inside the repository; write the synthetic APKs elsewhere")
    donor = Path(args.manifest_from or corpus / "apks/appium-settings-8.0.10.apk")
    with zipfile.ZipFile(donor) as archive:
        names = set(archive.namelist())
        donor_files = [(n, archive.read(n)) for n in DONOR_ENTRIES if n in names]
    pool = distinct_dex(corpus, donor)
    if not pool:
        sys.exit(f"no DEX files found in {corpus}")
    pool_bytes = sum(len(body) for _, _, body in pool)
    out.mkdir(parents=True, exist_ok=True)
    built = [build(out, size, pool, donor_files) for size in args.sizes]
    summary = {
        "manifest_from": donor.name,
        "distinct_dex_files": len(pool),
        "distinct_dex_bytes": pool_bytes,
        "apks": built,
    }
    (out / "synth-apks.json").write_text(json.dumps(summary, indent=1) + "\n")
    print(
        f"{len(pool)} distinct DEX files in {corpus} ({pool_bytes / MIB:.1f} MiB); "
        f"manifest and first DEX from {donor.name}\n"
    )
    print("| APK | APK MB | DEX MiB | DEX files | distinct | repeated copies | largest DEX MiB |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for apk in built:
        print(
            f"| {apk['file']} | {apk['apk_bytes'] / 1e6:.1f} | {apk['dex_bytes'] / MIB:.1f} | "
            f"{apk['dex_count']} | {apk['distinct_dex']} | {apk['repeated_copies']} | "
            f"{apk['largest_dex_bytes'] / MIB:.1f} |"
        )


if __name__ == "__main__":
    main()
