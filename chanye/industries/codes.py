"""The built-in classification editions, read from the data files shipped in this package."""

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")


@dataclass(frozen=True)
class Edition:
    code: str
    name: str
    issuer: str
    year: int
    filename: str


EDITIONS = (
    Edition(
        "gbt4754-2017",
        "国民经济行业分类 GB/T 4754-2017",
        "国家市场监督管理总局 国家标准化管理委员会",
        2017,
        "gbt4754_2017.csv",
    ),
    Edition("sei-2018", "战略性新兴产业分类(2018)", "国家统计局", 2018, "sei_2018.csv"),
    Edition("dec-2021", "数字经济及其核心产业统计分类(2021)", "国家统计局", 2021, "dec_2021.csv"),
)
EDITION_BY_CODE = {edition.code: edition for edition in EDITIONS}


@dataclass(frozen=True)
class Code:
    code: str
    level: str
    parent: str
    name: str


@cache
def edition_codes(edition: str) -> tuple[Code, ...]:
    """Every code of an edition, in the standard's order."""
    path = DATA_DIR / EDITION_BY_CODE[edition].filename
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            Code(row["code"], row["level"], row["parent"], row["name"]) for row in csv.DictReader(handle)
        )


@cache
def _code_set(edition: str) -> frozenset[str]:
    return frozenset(code.code for code in edition_codes(edition))


def code_exists(edition: str, code: str) -> bool:
    return code.strip() in _code_set(edition)
