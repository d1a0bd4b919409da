"""Load a policyledger release's CSV and JSON Lines files with pandas and
check them: row counts equal in both formats and to what the pipeline
reports, primary keys unique, foreign keys resolving, list columns parsing as
JSON arrays, and a known clause's Chinese text identical in both formats.

Usage (from inside a release folder):
    python3 check_release.py '{"counts": {...}, "clause_id": "...", "prefix": "..."}'
"""

import json
import sys

import pandas as pd

want = json.loads(sys.argv[1])
package = json.load(open("datapackage.json", encoding="utf-8"))
schemas = {r["name"]: r["schema"] for r in package["resources"] if r["format"] == "csv"}
has_jsonl = {r["path"].rsplit(".", 1)[0] for r in package["resources"] if r["format"] == "jsonl"}

frames = {}
for table, count in want["counts"].items():
    csv = pd.read_csv(f"{table}.csv", keep_default_na=False, na_values=[""], dtype=str)
    if table not in has_jsonl:  # CSV-only tables (review) are checked on their own
        assert len(csv) == count, f"{table}.csv: {len(csv)} rows, want {count}"
        assert list(csv.columns) == [f["name"] for f in schemas[table]["fields"]], f"{table}.csv columns"
        assert not csv.duplicated(subset=schemas[table]["primaryKey"]).any(), f"{table}.csv: primary key not unique"
        frames[table] = (csv, csv)
        print(f"{table}: {count} rows in CSV")
        continue
    jsonl = pd.read_json(f"{table}.jsonl", lines=True, dtype=False)
    assert len(csv) == count, f"{table}.csv: {len(csv)} rows, want {count}"
    assert len(jsonl) == count, f"{table}.jsonl: {len(jsonl)} rows, want {count}"
    names = [f["name"] for f in schemas[table]["fields"]]
    assert list(csv.columns) == names, f"{table}.csv columns {list(csv.columns)}"
    assert list(jsonl.columns) == names, f"{table}.jsonl columns {list(jsonl.columns)}"
    key = schemas[table]["primaryKey"]
    assert not csv.duplicated(subset=key).any(), f"{table}.csv: primary key {key} not unique"
    assert not jsonl.duplicated(subset=key).any(), f"{table}.jsonl: primary key {key} not unique"
    for field in schemas[table]["fields"]:
        if field["type"] == "array":
            parsed = csv[field["name"]].map(json.loads)
            assert all(isinstance(v, list) for v in parsed), f"{table}.csv {field['name']}: not JSON arrays"
            assert all(isinstance(v, list) for v in jsonl[field["name"]]), f"{table}.jsonl {field['name']}: not lists"
            assert list(parsed) == list(jsonl[field["name"]]), f"{table}: {field['name']} differs between CSV and JSONL"
    frames[table] = (csv, jsonl)
    print(f"{table}: {count} rows in CSV and JSONL")

for table, schema in schemas.items():
    for fk in schema.get("foreignKeys", []):
        ref = fk["reference"]["resource"] or table
        for fmt in (0, 1):
            child = frames[table][fmt][fk["fields"][0]].dropna()
            parent = set(frames[ref][fmt][fk["reference"]["fields"][0]])
            missing = set(child) - parent
            assert not missing, f"{table}.{fk['fields'][0]}: {len(missing)} values do not resolve in {ref}"

texts = []
for frame in frames["clauses"]:
    row = frame[frame.clause_id == want["clause_id"]]
    assert len(row) == 1, f"no clause {want['clause_id']}"
    texts.append(row.iloc[0].text_zh)
assert texts[0] == texts[1], f"text differs: {texts[0]!r} vs {texts[1]!r}"
assert texts[0].startswith(want["prefix"]), f"text {texts[0][:40]!r} does not start with {want['prefix']!r}"

csv_docs = frames["documents"][0]
plan = csv_docs[csv_docs.doc_id == "celac-jap-2022-2024"].iloc[0]
assert plan.truncated == "true" and pd.isna(plan.published_date) and plan.adopted_date == "2021-12-03", "plan metadata"
print("pandas checks passed")
