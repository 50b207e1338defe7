#!/usr/bin/env bash
# The whole set at the sizes of bench/README.md, one script after another (nothing else should run meanwhile).
# About 45 minutes on 2 cores. Logs in build/bench/logs/, figures in build/bench/results/.
set -u
cd "$(dirname "$0")/.."
L=build/bench/logs
mkdir -p "$L"
PY=.venv/bin/python
$PY bench/enterprise_import.py --rows 1000000 --backend postgresql --sql > "$L/import-pg.log" 2>&1
$PY bench/enterprise_queries.py --rows 1000000 --backend postgresql --keep > "$L/queries-pg.log" 2>&1
$PY bench/enterprise_import.py --rows 1000000 --backend sqlite --sql > "$L/import-sqlite.log" 2>&1
$PY bench/enterprise_queries.py --rows 1000000 --backend sqlite > "$L/queries-sqlite.log" 2>&1
$PY bench/enterprise_xlsx.py --rows 100000 --backend postgresql > "$L/xlsx-pg.log" 2>&1
$PY bench/enterprise_xlsx.py --rows 100000 --backend sqlite > "$L/xlsx-sqlite.log" 2>&1
$PY bench/import_phase1.py --rows 200000 --backend postgresql > "$L/phase1-pg.log" 2>&1
$PY bench/project_burst.py --backend both > "$L/burst.log" 2>&1
