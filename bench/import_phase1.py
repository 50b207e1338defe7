"""Where phase 1 of our import (check and stage) spends its time, piece by piece, without a profiler.

    .venv/bin/python bench/import_phase1.py --rows 200000 --backend {postgresql,sqlite}

Times, over the same rows of the synthetic sheet: reading (open_table + find_header), RowChecker.check as a
whole and each column's parser alone, the size (scale.classify) and industry (Classifier.classify) steps,
the duplicate fingerprint, loader._plain as the loader calls it (connection.vendor looked up per value)
and with the vendor looked up once, and the staging writes (COPY / executemany into a temporary table).
Uses the bench database of enterprise_import (made if missing); writes nothing to the register.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchlib
from benchlib import say


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    benchlib.configure(args.backend, name="import", fresh=False)
    from django.db import connection

    from chanye.core.tabular import Limits, column_letter, find_header, open_table
    from chanye.enterprises import loader, scale, services
    from chanye.enterprises.rows import COLUMN_BY_FIELD, REQUIRED, SYNONYMS, RowChecker

    path = benchlib.csv_input(args.rows)
    lookups = services.lookups()
    timings: dict[str, float] = {}

    def timed(label: str, work):
        started = time.perf_counter()
        result = work()
        timings[label] = time.perf_counter() - started
        return result

    def read():
        with open_table(str(path), path.name, Limits(max_bytes=4 * 2**30, max_rows=args.rows + 10)) as table:
            header = find_header(table.rows(), SYNONYMS, REQUIRED)
            return header, list(header.rest)

    header, rows = timed("read: open_table (encoding check) + csv rows", read)
    headers = {
        index: f"{COLUMN_BY_FIELD[name].label}（{column_letter(index)} 列）"
        for index, name in header.columns.items()
    }
    checker = RowChecker(lookups, header.columns, headers, header.units)
    checked = timed("RowChecker.check, whole", lambda: [checker.check(n, cells)[0] for n, cells in rows])
    for index, name in header.columns.items():
        if name == "tags":
            work = lambda i=index: [checker._tags(cells[i]) for _, cells in rows]  # noqa: E731
        else:
            work = lambda i=index, f=checker._parsers[name]: [f(cells[i]) for _, cells in rows]  # noqa: E731
        timed(f"  parser {name}", work)
    values = [row.values for row in checked]
    if hasattr(scale, "scale_of"):  # the import's fast path since 82be23d
        timed(
            "  scale.scale_of (size)",
            lambda: [
                scale.scale_of(
                    str(v.get("gbt_code") or ""), v.get("employees"), v.get("revenue"), v.get("assets")
                )
                for v in values
            ],
        )
    else:
        timed(
            "  scale.classify (size)",
            lambda: [
                scale.classify(
                    str(v.get("gbt_code") or ""),
                    employees=v.get("employees"),
                    revenue=v.get("revenue"),
                    assets=v.get("assets"),
                )
                for v in values
            ],
        )
    timed(
        "    of which scale.group_for",
        lambda: [scale.group_for(str(v.get("gbt_code") or "")) for v in values],
    )
    classifier = lookups.classifier
    timed(
        "  Classifier.classify (industries)",
        lambda: [
            classifier.classify(str(v.get("gbt_code") or ""), str(v.get("business_scope") or ""))
            for v in values
        ],
    )
    timed(
        "fingerprint hash (duplicates, the loader's form since 82be23d)",
        lambda: [hash((*c.values.values(), *(c.tag_ids or ()), *c.former_names)) for c in checked],
    )
    fields = [name for name in loader.DATA_FIELDS if name in checker.fields or name == "scale"]
    data_fields = [name for name in fields if name != "uscc"]
    timed(
        "loader._plain per value (connection.vendor each time)",
        lambda: [[loader._plain(v.get(name, "")) for name in data_fields] for v in values],
    )
    vendor = connection.vendor

    def plain_once():
        from datetime import date
        from decimal import Decimal

        if vendor == "sqlite":
            return [
                [
                    str(x) if isinstance(x, date | Decimal) else x
                    for x in (v.get(name, "") for name in data_fields)
                ]
                for v in values
            ]
        return [[v.get(name, "") for name in data_fields] for v in values]

    timed("  the same with the vendor looked up once", plain_once)
    staged = [
        (row.row, str(row.values["uscc"]), *[loader._plain(row.values.get(name, "")) for name in data_fields])
        for row in checked
    ]

    def stage():
        with connection.cursor() as cursor:
            loader._create_stage(cursor, fields)
            stager = loader._Stager(
                cursor, loader.STAGE, ["row_no", "uscc", *[loader._column(name) for name in data_fields]]
            )
            for row in staged:
                stager.add(row)
            stager.flush()
            loader._drop_stage(cursor)

    timed(f"stage: {'COPY' if vendor == 'postgresql' else 'executemany'} into the temporary table", stage)
    total = timings["read: open_table (encoding check) + csv rows"] + timings["RowChecker.check, whole"]
    say(f"\n=== phase 1 pieces, {vendor}, {len(rows):,} rows — {benchlib.machine()}")
    say(f"code: {benchlib.code_version()}")
    for label, seconds in timings.items():
        say(f"  {label:<58} {seconds:7.2f} s  {seconds / len(rows) * 1e6:6.1f} µs/row")
    say(f"  (read + check alone: {len(rows) / total:,.0f} rows/s)")


if __name__ == "__main__":
    main()
