"""The three layouts of an indicator sheet, and from each the figures it states; no Django import.

- long: one figure a row (统一社会信用代码, 指标, 期间, 数值, 单位, 状态), checked by `rows.RowChecker`.
- wide: one enterprise a row and one column per indicator ("营业收入(万元)", "税收（单位：元）"), or one column
  per period ("2024年1月", "2024-02", "2024年一季度", "2024年") for one indicator named in the title or in a
  指标 column. Every filled cell is turned into the row the long layout would have had and checked by the
  same `RowChecker`, so an error names the file's row, the file's column ("营业收入(万元)（D 列）"), the
  value and the reason. A blank cell (or "—") is no figure; 合计 rows and notes (注：…) are skipped.
- stats: a statistical bureau's table of district (and industry) figures, read and placed by the
  period rule in `bureau`.

`detect` tells them apart from the header when the person importing leaves the layout to 自动识别.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import chain, islice

from chanye.core.tabular.read import Row, column_letter, normalise_header
from chanye.core.tabular.values import amount_unit, clean_text
from chanye.enterprises.rows import RowError
from chanye.indicators import rows as sheet
from chanye.indicators.periods import parse_period

AUTO, LONG, WIDE, STATS = "auto", "long", "wide", "stats"
LAYOUTS = {
    AUTO: "自动识别",
    LONG: "逐行（每行一个数）",
    WIDE: "宽表（每个指标或每个期间一列）",
    STATS: "统计局报表（全区指标）",
}
LOOKAHEAD = 20

# What bureaus and enterprises write for the shipped catalogue's indicators, besides code and name.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "gdp": ("GDP", "生产总值", "地区生产总值(GDP)", "全区生产总值", "地区GDP"),
    "gdp_growth": ("GDP增速", "地区生产总值增长", "地区生产总值增长率", "生产总值增速"),
    "fai": ("固定资产投资额", "全社会固定资产投资", "固定资产投资(不含农户)", "固定资产投资完成额"),
    "fai_growth": ("固定资产投资增长", "固定资产投资增长率", "全社会固定资产投资增速"),
    "value_added": ("增加值", "产业增加值总量"),
    "cluster_scale": ("集群规模", "产业规模"),
    "revenue": ("营业总收入", "主营业务收入", "营收", "营业收入总额"),
    "tax": ("税收收入", "纳税额", "纳税总额", "税收总额", "国内税收", "缴纳税收", "税额"),
    "employees": ("从业人数", "从业人员期末人数", "从业人员数", "职工人数", "员工人数", "用工人数"),
    "rd_spend": ("研发费用", "研发经费", "R&D经费", "R&D经费内部支出", "研发经费支出", "研发投入额"),
    "output": ("总产值", "工业总产值", "工业产值", "产值总额"),
    "secondary_share": ("第二产业占比", "第二产业增加值占比"),
    "digital_core_share": ("数字经济核心产业占比", "数字经济核心产业增加值占比"),
    "sei_share": ("战略性新兴产业占比", "战略性新兴产业增加值占比"),
    "modern_services_share": ("现代服务业占比", "现代服务业增加值占比"),
}
LABEL_HEADERS = {"指标名称", "指标", "指标名", "主要指标", "项目", "项目名称", "统计指标", "名称"}
UNIT_HEADERS = {"计量单位", "单位", "金额单位"}
VALUE_WORDS = (
    "本期",
    "本月",
    "当月",
    "累计",
    "绝对值",
    "数值",
    "总量",
    "本年",
    "金额",
    "完成",
    "实绩",
    "全年",
    "数据",
)
GROWTH_WORDS = ("增长", "增速", "增幅", "同比", "比上年", "±", "增减")
PREVIOUS_WORDS = ("上年", "去年", "同期")
BLANKS = {"", "-", "--", "—", "——", "/", "…", "……", "...", "－", "x", "X", "×"}
TOTAL_WORDS = {"合计", "总计", "小计", "全部", "汇总"}
NOTE = re.compile(r"^(注|说明|备注|填表说明|资料来源|数据来源|附注)\s*[:：0-9１-９.、]")
UNIT_NOTE = re.compile(r"(?:计量|金额)?单位\s*[:：]\s*([^\s,，;；)）]+)")
_SUB = re.compile(r"^(?:其中|内|含)\s*[:：]\s*|^[#＃△▲*]+\s*")
_ORDINAL = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d+\s*[、．]|\d+\.(?!\d))\s*"
)
_UNIT_LIKE = re.compile(r"(元|人|个|家|户|项|件|%|吨|平方米|千瓦时)$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class LayoutError(ValueError):
    """The sheet as a whole cannot be read in the layout asked for (or none can be recognised)."""


@dataclass(frozen=True)
class Options:
    """What the person importing says about the file: its layout, its period and status (blank: from the file)."""

    layout: str = AUTO
    period: str = ""
    status: str = ""


@dataclass
class Skipped:
    row: int
    label: str
    reason: str


# --- the vocabulary --------------------------------------------------------------------------------


def key_of(text: str) -> tuple[str, str]:
    """A name as a matching key (full-width folded, spaces gone, case-folded, brackets removed) and the unit
    written in its brackets or after 单位：."""
    text = clean_text(text)
    unit = ""
    if found := UNIT_NOTE.search(text):
        unit = found.group(1)
        text = (text[: found.start()] + text[found.end() :]).strip(" ,，;；()（）")
    key, bracket = normalise_header(text)
    # Brackets also hold remarks ("(现价)", "(GDP)"); only what reads as a unit is one, so that a wrong
    # unit ("(美元)", "(万元)" over head counts) is still caught.
    return key, unit or (bracket if _UNIT_LIKE.search(bracket) else "")


@dataclass
class Vocabulary:
    """Indicators by code, name and synonym; industries of the system by code and name; growth indicators."""

    indicators: dict[str, sheet.IndicatorInfo] = field(default_factory=dict)
    industries: dict[str, tuple[int, str]] = field(default_factory=dict)
    growth: dict[str, sheet.IndicatorInfo] = field(default_factory=dict)

    def lookup(self, text: str) -> sheet.IndicatorInfo | None:
        key = key_of(text)[0]
        return self.indicators.get(key) if key else None

    def industry(self, text: str) -> tuple[int, str] | None:
        key = key_of(text)[0]
        if not key:
            return None
        for candidate in (key, key.removesuffix("产业"), key.removesuffix("业"), key.removesuffix("行业")):
            if candidate and candidate in self.industries:
                return self.industries[candidate]
        return None

    def find_in(self, text: str) -> sheet.IndicatorInfo | None:
        """The indicator a title names: the longest Chinese name or synonym found in it."""
        title = key_of(text)[0]
        best: tuple[int, sheet.IndicatorInfo] | None = None
        for key, info in self.indicators.items():
            if _CJK.search(key) and key in title and (best is None or len(key) > best[0]):
                best = (len(key), info)
        return best[1] if best else None

    def names(self) -> str:
        return "、".join(sorted({info.name for info in self.indicators.values()}))


def vocabulary(
    indicators: Iterable[sheet.IndicatorInfo], industries: Iterable[tuple[int, str, str]] = ()
) -> Vocabulary:
    """`indicators` to match; `industries` as (id, code, name). Codes and names win over synonyms."""
    found = Vocabulary()
    listed = list(indicators)
    for info in listed:
        found.indicators.setdefault(info.code.casefold(), info)
        found.indicators.setdefault(key_of(info.name)[0], info)
    for info in listed:
        for word in SYNONYMS.get(info.code, ()):
            found.indicators.setdefault(key_of(word)[0], info)
    by_code = {info.code: info for info in listed}
    by_name = {key_of(info.name)[0]: info for info in listed}
    for info in listed:
        growth = by_code.get(f"{info.code}_growth") or by_name.get(key_of(f"{info.name}增速")[0])
        if growth is not None and growth.unit == "%":
            found.growth[info.code] = growth
    for pk, code, name in industries:
        found.industries.setdefault(code.casefold(), (pk, name))
        found.industries.setdefault(key_of(name)[0], (pk, name))
    return found


# --- which layout ----------------------------------------------------------------------------------


def fields_of(cells: list[str]) -> set[str]:
    keys = {
        normalise_header(word)[0]: name for name, words in sheet.SYNONYMS.items() for word in (name, *words)
    }
    return {keys[key] for key, _unit in map(normalise_header, cells) if key in keys}


def detect(rows: Iterable[Row], district: Vocabulary) -> str:
    """The layout of a sheet from its first rows: an enterprise code column with a 数值 column is the long
    layout, with columns naming indicators or periods the wide one; without a code column, an 指标名称
    column or rows naming district indicators make a bureau table."""
    ahead = list(islice(rows, LOOKAHEAD))
    for _number, cells in ahead:
        found = fields_of(cells)
        if "uscc" in found:
            if "value" in found:
                return LONG
            wide = any(district.lookup(cell) or wide_period(cell) for cell in cells if clean_text(cell))
            # Neither: the long layout names the columns it misses.
            return WIDE if wide else LONG
    named = 0
    for _number, cells in ahead:
        if any(key_of(cell)[0] in LABEL_HEADERS for cell in cells[:3]):
            return STATS
        first = next((cell for cell in cells if clean_text(cell)), "")
        named += district.lookup(strip_label(first)[0]) is not None
    if named >= 2:
        return STATS
    raise LayoutError(
        "无法识别表格格式：前 20 行中既没有“统一社会信用代码”列（企业指标，逐行或宽表），"
        "也没有“指标名称”列或可识别的全区指标行（统计局报表）。请下载模板对照，或在“格式”中选择。"
    )


# --- the wide layout -------------------------------------------------------------------------------


@dataclass
class _Column:
    index: int
    header: str  # as the file has it, with the column letter
    checker: sheet.RowChecker
    indicator: str = ""  # code, for indicator columns
    period: str = ""  # the header's period, for period columns


@dataclass
class WideSheet:
    """A wide sheet's header understood: `check` turns one data row into the long layout's checked rows."""

    mode: str  # "indicators" or "periods"
    columns: list[_Column]
    uscc: int
    uscc_header: str
    period: int | None = None
    period_text: str = ""
    status: int | None = None
    indicator: int | None = None
    indicator_code: str = ""
    unit: int | None = None
    name: int | None = None
    unknown: list[str] = field(default_factory=list)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    def check(
        self, number: int, cells: list[str]
    ) -> tuple[list[sheet.CheckedRow], list[RowError], Skipped | None]:
        def at(index: int | None) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        filled = [column for column in self.columns if not blank(at(column.index))]
        uscc = at(self.uscc)
        if not clean_text(uscc):
            words = {clean_text(cell).replace(" ", "") for cell in cells[:4]}
            if words & TOTAL_WORDS:
                return [], [], Skipped(number, "合计", "合计行，不导入")
            if not filled:
                return [], [], None
        indicator, unit = self.indicator_code, at(self.unit)
        if self.indicator is not None:
            text = at(self.indicator)
            found = self.vocabulary.lookup(text)
            indicator = found.code if found else text
            unit = clean_text(unit) or key_of(text)[1]
        checked: list[sheet.CheckedRow] = []
        errors: list[RowError] = []
        for column in filled:
            virtual = [
                uscc,
                column.indicator or indicator,
                column.period or (at(self.period) if self.period is not None else self.period_text),
                at(column.index),
                at(self.status),
                unit,
            ]
            row, problems = column.checker.check(number, virtual)
            if row is not None:
                checked.append(row)
            errors.extend(problem for problem in problems if problem not in errors)
        return checked, errors, None


def is_note(cells: list[str]) -> bool:
    first = next((clean_text(cell) for cell in cells if clean_text(cell)), "")
    return bool(NOTE.match(first))


def blank(text: str) -> bool:
    return clean_text(text).replace(" ", "") in BLANKS


def wide_period(text: str) -> str | None:
    """A header naming one period ("2024年1月", "2024-02", "2024年一季度", "2024年", a date cell 2024-03-01)
    as the text `parse_period` reads; None when it is not a period."""
    value = clean_text(text).replace(" ", "")
    if found := re.fullmatch(r"(\d{4})-(\d{2})-01(?:00:00:00)?", value):
        value = f"{found.group(1)}-{found.group(2)}"
    value = value.removesuffix("度") if value.endswith("年度") else value
    if not re.match(r"\d{4}", value):
        return None
    try:
        parse_period(value)
    except ValueError:
        return None
    return value


def _title_period(title: str) -> str:
    """The one period a title names ("2024年3月重点企业指标" → 2024年3月); "" for a range or none."""
    text = clean_text(title).replace(" ", "")
    if re.search(r"\d{1,2}[-—–~～至到]\d{1,2}月|前[一二三四1-4]季度|上半年|下半年", text):
        return ""
    for pattern in (
        r"\d{4}年?[Qq][1-4]|\d{4}年第?[一二三四1-4]季度?",
        r"\d{4}(?:年|[-/.])\d{1,2}月?",
        r"\d{4}年",
    ):
        if found := re.search(pattern, text):
            return found.group(0)
    return ""


def wide_sheet(rows: Iterable[Row], vocab: Vocabulary, options: Options) -> tuple[WideSheet, Iterator[Row]]:
    """Find the header of a wide sheet and understand its columns; LayoutError when it cannot be used."""
    iterator = iter(rows)
    ahead = list(islice(iterator, LOOKAHEAD))
    at = next((i for i, (_n, cells) in enumerate(ahead) if "uscc" in fields_of(cells)), None)
    if at is None:
        raise LayoutError("宽表需要“统一社会信用代码”列：前 20 行中没有找到。")
    number, cells = ahead[at]
    title = " ".join(clean_text(cell) for _n, row in ahead[:at] for cell in row if clean_text(cell))
    keys = {
        normalise_header(word)[0]: name
        for name, words in sheet.SYNONYMS.items()
        if name != "value"
        for word in (name, *words)
    }
    fixed: dict[str, int] = {}
    indicator_columns: list[tuple[int, str, sheet.IndicatorInfo, str]] = []
    period_columns: list[tuple[int, str, str]] = []
    unknown: list[str] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(cells):
        text = clean_text(raw)
        if not text:
            continue
        header = f"{raw.strip()}（{column_letter(index)} 列）"  # as the file has it
        key, unit = key_of(text)
        if key in keys and keys[key] not in fixed:
            fixed[keys[key]] = index
        elif (info := vocab.lookup(text)) is not None:
            if info.code in seen:
                unknown.append(f"{text}（与 {column_letter(seen[info.code])} 列重复，已忽略）")
                continue
            seen[info.code] = index
            problem = sheet.unit_problem(info, unit) if unit else None
            if problem:
                raise LayoutError(f"第 {number} 行 {header}：{problem}")
            indicator_columns.append((index, header, info, unit))
        elif (period := wide_period(text)) is not None:
            period_columns.append((index, header, period))
        else:
            unknown.append(text)

    def heading(name: str) -> str:
        return f"{cells[fixed[name]].strip()}（{column_letter(fixed[name])} 列）"

    default_status = normal_status(options.status)
    title_unit = known_unit(key_of(title)[1]) if title else ""
    base_columns = {0: "uscc", 1: "indicator", 2: "period", 3: "value", 4: "status", 5: "unit"}
    base_headers = {0: heading("uscc")}
    if "status" in fixed:
        base_headers[4] = heading("status")
    if "unit" in fixed:
        base_headers[5] = heading("unit")
    indicators = {info.code: info for info in vocab.indicators.values()}
    wide = WideSheet(
        mode="indicators" if indicator_columns else "periods",
        columns=[],
        uscc=fixed["uscc"],
        uscc_header=heading("uscc"),
        status=fixed.get("status"),
        unit=fixed.get("unit"),
        name=fixed.get("name"),
        vocabulary=vocab,
    )
    if indicator_columns:
        unknown += [
            f"{clean_text(cells[i])}（期间列，本表按指标分列，已忽略）" for i, _h, _p in period_columns
        ]
        if "unit" in fixed:  # one unit column cannot speak for several indicator columns
            unknown.append(f"{heading('unit')}（每个指标一列时，单位写在列名的括号中）")
            base_headers.pop(5)
            wide.unit = None
        if "period" in fixed:
            wide.period = fixed["period"]
            base_headers[2] = heading("period")
        else:
            wide.period_text = _single_period(options.period, title)
            base_headers[2] = "期间（表单）" if options.period else "期间（标题）"
        for index, header, info, unit in indicator_columns:
            checker = sheet.RowChecker(
                indicators,
                {k: v for k, v in base_columns.items() if k in base_headers or k in (1, 2, 3)},
                {**base_headers, 1: header, 3: header},
                {"value": unit or (title_unit if amount_unit(info.unit) else "")},
                default_status=default_status,
            )
            wide.columns.append(_Column(index, header, checker, indicator=info.code))
    elif period_columns:
        if "indicator" in fixed:
            wide.indicator = fixed["indicator"]
            base_headers[1] = heading("indicator")
            # "营业收入(亿元)" in the 指标 cell: its unit, unless a 单位 column says it
            base_headers.setdefault(5, heading("indicator"))
        else:
            named = vocab.find_in(title)
            if named is None:
                raise LayoutError(
                    "每个期间一列时，需在标题或“指标”列中写明指标（如“2024年营业收入（万元）”）；"
                    f"可用的指标：{vocab.names()}"
                )
            wide.indicator_code = named.code
            base_headers[1] = "指标（标题）"
        for index, header, period in period_columns:
            checker = sheet.RowChecker(
                indicators,
                {k: v for k, v in base_columns.items() if k in base_headers or k in (2, 3)},
                {**base_headers, 2: header, 3: header},
                {"value": title_unit},
                default_status=default_status,
            )
            wide.columns.append(_Column(index, header, checker, period=period))
    else:
        raise LayoutError(
            f"第 {number} 行表头中没有可识别的指标列（如“营业收入(万元)”）或期间列（如“2024年1月”）；"
            f"可用的指标：{vocab.names()}"
        )
    wide.unknown = unknown
    return wide, chain(ahead[at + 1 :], iterator)


def _single_period(field_text: str, title: str) -> str:
    if clean_text(field_text):
        try:
            parse_period(clean_text(field_text))
        except ValueError as error:
            raise LayoutError(f"期间：{error}") from error
        return clean_text(field_text)
    found = _title_period(title)
    if not found:
        raise LayoutError("缺少期间：请在表中加“期间”列，或在标题或“期间”中写明（如 2024-03、2024Q1）。")
    return found


def known_unit(unit: str) -> str:
    """A unit written in a title, when it is one (a title's brackets may hold anything: "（初步）")."""
    unit = clean_text(unit)
    counted = unit.removeprefix("万") in sheet.COUNT_UNITS
    return unit if amount_unit(unit) or counted or unit == "%" else ""


def normal_status(text: str) -> str:
    """The 状态 field: blank (from the file), 初步/快报 → preliminary, 最终/正式 → final."""
    value = clean_text(text)
    if value in ("preliminary", "final", ""):
        return value
    if value in sheet.STATUS_WORDS:
        return sheet.STATUS_WORDS[value]
    raise LayoutError(f"状态应为 初步 或 最终（空白：按文件）：{value}")


def strip_label(text: str) -> tuple[str, bool]:
    """A row's name without its ordinal ("一、", "（1）") and sub-row marks (其中：, #, indent): (name, sub)."""
    raw = (text or "").replace("\u3000", "  ")
    sub = raw[:1] == " " and bool(raw.strip())
    name = clean_text(raw)
    while True:
        stripped = _ORDINAL.sub("", name)
        if (marked := _SUB.sub("", stripped)) != stripped:
            sub = True
        if marked == name:
            break
        name = marked
    return name, sub
