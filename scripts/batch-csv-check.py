#!/usr/bin/env python3
"""Check that a `dossier batch --csv` file loads as documented in docs/batch.md.

Usage: batch-csv-check.py CSV_FILE JSONL_FILE

Loads the CSV with one pandas.read_csv call and one DuckDB read_csv call (the calls docs/batch.md
gives), then checks that:
  - the header is exactly the documented columns, in order;
  - both loaders give the documented types (version_code an integer, collects a boolean, the
    rest text) and the same number of rows;
  - there is one `app` row per line of the JSON Lines file, for the same paths;
  - the example query ("apps with code of a tracker owned in CN that collects location") gives
    the same answer in both, which it prints.
Exits 1 on any mismatch, 2 on bad usage. Needs `pip install pandas duckdb`.
"""

import collections
import json
import sys

import duckdb
import pandas as pd

COLUMNS = [
    "path", "sha256", "package", "version_code", "version_name", "status", "row", "id", "name",
    "verdict", "strength", "collector", "collector_kind", "collects", "owner", "owner_name",
    "country", "detail",
]

# The types docs/batch.md recommends. Spelled out rather than inferred: inference reads a
# version_name of "1.0" as a number, and pandas' default missing-value words would turn the
# country code NA (Namibia) or an app named "None" into a missing value.
PANDAS_DTYPES = {c: "string" for c in COLUMNS} | {"version_code": "Int64", "collects": "boolean"}
DUCKDB_TYPES = {c: "VARCHAR" for c in COLUMNS} | {"version_code": "UBIGINT", "collects": "BOOLEAN"}


def load_pandas(csv_path):
    return pd.read_csv(csv_path, dtype=PANDAS_DTYPES, keep_default_na=False, na_values=[""])


def load_duckdb(con, csv_path):
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in DUCKDB_TYPES.items())
    con.execute(
        "CREATE TABLE batch AS SELECT * FROM read_csv(?, header = true, columns = {"
        + columns
        + "})",
        [csv_path],
    )


# Category rows of location data where the collector is a tracker owned in CN and that tracker's
# own code calls a location API while the app holds the permission it needs (`collects`).
CN_LOCATION_SQL = """
SELECT DISTINCT path, package, version_code, collector AS tracker, owner_name, id AS category
FROM batch
WHERE "row" = 'category' AND id LIKE 'location\\_%' ESCAPE '\\'
  AND collector_kind = 'tracker' AND country = 'CN' AND collects
ORDER BY path, tracker, category
"""


def cn_location_pandas(df):
    hits = df[
        (df["row"] == "category")
        & df["id"].str.startswith("location_")
        & (df["collector_kind"] == "tracker")
        & (df["country"] == "CN")
        & df["collects"].fillna(False)
    ]
    return (
        hits[["path", "package", "version_code", "collector", "owner_name", "id"]]
        .rename(columns={"collector": "tracker", "id": "category"})
        .drop_duplicates()
        .sort_values(["path", "tracker", "category"])
        .reset_index(drop=True)
    )


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    csv_path, jsonl_path = argv[1], argv[2]
    problems = []

    with open(jsonl_path, encoding="utf-8") as lines:
        record_paths = [json.loads(line)["path"] for line in lines if line.strip()]

    with open(csv_path, encoding="utf-8", newline="") as f:
        header = f.readline().rstrip("\r\n").split(",")
    if header != COLUMNS:
        print(f"MISMATCH: header is {header}, expected {COLUMNS}", file=sys.stderr)
        return 1

    df = load_pandas(csv_path)
    con = duckdb.connect()
    load_duckdb(con, csv_path)

    if list(df.columns) != COLUMNS:
        problems.append(f"pandas: columns are {list(df.columns)}")
    print("pandas dtypes:", ", ".join(f"{c}={t}" for c, t in df.dtypes.astype(str).items()))
    for column, wanted in PANDAS_DTYPES.items():
        if column in df.columns and str(df[column].dtype) != str(pd.Series(dtype=wanted).dtype):
            problems.append(f"pandas: {column} is {df[column].dtype}, expected {wanted}")

    duck_types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE batch)").fetchall())
    print("duckdb types:", ", ".join(f"{c}={t}" for c, t in duck_types.items()))
    for column, wanted in DUCKDB_TYPES.items():
        if duck_types.get(column) != wanted:
            problems.append(f"duckdb: {column} is {duck_types.get(column)}, expected {wanted}")

    duck_rows = con.execute("SELECT count(*) FROM batch").fetchone()[0]
    if duck_rows != len(df):
        problems.append(f"pandas read {len(df)} rows, duckdb {duck_rows}")

    pandas_apps = collections.Counter(df.loc[df["row"] == "app", "path"].tolist())
    duck_apps = collections.Counter(
        p for (p,) in con.execute("SELECT path FROM batch WHERE \"row\" = 'app'").fetchall()
    )
    records = collections.Counter(record_paths)
    print(f"{len(record_paths)} records, {sum(pandas_apps.values())} app rows (pandas), "
          f"{sum(duck_apps.values())} (duckdb), {len(df)} rows in all")
    for loader, apps in (("pandas", pandas_apps), ("duckdb", duck_apps)):
        if apps != records:
            problems.append(
                f"{loader}: app rows without a record: {dict(apps - records)}, "
                f"records without an app row: {dict(records - apps)}"
            )

    from_duckdb = [tuple(row) for row in con.execute(CN_LOCATION_SQL).fetchall()]
    # Missing values as None and numpy integers as int, to compare with DuckDB's tuples.
    from_pandas = [
        tuple(None if pd.isna(v) else (int(v) if k == 2 else v) for k, v in enumerate(row))
        for row in cn_location_pandas(df).itertuples(index=False, name=None)
    ]
    print("apps with code of a CN-owned tracker that collects location (duckdb):")
    for row in from_duckdb:
        print("  " + " | ".join("" if v is None else str(v) for v in row))
    if from_duckdb != from_pandas:
        problems.append(f"the example query differs: duckdb {from_duckdb}, pandas {from_pandas}")

    for problem in problems:
        print("MISMATCH:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
