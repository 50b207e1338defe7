"""Periods of an indicator series: a month, a quarter or a year, stored as the date it starts.

No Django import. `parse_period` reads what people write in sheets ("2025-03", "2025年3月", "202503",
"2025Q1", "2025年一季度", "2025年") and says which frequency it is; `label` writes it back.
"""

import re
from datetime import date

MONTH, QUARTER, YEAR = "month", "quarter", "year"
FREQUENCIES = (MONTH, QUARTER, YEAR)

_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?(?:份)?")
_COMPACT_MONTH = re.compile(r"(\d{4})(\d{2})")
_QUARTER = re.compile(r"(\d{4})\s*(?:年)?\s*(?:[-/ ]?\s*[Qq]\s*([1-4])|第?([一二三四1-4])\s*季度?)")
_YEAR = re.compile(r"(\d{4})\s*年?(?:度)?")
_CHINESE = {"一": 1, "二": 2, "三": 3, "四": 4}


def start_of(day: date, frequency: str) -> date:
    """The first day of the period of `frequency` that contains `day`."""
    if frequency == MONTH:
        return day.replace(day=1)
    if frequency == QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if frequency == YEAR:
        return date(day.year, 1, 1)
    raise ValueError(f"unknown frequency {frequency!r}")


def parse_period(text: str) -> tuple[date, str]:
    """The period a cell names, as (start date, frequency); ValueError with the reason a user reads."""
    value = " ".join((text or "").split()).replace("－", "-")
    if not value:
        raise ValueError("不能为空")
    if found := _QUARTER.fullmatch(value):
        digit = found.group(2) or found.group(3)
        quarter = int(_CHINESE.get(digit, digit))
        return date(int(found.group(1)), (quarter - 1) * 3 + 1, 1), QUARTER
    for pattern in (_MONTH, _COMPACT_MONTH):
        if found := pattern.fullmatch(value):
            year, month = int(found.group(1)), int(found.group(2))
            if not 1 <= month <= 12:
                raise ValueError(f"月份不存在：{value}")
            return date(year, month, 1), MONTH
    if found := _YEAR.fullmatch(value):
        return date(int(found.group(1)), 1, 1), YEAR
    raise ValueError(f"无法识别的期间：{value}（应为 2025-03、2025Q1 或 2025）")


def label(start: date, frequency: str) -> str:
    """2025-03, 2025Q1 or 2025."""
    if frequency == MONTH:
        return f"{start:%Y-%m}"
    if frequency == QUARTER:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def in_range(start: date, frequency: str, low: date | None, high: date | None) -> bool:
    return (low is None or start >= low) and (high is None or start <= high)


def months_of(start: date, frequency: str) -> list[date]:
    """The months a period covers, in order."""
    count = {MONTH: 1, QUARTER: 3, YEAR: 12}[frequency]
    return [
        date(start.year + (start.month - 1 + k) // 12, (start.month - 1 + k) % 12 + 1, 1)
        for k in range(count)
    ]
