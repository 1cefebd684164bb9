#!/usr/bin/env python3
"""Converts a dossier report of schema 2.x to the 1.0 shape, for consumers not yet migrated.

Usage: report-2to1.py REPORT.json > report-1.0.json   (standard input with '-')

The mapping (docs/report-schema.md, "Migrating from 1.x"): structured locations become the 1.0
strings ("member!entry", then one space and the DEX method), call sites become {dex, class,
method, collector}, native libraries get their `path` back, `status` and the `truncated` markers
are dropped. Arrays are re-sorted by the 1.0 keys. With --compare OLD.json it instead checks that
the converted report equals OLD (a 1.0 report of the same input) field for field, and prints the
differences; the exit code is 1 when there are any.
"""
import json
import sys


def location_text(loc, drop_member_for=()):
    if loc is None:
        return ""
    entry = loc["entry"]
    # 1.0 wrote the manifest and the resource table without the split member they came from.
    member = None if entry in drop_member_for else loc.get("member")
    text = f"{member}!{entry}" if member else entry
    if loc.get("class"):
        method = loc["class"]
        if loc.get("method") is not None:
            method += "->" + loc["method"] + (loc.get("proto") or "")
        text += " " + method
    return text


BASE_ENTRIES = ("AndroidManifest.xml", "resources.arsc")


def evidence(e):
    return {
        "kind": e["kind"],
        "rule": e["rule"],
        "strength": e["strength"],
        "detail": e["detail"],
        "location": location_text(e["location"], BASE_ENTRIES),
        "collector": e["collector"],
    }


STRENGTH = ["declared", "referenced", "reflective", "native", "called"]
# Evidence kinds in the order of the model's enum, which is how evidence is sorted.
KINDS = ["permission", "component", "meta_data", "api_call", "field_read", "api_reference",
         "string", "reflection", "native_import", "tracker", "host"]


def evidence_key(e):
    return (-STRENGTH.index(e["strength"]), KINDS.index(e["kind"]), e["rule"], e["detail"], e["location"],
            e["collector"] or "")


def dedup_sorted(items, key):
    out = []
    for item in sorted(items, key=lambda i: (key(i), json.dumps(i, sort_keys=True))):
        if not out or out[-1] != item:
            out.append(item)
    return out


def convert(report):
    out = dict(report)
    out["schema_version"] = "1.0"
    out.pop("status", None)
    out["categories"] = []
    for c in report["categories"]:
        c = dict(c)
        c.pop("truncated", None)
        c["evidence"] = dedup_sorted([evidence(e) for e in c["evidence"]], evidence_key)
        out["categories"].append(c)
    out["api_calls"] = []
    for call in report["api_calls"]:
        call = dict(call)
        call.pop("truncated", None)
        sites = []
        for s in call["sites"]:
            loc = s["location"]
            entry = f'{loc["member"]}!{loc["entry"]}' if loc.get("member") else loc["entry"]
            sites.append({
                "dex": entry,
                "class": loc["class"],
                "method": f'{loc["class"]}->{loc["method"]}{loc.get("proto") or ""}',
                "collector": s["collector"],
            })
        call["sites"] = dedup_sorted(sites, lambda s: (s["dex"], s["class"], s["method"], s["collector"]))
        out["api_calls"].append(call)
    out["trackers"] = []
    for t in report["trackers"]:
        t = dict(t)
        t["evidence"] = dedup_sorted([evidence(e) for e in t["evidence"]], evidence_key)
        out["trackers"].append(t)
    out["endpoints"] = []
    for e in report["endpoints"]:
        e = dict(e)
        e.pop("truncated", None)
        e["sources"] = dedup_sorted(
            [{"kind": s["kind"], "location": location_text(s["location"], BASE_ENTRIES),
              "collector": s["collector"]} for s in e["sources"]],
            lambda s: (s["kind"], s["location"], s["collector"] or ""))
        out["endpoints"].append(e)
    libs = []
    for lib in report["native_libs"]:
        lib = dict(lib)
        loc = lib.pop("location")
        lib["path"] = location_text(loc)
        libs.append({"path": lib["path"], **{k: v for k, v in lib.items() if k != "path"}})
    out["native_libs"] = sorted(libs, key=lambda l: l["path"])
    return out


def diff(a, b, path="$", found=None):
    found = [] if found is None else found
    if len(found) > 50:
        return found
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                found.append(f"{path}.{k}: only in {'new' if k in a else 'old'}")
            else:
                diff(a[k], b[k], f"{path}.{k}", found)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            found.append(f"{path}: {len(a)} items (converted) vs {len(b)} (old)")
        for i, (x, y) in enumerate(zip(a, b)):
            diff(x, y, f"{path}[{i}]", found)
    elif a != b:
        found.append(f"{path}: {json.dumps(a)[:200]} != {json.dumps(b)[:200]}")
    return found


def main(argv):
    args = argv[1:]
    compare = None
    if "--compare" in args:
        i = args.index("--compare")
        compare = args[i + 1]
        del args[i:i + 2]
    source = sys.stdin if not args or args[0] == "-" else open(args[0], encoding="utf-8")
    converted = convert(json.load(source))
    if compare is None:
        json.dump(converted, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    with open(compare, encoding="utf-8") as f:
        old = json.load(f)
    differences = diff(converted, old)
    for line in differences:
        print(line)
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
