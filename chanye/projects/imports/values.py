"""What people type in the cells: stage, category, milestone and status words, months, years, amounts in
万元 — each read into the value we keep, or ValueError with the reason a user reads."""

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import translation

from chanye.core.tabular import clean_text, parse_date, parse_int
from chanye.projects.imports.sheets import MILESTONE_LABELS, TEXT_LIMITS
from chanye.projects.models import Category, Stage

YUAN = Decimal("0.0001")  # money is kept in 万元 to four decimals
MONEY_LIMIT = Decimal(10) ** 14
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_MONTH = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:月份?)?")


def _choices(choices, extra: dict[str, str]) -> dict[str, str]:
    with translation.override("zh-hans"):
        words = {str(label): value for value, label in choices}
    words.update({value: value for value, _label in choices})
    words.update(extra)
    return words


STAGE_WORDS = _choices(
    Stage.choices,
    {
        "新开工": "new",
        "新建": "new",
        "在建": "continuing",
        "已竣工": "completed",
        "建成": "completed",
        "已投产": "operating",
    },
)
CATEGORY_WORDS = _choices(
    Category.choices,
    {"产业": "industry", "基础设施建设": "infrastructure", "民生": "livelihood", "社会事业": "livelihood"},
)
MILESTONE_WORDS = {
    **{label: kind for kind, label in MILESTONE_LABELS.items()},
    **{kind: kind for kind in MILESTONE_LABELS},
    "封顶": "topping",
    "规划许可证": "planning",
    "施工许可证": "construction",
    "建设工程规划许可证": "planning",
    "完工": "completion",
}
SUBMIT_WORDS = {"": True, "报送": True, "已报送": True, "提交": True, "已提交": True, "上报": True}
DRAFT_WORDS = {"草稿", "暂存", "保存"}


def parse_word(text: str, words: dict[str, str]) -> str | None:
    """The value a word stands for, also when written with 项目 / 阶段 / 类 after it; None if unknown."""
    key = clean_text(text).replace(" ", "")
    for candidate in (key, key.removesuffix("项目"), key.removesuffix("阶段"), key.removesuffix("类")):
        if candidate in words:
            return words[candidate]
    return None


def parse_text(raw: str, name: str) -> str:
    text = clean_text(raw)
    limit = TEXT_LIMITS.get(name)
    if limit and len(text) > limit:
        raise ValueError(f"超过 {limit} 个字符（{len(text)} 个）")
    return text


def split_words(text: str) -> list[str]:
    """A list written in one cell: 企业自筹、专项债 / 开工,主体封顶 …"""
    return [part for part in _SPLIT.split(text) if part]


def parse_day(raw: str) -> date | None:
    """parse_date, and a month alone ("2025-03", "2025年3月") as its first day: plans are written by month."""
    text = clean_text(raw)
    if not text:
        return None
    try:
        return parse_date(text)
    except ValueError:
        found = _MONTH.fullmatch(text)
        if found and 1 <= int(found.group(2)) <= 12:
            return date(int(found.group(1)), int(found.group(2)), 1)
        raise


def parse_month(raw: str) -> date | None:
    """A month: "2025-03", "2025/3", "2025年3月", "202503", or a date in it (the day is dropped)."""
    text = clean_text(raw).replace(" ", "")
    if not text:
        return None
    found = _MONTH.fullmatch(text) or re.fullmatch(r"(\d{4})(\d{2})", text)
    if found is None:
        try:
            day = parse_date(text)
        except ValueError:
            raise ValueError(f"月份格式应为 YYYY-MM（如 2025-03），而不是「{text}」") from None
        assert day is not None
        return day.replace(day=1)
    year, month = int(found.group(1)), int(found.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"月份应为 1–12，而不是 {month}")
    return date(year, month, 1)


def to_money(amount: Decimal | None) -> Decimal | None:
    """An amount in 万元 as the database keeps it: to the yuan (4 decimals), below 10^14."""
    if amount is None:
        return None
    if amount >= MONEY_LIMIT:
        raise ValueError(f"金额过大：{plain(amount)} 万元")
    return amount.quantize(YUAN) if amount.as_tuple().exponent < -4 else amount  # type: ignore[operator]


def parse_year(raw: str) -> int | None:
    number = parse_int(clean_text(raw).removesuffix("年度").removesuffix("年"))
    if number is not None and not 2000 <= number <= 2100:
        raise ValueError(f"年度应为四位年份，如 2025，而不是 {number}")
    return number


def plain(value: Any) -> Any:
    """A value as messages and history show it: plain numbers, ISO dates."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def same(a: Any, b: Any) -> bool:
    """Equal, amounts to the yuan."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return a is not None and b is not None and abs(Decimal(a) - Decimal(b)) < Decimal("0.00005")
    return a == b
