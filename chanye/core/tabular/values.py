"""Tolerant parsers for the values people type into spreadsheets: full-width digits, thousands separators,
units in the cell ("3亿元", "1200人"), dates in every local style and Excel serial numbers.

Each parser returns None for an empty cell and raises ValueError with a Chinese reason a user can act
on; the reason quotes what was in the cell. Amounts are Decimal and converted between units exactly.
No Django import.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d{1,2})?")
_GROUPED = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_MAX_NUMBER_CHARS = 40

# Powers of ten relative to 元, so converting is a shift of the exponent: exact, never a float.
AMOUNT_UNITS = {
    "元": 0,
    "千元": 3,
    "万元": 4,
    "百万元": 6,
    "千万元": 7,
    "亿元": 8,
    "万亿元": 12,
}
_UNIT_ALIASES = {
    "": None,
    "元": "元",
    "人民币元": "元",
    "rmb": "元",
    "cny": "元",
    "千元": "千元",
    "万": "万元",
    "万元": "万元",
    "百万": "百万元",
    "百万元": "百万元",
    "千万": "千万元",
    "千万元": "千万元",
    "亿": "亿元",
    "亿元": "亿元",
    "万亿": "万亿元",
    "万亿元": "万亿元",
}
_CELL_UNIT = re.compile(r"(万亿元|万亿|千万元|千万|百万元|百万|亿元|亿|万元|万|千元|元)$")
_FOREIGN = re.compile(
    r"美元|美金|港元|港币|欧元|日元|英镑|澳门元|新台币|usd|hkd|eur|jpy|gbp|\$", re.IGNORECASE
)
_CURRENCY_MARKS = re.compile(r"^(人民币|rmb|cny|¥)|(人民币|rmb|cny)$", re.IGNORECASE)
_COUNT_SUFFIX = re.compile(r"(人|个|名|家|户|项|件|位)$")

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL = re.compile(r"(\d{5})(?:\.\d+)?")
_YMD = re.compile(
    r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def clean_text(value: str) -> str:
    """Full-width to half-width (NFKC), zero-width characters gone, whitespace runs as one space, trimmed.

    Text pasted from web pages and WPS carries U+3000 spaces, non-breaking spaces and zero-width
    joiners that make two equal names compare unequal.
    """
    text = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", value or ""))
    return " ".join(text.split())


def parse_decimal(value: str) -> Decimal | None:
    """A plain number: "1,234.50", "１２３", "¥1 000", "1.2e3", "-5". "" → None.

    Thousands separators must group by three ("12,34" is refused: it may be a European decimal).
    """
    text = clean_text(value)
    if not text:
        return None
    number = _number_text(text)
    if number is None:
        raise ValueError(f"不是数字：{text}")
    return number


def _number_text(text: str) -> Decimal | None:
    """The Decimal for a number written with optional ¥ and grouping, or None if it is not one."""
    body = text.removeprefix("¥").replace(" ", "")
    if len(body) > _MAX_NUMBER_CHARS:
        return None
    if "," in body:
        if not _GROUPED.fullmatch(body):
            return None
        body = body.replace(",", "")
    if not _NUMBER.fullmatch(body):
        return None
    try:
        return Decimal(body)
    except InvalidOperation:  # pragma: no cover - the pattern only lets valid literals through
        return None


def _tidy(number: Decimal) -> Decimal:
    """Drop trailing fractional zeros (1.2000 → 1.2) without turning 100 into 1E+2."""
    try:
        if number == number.to_integral_value():
            return number.quantize(Decimal(1))
        return number.normalize()
    except InvalidOperation:  # more digits than the context's precision: leave it as it is
        return number


def parse_amount(value: str, unit: str | None = None, target: str = "万元") -> Decimal | None:
    """A sum of money in ``target`` units (元, 千元, 万元, 百万元, 千万元, 亿元).

    A unit in the cell wins ("3亿", "500万", "12000元", "1,234.5万元", "500万元人民币"); otherwise the
    header's ``unit`` (e.g. "万元" from "注册资本（万元）") applies, and 万元 when there is none, since
    that is how Chinese statistics report money. Foreign currency and negative amounts are refused.
    """
    text = clean_text(value)
    if not text:
        return None
    target_unit = amount_unit(target)
    if target_unit is None:
        raise ValueError(f"不认识的金额单位：{target}")
    if _FOREIGN.search(text):
        raise ValueError(f"金额应为人民币：{text}")
    body = _CURRENCY_MARKS.sub("", text).strip()
    match = _CELL_UNIT.search(body)
    if match:
        cell_unit: str | None = _UNIT_ALIASES[match.group(1)]
        body = body[: match.start()].strip()
        body = _CURRENCY_MARKS.sub("", body).strip()
    else:
        cell_unit = amount_unit(unit) if unit else "万元"
        if cell_unit is None:
            raise ValueError(f"不认识的金额单位：{unit}")
    number = _number_text(body)
    if number is None:
        raise ValueError(f"不是金额：{text}")
    if number < 0:
        raise ValueError(f"金额不能为负数：{text}")
    assert cell_unit is not None
    return _tidy(abs(number).scaleb(AMOUNT_UNITS[cell_unit] - AMOUNT_UNITS[target_unit]))


def amount_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    return _UNIT_ALIASES.get(clean_text(unit).replace(" ", "").casefold())


def parse_int(value: str) -> int | None:
    """A whole number: "1,200", "1200人", "１２００", "1200.0". "12.5" is refused."""
    text = clean_text(value)
    if not text:
        return None
    body = _COUNT_SUFFIX.sub("", text).strip()
    number = _number_text(body)
    if number is None:
        raise ValueError(f"不是数字：{text}")
    if number != number.to_integral_value():
        raise ValueError(f"应为整数：{text}")
    return int(number)


def parse_date(value: str) -> dt.date | None:
    """A date as people write it: "2023-01-05", "2023/1/5", "2023.1.5", "2023年1月5日", "20230105",
    "2023-01-05 00:00:00" (time dropped), or an Excel serial number (20000–80000, i.e. 1954–2119)
    that reached us as text. Dates that do not exist ("2023-02-30") are refused, not rolled over.
    """
    text = clean_text(value)
    if not text:
        return None
    if match := _SERIAL.fullmatch(text):
        serial = int(match.group(1))
        if 20000 <= serial <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=serial)
        raise ValueError(f"无法识别的日期：{text}")
    match = _YMD.fullmatch(text) or _COMPACT.fullmatch(text)
    if not match:
        raise ValueError(f"无法识别的日期：{text}")
    year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"日期不存在：{text}") from None


__all__ = [
    "AMOUNT_UNITS",
    "amount_unit",
    "clean_text",
    "parse_amount",
    "parse_date",
    "parse_decimal",
    "parse_int",
]
