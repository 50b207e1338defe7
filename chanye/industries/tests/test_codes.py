"""The built-in classification editions: complete, checked against the published reference list."""

import csv
import io
import os
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from chanye.industries.codes import code_exists, edition_codes

REFERENCE = Path(__file__).resolve().parents[4] / "shared" / "reference" / "gbt4754_2017_codes.csv"


def test_gbt4754_2017_is_complete():
    levels = Counter(code.level for code in edition_codes("gbt4754-2017"))
    assert levels == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}


@pytest.mark.parametrize("edition", ["gbt4754-2017", "sei-2018", "dec-2021"])
def test_every_parent_exists_and_codes_are_unique(edition):
    codes = edition_codes(edition)
    known = {code.code for code in codes}
    assert len(known) == len(codes)
    assert all(code.parent in known for code in codes if code.parent)
    assert all(code.name.strip() == code.name and code.name for code in codes)


def test_table_agrees_with_the_reference_list():
    if not REFERENCE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{REFERENCE} is missing")
        pytest.skip("../shared/reference is not beside this checkout")
    with REFERENCE.open(encoding="utf-8-sig", newline="") as handle:
        reference = {
            row["code"]: (row["level"], row["parent"], row["name"]) for row in csv.DictReader(handle)
        }
    ours = {code.code: (code.level, code.parent, code.name) for code in edition_codes("gbt4754-2017")}
    assert ours.keys() == reference.keys()
    differing = {code: (ours[code], reference[code]) for code in ours if ours[code] != reference[code]}
    assert differing == {}


@pytest.mark.parametrize(
    ("code", "exists"),
    [("I", True), ("65", True), ("651", True), ("6513", True), ("6514", False), ("Z", False), ("", False)],
)
def test_code_exists(code, exists):
    assert code_exists("gbt4754-2017", code) is exists


@pytest.mark.django_db
def test_export_command_writes_code_level_parent_name():
    out = io.StringIO()
    call_command("industry-codes", "export", "--edition", "gbt4754-2017", "--format", "csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["code", "level", "parent", "name"]
    assert len(rows) == 1 + 20 + 97 + 473 + 1381
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["6513"][1:3] == ["小类", "651"]
    assert by_code["65"][1:3] == ["大类", "I"]


@pytest.mark.django_db
def test_code_search_by_code_and_name_in_api_and_page(personas, api_as, login):
    api = api_as(personas["enterprise"])
    by_code = api.get("/api/v1/codes/", {"edition": "gbt4754-2017", "q": "６５１"}).json()
    assert {row["code"] for row in by_code["results"]} >= {"651", "6511", "6512", "6513"}
    by_name = api.get("/api/v1/codes/", {"q": "软件开发"}).json()
    assert any(row["code"] == "651" for row in by_name["results"])
    page = login(personas["dept"]).get("/codes/", {"q": "软件开发"})
    assert page.status_code == 200 and "651" in page.content.decode()


@pytest.mark.parametrize(
    ("edition", "expected"),
    [
        ("sei-2018", {"大类": 9, "中类": 40}),
        ("dec-2021", {"大类": 5, "中类": 32}),
    ],
)
def test_structure_of_the_statistical_catalogues(edition, expected):
    assert Counter(code.level for code in edition_codes(edition)) == expected


def test_the_digital_economy_core_is_categories_01_to_04():
    top = {code.code: code.name for code in edition_codes("dec-2021") if code.level == "大类"}
    assert list(top) == ["01", "02", "03", "04", "05"] and top["05"] == "数字化效率提升业"
