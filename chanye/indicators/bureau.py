"""Statistical-bureau tables of district (and industry) figures, read and placed; no Django import.

A bureau table: a title naming the period ("天河区2024年1-9月主要经济指标"), one indicator a row (指标名称,
with its unit in a 计量单位 column or in brackets), a column for the period's value (本期, 1-9月, 绝对值)
and often one for growth (同比增长(%), 增速); indented 其中 rows, blank rows, notes below (注：…). Rows are
matched to the catalogue by code, name or synonym (`layouts.SYNONYMS`); growth goes to the catalogue's
growth indicator (gdp → gdp_growth); a 其中 row naming an industry of the system (or a row "<industry>
<indicator>") is that industry's figure; every other row is listed as skipped with the reason.

The period rule for bureau tables (`targets`). Bureau tables state year-to-date figures ("1-9月"), the
catalogue keeps each period's own figure at the indicator's frequency. So:
- amounts (flows: 万元, 亿元) are differenced: the 1-9月 figure of a quarterly indicator is recorded as Q3 =
  1-9月 − (Q1 + Q2 held), of a monthly one as September = 1-9月 − (January … August held); when an earlier
  period is not held the table is refused with the periods it needs. A table of exactly one period
  (2024年三季度, 2024年9月当月) is recorded as it is;
- rates (%) are cumulative growth by the catalogue's 口径, recorded as stated at the period the span ends
  (1-9月 growth → Q3 / September); a rate of a span not starting in January is skipped;
- other units (人, 个: stocks at the period's end) are recorded as stated at the period the span ends;
- a full year (2024年, 1-12月) is also recorded as the year figure; its last quarter or month is derived as
  above when the earlier periods are held and otherwise left out with a note;
- a span that does not end where the indicator's period ends (1-8月 of a quarterly indicator, 1-9月 of a
  yearly one) is skipped for that indicator with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain, islice

from chanye.core.tabular.read import Row, column_letter
from chanye.core.tabular.values import AMOUNT_UNITS, amount_unit, clean_text, parse_amount, parse_decimal
from chanye.enterprises.rows import RowError
from chanye.indicators import rows as sheet
from chanye.indicators.layouts import (
    GROWTH_WORDS,
    LABEL_HEADERS,
    LOOKAHEAD,
    PREVIOUS_WORDS,
    UNIT_HEADERS,
    UNIT_NOTE,
    VALUE_WORDS,
    LayoutError,
    Options,
    Skipped,
    Vocabulary,
    blank,
    fields_of,
    is_note,
    key_of,
    known_unit,
    normal_status,
    strip_label,
)
from chanye.indicators.periods import MONTH, QUARTER, YEAR, label

# --- bureau tables: the period ---------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """The months a bureau figure covers, within one year."""

    year: int
    first: int
    last: int

    def __str__(self) -> str:
        if (self.first, self.last) == (1, 12):
            return f"{self.year}年"
        if self.first == self.last:
            return f"{self.year}年{self.last}月"
        return f"{self.year}年{self.first}-{self.last}月"


@dataclass(frozen=True)
class _Said:
    year: int | None
    first: int | None  # None: "the report month" — year to date unless the column says 当月
    last: int


_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def _said(text: str) -> _Said | None:
    """The span a title, header or form field names, as written."""
    value = clean_text(text).replace(" ", "")
    if not value:
        return None
    year_at = re.search(r"(\d{4})(?:年|[-/.]|[Qq]|$|\d{2}$)", value)
    year = int(year_at.group(1)) if year_at else None
    if found := re.search(r"(\d{1,2})月?[-—–~～至到](\d{1,2})月", value):
        return _Said(year, int(found.group(1)), int(found.group(2)))
    if found := re.search(r"前([一二三四1-4])(?:个)?季度", value):
        return _Said(year, 1, 3 * _QUARTERS[found.group(1)])
    if "上半年" in value:
        return _Said(year, 1, 6)
    if "下半年" in value:
        return _Said(year, 7, 12)
    if found := re.search(r"[Qq]([1-4])|第?([一二三四1-4])季度", value):
        quarter = _QUARTERS[found.group(1) or found.group(2)]
        return _Said(year, 3 * quarter - 2, 3 * quarter)
    if found := re.search(r"\d{4}(?:年|[-/.])(\d{1,2})月?|^\d{4}(\d{2})$|(?<!\d)(\d{1,2})月", value):
        month = int(found.group(1) or found.group(2) or found.group(3))
        return _Said(year, None, month) if 1 <= month <= 12 else None
    if year is not None or "全年" in value:
        return _Said(year, 1, 12)
    return None


def _resolve(said: _Said, column: _Said | None, column_text: str, year: int | None) -> Span | None:
    year = said.year or year or (column.year if column else None)
    if year is None:
        return None
    first = said.first
    if first is None:
        if column is not None and column.first is not None and column.last == said.last:
            first = column.first
        elif any(word in column_text for word in ("本月", "当月")):
            first = said.last
        else:
            first = 1
    return Span(year, first, said.last)


def resolve_span(field_text: str, title: str, column_text: str) -> Span:
    """The table's span from the form's 期间, the title and the value column's header (in that order);
    LayoutError when none names a year and months, or the form and the title disagree."""
    column = _said(column_text)
    given = _said(field_text) if clean_text(field_text) else None
    if clean_text(field_text) and given is None:
        raise LayoutError(f"期间无法识别：{clean_text(field_text)}（应为 2024-09、2024年1-9月 或 2024Q3）")
    titled = _said(title)
    from_title = _resolve(titled, column, column_text, None) if titled else None
    from_field = (
        _resolve(given, column, column_text, from_title.year if from_title else None) if given else None
    )
    if from_field and from_title and from_field != from_title:
        raise LayoutError(f"填写的期间（{from_field}）与标题中的期间（{from_title}）不一致")
    span = from_field or from_title or (_resolve(column, None, column_text, None) if column else None)
    if span is None:
        raise LayoutError(
            "未找到期间：标题中没有写明年份和月份，请在“期间”中填写（如 2024-09 表示 1-9月累计）"
        )
    if not (1 <= span.first <= span.last <= 12):
        raise LayoutError(f"期间不存在：{span.year}年{span.first}-{span.last}月")
    return span


@dataclass(frozen=True)
class Target:
    """Where a bureau figure is recorded: a period at a frequency, less the held figures of `subtract`."""

    period: date
    frequency: str
    subtract: tuple[date, ...] = ()
    optional: bool = False  # left out (with a note) when a period to subtract is not held


FLOW, RATE, STOCK = "flow", "rate", "stock"
_SIZE = {MONTH: 1, QUARTER: 3, YEAR: 12}
_FREQUENCY_WORDS = {MONTH: "月度", QUARTER: "季度", YEAR: "年度"}


def kind_of(unit: str) -> str:
    if unit == "%":
        return RATE
    return FLOW if amount_unit(unit) in AMOUNT_UNITS else STOCK


def targets(span: Span, frequency: str, kind: str) -> list[Target] | str:
    """The periods a figure of `span` is recorded at (the module's period rule), or why it is not."""
    size = _SIZE[frequency]
    full = (span.first, span.last) == (1, 12)
    if frequency == YEAR:
        return [Target(date(span.year, 1, 1), YEAR)] if full else f"按年度统计，{span}的数不记录（需全年数）"
    if span.last % size:
        return f"按{_FREQUENCY_WORDS[frequency]}统计，{span}不是季末，不记录"
    start = span.last - size + 1
    own = date(span.year, start, 1)
    result = [Target(date(span.year, 1, 1), YEAR)] if full else []
    if kind == RATE:
        if span.first != 1:
            return f"增速按累计口径（1-N月）统计，{span}的增速不记录"
        return [*result, Target(own, frequency)]
    if kind == STOCK or span.first == start:
        return [*result, Target(own, frequency)]
    if span.first > start or (span.first - 1) % size:
        return f"按{_FREQUENCY_WORDS[frequency]}统计，{span}不是完整的{_FREQUENCY_WORDS[frequency][:1]}"
    earlier = tuple(date(span.year, month, 1) for month in range(span.first, start, size))
    return [*result, Target(own, frequency, earlier, optional=full)]


# --- bureau tables: the rows -----------------------------------------------------------------------


@dataclass
class Figure:
    """One figure a bureau table states, matched to an indicator (and an industry for 其中 rows)."""

    row: int
    column: str
    text: str
    label: str
    indicator: sheet.IndicatorInfo
    industry_id: int | None
    industry_name: str
    value: Decimal
    kind: str


@dataclass
class StatsTable:
    title: str
    span: Span
    status: str
    figures: list[Figure] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    rows: int = 0


def _classify(text: str) -> str:
    key = key_of(text)[0]
    if not key:
        return ""
    if any(word in key for word in GROWTH_WORDS) or key == "%":
        return "growth"
    if any(word in key for word in PREVIOUS_WORDS):
        return "previous"
    if key in UNIT_HEADERS:
        return "unit"
    if key in LABEL_HEADERS:
        return "label"
    if any(word in key for word in VALUE_WORDS) or _said(text) is not None:
        return "value"
    return ""


@dataclass
class _Header:
    """Where a bureau table's header is and what its columns hold."""

    number: int
    title: str
    headers: list[str]  # normalised, for matching
    shown: list[str]  # as the file has them, for messages
    label: int
    unit: int | None
    value: int | None
    growth: int | None
    unknown: list[str]

    def heading(self, index: int) -> str:
        return f"{self.shown[index] or '数值'}（{column_letter(index)} 列）"


def _find_header(ahead: list[Row]) -> tuple[_Header, list[Row]]:
    """The header row (an 指标名称 cell beside a value or growth cell; a second header row below it, as
    under a merged "1-9月", is joined to it), the title rows above, and the rows below."""
    at = next(
        (
            i
            for i, (_n, cells) in enumerate(ahead)
            if any(_classify(cell) == "label" for cell in cells)
            and any(_classify(cell) in ("value", "growth") for cell in cells)
        ),
        None,
    )
    if at is None:
        at = next(
            (i for i, (_n, cells) in enumerate(ahead) if any(_classify(c) == "growth" for c in cells)), None
        )
    if at is None:
        raise LayoutError("统计局报表需要表头：“指标名称”列和本期数（如“1-9月”“本期”“绝对值”）列，未找到。")
    number, cells = ahead[at]
    if "uscc" in fields_of(cells):
        raise LayoutError(
            "这是企业指标表（有统一社会信用代码列），不是统计局报表：请选择“逐行”或“宽表”，或“自动识别”。"
        )
    headers = [clean_text(cell) for cell in cells]
    shown = [cell.strip() for cell in cells]
    rest = ahead[at + 1 :]
    label_column = next((i for i, text in enumerate(headers) if _classify(text) == "label"), 0)
    if rest:
        following = rest[0][1]
        lower = [clean_text(cell) for cell in following]
        same_label = label_column >= len(lower) or lower[label_column] in ("", headers[label_column])
        if same_label and any(_classify(text) in ("value", "growth") for text in lower):
            headers = _join(headers, lower)
            shown = _join(shown, [cell.strip() for cell in following])
            rest = rest[1:]
    title = " ".join(clean_text(cell) for _n, row in ahead[:at] for cell in dict.fromkeys(row) if cell)
    kinds = [_classify(text) if i != label_column else "label" for i, text in enumerate(headers)]
    values = [i for i, kind in enumerate(kinds) if kind == "value"]
    growths = [i for i, kind in enumerate(kinds) if kind == "growth"]
    if not values and not growths:
        raise LayoutError(f"第 {number} 行表头中没有本期数列（如“1-9月”“本期”“绝对值”）。")
    # Of several value columns (本月 and 1-9月), the cumulative one: it is what the title's period means.
    value = next(
        (i for i in values if "累计" in headers[i] or _said(headers[i])), values[0] if values else None
    )
    growth = growths[0] if growths else None
    unit = next((i for i, kind in enumerate(kinds) if kind == "unit"), None)
    used = {label_column, unit, value, growth}
    unknown = [shown[i] for i, text in enumerate(headers) if text and i not in used]
    header = _Header(number, title, headers, shown, label_column, unit, value, growth, unknown)
    return header, rest


def _join(upper: list[str], lower: list[str]) -> list[str]:
    width = max(len(upper), len(lower))
    upper, lower = upper + [""] * (width - len(upper)), lower + [""] * (width - len(lower))
    return [up if up == down else f"{up}{down}" for up, down in zip(upper, lower, strict=True)]


def read_stats(rows: Iterable[Row], vocab: Vocabulary, options: Options) -> StatsTable:
    """A bureau table's figures, skipped rows and row errors; LayoutError when it has no header or period."""
    iterator = iter(rows)
    header, rest = _find_header(list(islice(iterator, LOOKAHEAD)))
    value_text = header.headers[header.value] if header.value is not None else ""
    span = resolve_span(options.period, header.title, value_text)
    status = normal_status(options.status) or (
        "preliminary" if re.search(r"快报|初步|初核|预计", header.title) else "final"
    )
    table = StatsTable(title=header.title, span=span, status=status, unknown=header.unknown)
    reader = _Reader(header, vocab, table)
    for number, cells in chain(rest, iterator):
        if is_note(cells):
            break  # notes run to the end of the table
        table.rows += 1
        reader.read(number, cells)
    return table


_LEVELS = {"district": "全区", "industry": "产业", "enterprise": "企业"}


class _Reader:
    """Reads the rows of one bureau table into its figures, skipped rows and errors."""

    def __init__(self, header: _Header, vocab: Vocabulary, table: StatsTable) -> None:
        self.header, self.vocab, self.table = header, vocab, table
        self.unit = known_unit(key_of(header.title)[1]) if UNIT_NOTE.search(clean_text(header.title)) else ""
        self.parent: sheet.IndicatorInfo | None = None  # the indicator industry rows below belong to
        self.seen: dict[tuple[str, int | None], int] = {}

    def read(self, number: int, cells: list[str]) -> None:
        def cell(index: int | None) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        header = self.header
        name, sub = strip_label(cell(header.label))
        if not name:
            if any(not blank(cell(i)) for i in (header.value, header.growth)):
                self.skip(number, "", "没有指标名称")
            return
        matched = self.match(number, name, sub)
        if matched is None:
            return
        indicator, industry_id, industry_name = matched
        stated = [(header.value, indicator, clean_text(cell(header.unit)) or key_of(name)[1])]
        if header.growth is not None and indicator.unit != "%":
            growth = self.vocab.growth.get(indicator.code)
            if growth is not None:
                stated.append((header.growth, growth, "%"))
            elif not blank(cell(header.growth)):
                reason = f"{header.heading(header.growth)}：目录中没有{indicator.name}的增速指标"
                self.skip(number, name, reason)
        elif header.value is None:
            stated = [(header.growth, indicator, "%")]
        for column, info, unit in stated:
            if column is not None:
                self.record(number, name, column, cell(column), info, unit, industry_id, industry_name)

    def match(self, number: int, name: str, sub: bool) -> tuple[sheet.IndicatorInfo, int | None, str] | None:
        """The row's indicator and industry: an industry's name is that industry's figure of the indicator
        above; "<industry><indicator>" names both; other 其中 rows are parts, not district figures."""
        industry = self.vocab.industry(name)
        if industry is not None:
            if self.parent is None:
                self.skip(number, name, "产业分项上方没有可识别的指标")
                return None
            return self.parent, industry[0], industry[1]
        if (combined := _industry_prefixed(key_of(name)[0], self.vocab)) is not None:
            return combined[0], combined[1][0], combined[1][1]
        if sub:
            self.skip(number, name, "分项（其中…），不作为全区数导入")
            return None
        self.parent = self.vocab.lookup(name)
        if self.parent is None:
            self.skip(number, name, "指标目录中没有该指标")
            return None
        return self.parent, None, ""

    def record(
        self,
        number: int,
        name: str,
        column: int,
        text: str,
        info: sheet.IndicatorInfo,
        unit: str,
        industry_id: int | None,
        industry_name: str,
    ) -> None:
        heading = self.header.heading(column)
        subject = f"{industry_name}的" if industry_name else ""
        if blank(text):
            if column == self.header.value:
                self.skip(number, name, f"{heading}：本期无数值")
            return
        level = "industry" if industry_id is not None else "district"
        if level not in info.levels:
            allowed = "、".join(_LEVELS[level] for level in info.levels)
            self.skip(number, name, f"{subject}{info.name}只在{allowed}层级统计")
            return
        try:
            value = _stats_value(info, text, unit or self.unit)
        except ValueError as error:
            self.table.errors.append(RowError(number, heading, text.strip()[:200], str(error)))
            return
        if (info.code, industry_id) in self.seen:
            reason = f"与第 {self.seen[(info.code, industry_id)]} 行是同一指标（{subject}{info.name}）"
            self.table.errors.append(RowError(number, heading, text.strip()[:200], reason))
            return
        self.seen[(info.code, industry_id)] = number
        self.table.figures.append(
            Figure(
                number,
                heading,
                text.strip(),
                name,
                info,
                industry_id,
                industry_name,
                value,
                kind_of(info.unit),
            )
        )

    def skip(self, number: int, name: str, reason: str) -> None:
        self.table.skipped.append(Skipped(number, name, reason))


def _industry_prefixed(key: str, vocab: Vocabulary) -> tuple[sheet.IndicatorInfo, tuple[int, str]] | None:
    """An industry's name followed by an indicator's, as in 软件与互联网产业增加值."""
    for name, industry in vocab.industries.items():
        if len(name) >= 2 and key.startswith(name) and len(key) > len(name):
            rest = key[len(name) :]
            for candidate in (
                rest,
                rest.removeprefix("产业"),
                rest.removeprefix("业"),
                rest.removeprefix("的"),
            ):
                if candidate and (info := vocab.indicators.get(candidate)) is not None:
                    return info, industry
    return None


def _stats_value(info: sheet.IndicatorInfo, text: str, unit: str) -> Decimal:
    unit = clean_text(unit)
    if info.unit == "%":
        if unit and unit not in ("%", "百分比", "百分点"):
            raise ValueError(f"单位「{unit}」不是百分比，{info.name}的单位是%")
        number = parse_decimal(clean_text(text).removesuffix("%"))
    elif amount_unit(info.unit) in AMOUNT_UNITS:
        problem = sheet.unit_problem(info, unit) if unit else None
        if problem:
            raise ValueError(problem)
        number = parse_amount(text, unit or info.unit, target=info.unit)
    else:
        scale = 1
        if info.unit in sheet.COUNT_UNITS and unit in (f"万{info.unit}", f"万{info.unit}次"):
            unit, scale = info.unit, 10_000  # 从业人员（万人）
        problem = sheet.unit_problem(info, unit) if unit else None
        if problem:
            raise ValueError(problem)
        number = parse_decimal(clean_text(text).removesuffix(info.unit))
        number = number * scale if number is not None else None
    if number is None:
        raise ValueError("不能为空")
    return number


def derived_note(span: Span, target: Target, frequency: str) -> str:
    """What a differenced figure is, for the observation's note."""
    earlier = "、".join(label(period, frequency) for period in target.subtract)
    return f"由{span}累计数减去{earlier}推算" if earlier else f"{span}统计局报表"
