"""The enterprise indicator sheet (one figure a row: 统一社会信用代码, 指标, 期间, 数值, 单位, 状态) and the
check of one row; no Django import. Errors name the column as the file has it, the value and the reason."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chanye.core.tabular.values import (
    AMOUNT_UNITS,
    amount_unit,
    clean_text,
    parse_amount,
    parse_decimal,
    parse_int,
)
from chanye.enterprises.rows import RowError, unneutralise
from chanye.enterprises.uscc import check as uscc_check
from chanye.indicators.periods import FREQUENCIES, label, parse_period

COLUMNS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    # field, header of our template, synonyms, required
    ("uscc", "统一社会信用代码", ("信用代码", "社会信用代码", "统一代码", "USCC", "纳税人识别号"), True),
    ("name", "企业名称", ("名称", "单位名称", "公司名称", "单位详细名称"), False),
    ("indicator", "指标", ("指标名称", "指标代码", "统计指标", "项目"), True),
    ("period", "期间", ("报告期", "统计期", "月份", "季度", "年份", "所属期", "时间", "期别"), True),
    ("value", "数值", ("本期值", "本期数", "金额", "数据", "值", "本月数", "本期"), True),
    ("unit", "单位", ("计量单位", "金额单位"), False),
    ("status", "状态", ("数据状态", "初步/最终", "数据性质"), False),
)
LABELS = {name: header for name, header, _synonyms, _required in COLUMNS}
SYNONYMS = {name: [header, *synonyms] for name, header, synonyms, _required in COLUMNS}
REQUIRED = {name for name, _header, _synonyms, required in COLUMNS if required}
STATUS_WORDS = {
    "": "final",
    "最终": "final",
    "终核": "final",
    "正式": "final",
    "初步": "preliminary",
    "快报": "preliminary",
    "初核": "preliminary",
}
COUNT_UNITS = {"人", "个", "家", "户", "项", "件"}


class UnitError(ValueError):
    """The unit does not fit the indicator: blamed on the unit column when the file has one."""


@dataclass(frozen=True)
class IndicatorInfo:
    id: int
    code: str
    name: str
    unit: str
    frequency: str
    levels: tuple[str, ...]


@dataclass
class CheckedRow:
    row: int
    uscc: str
    indicator: IndicatorInfo
    period: date
    frequency: str
    value: Decimal
    status: str


class RowChecker:
    def __init__(
        self,
        indicators: Mapping[str, IndicatorInfo],
        columns: Mapping[int, str],
        headers: Mapping[int, str],
        units=None,
        default_status: str = "",
    ):
        """`indicators`: code and name → indicator (enterprise-level ones only); `columns`: column index →
        field; `headers`: column index → the header text in the file; `units`: field → unit from a header;
        `default_status`: the status of a row whose 状态 is blank (final when not given)."""
        self.indicators = indicators
        self.columns = dict(columns)
        self.headers = dict(headers)
        self.units = dict(units or {})
        self.default_status = default_status

    def check(self, row: int, cells: list[str]) -> tuple[CheckedRow | None, list[RowError]]:
        raw: dict[str, str] = {}
        header: dict[str, str] = {}
        for index, name in self.columns.items():
            raw[name] = unneutralise(cells[index] if index < len(cells) else "")
            header[name] = self.headers.get(index, LABELS[name])
        errors: list[RowError] = []

        def fail(name: str, reason: str) -> None:
            errors.append(RowError(row, header.get(name, LABELS[name]), raw.get(name, "")[:200], reason))

        uscc = uscc_check(raw.get("uscc", ""))
        if not uscc.code:
            fail("uscc", "不能为空")
        elif len(uscc.code) != 18:
            fail("uscc", uscc.message)
        text = clean_text(raw.get("indicator", ""))
        indicator = self.indicators.get(text) or self.indicators.get(text.casefold())
        if not text:
            fail("indicator", "不能为空")
        elif indicator is None:
            fail(
                "indicator",
                f"不是企业层级的指标：{text}（可用：{'、'.join(sorted({i.name for i in self.indicators.values()}))}）",
            )
        try:
            period, frequency = parse_period(raw.get("period", ""))
        except ValueError as error:
            fail("period", str(error))
            period, frequency = None, None
        if (
            indicator is not None
            and period is not None
            and frequency is not None
            and FREQUENCIES.index(frequency) < FREQUENCIES.index(indicator.frequency)
        ):
            fail(
                "period",
                f"{indicator.name}按{_FREQUENCY_LABELS[indicator.frequency]}统计，期间不能是{label(period, frequency)}",
            )  # type: ignore[arg-type]
        status_text = clean_text(raw.get("status", ""))
        status = STATUS_WORDS.get(status_text) if status_text else self.default_status or "final"
        if status is None:
            fail("status", "状态应为 初步 或 最终（空白为最终）")
        value = None
        if indicator is not None:
            try:
                value = self._value(indicator, raw.get("value", ""), raw.get("unit", ""))
            except ValueError as error:
                fail("unit" if isinstance(error, UnitError) and "unit" in raw else "value", str(error))
        if errors:
            return None, errors
        assert indicator is not None and period is not None and frequency is not None and value is not None
        return CheckedRow(row, uscc.code, indicator, period, frequency, value, status or "final"), []

    def _value(self, indicator: IndicatorInfo, text: str, unit_text: str) -> Decimal:
        unit = clean_text(unit_text) or self.units.get("value", "")
        if not clean_text(text):
            raise ValueError("不能为空")
        if amount_unit(indicator.unit) in AMOUNT_UNITS:
            if unit and amount_unit(unit) is None:
                raise UnitError(f"单位「{unit}」不是金额单位，{indicator.name}的单位是{indicator.unit}")
            value = parse_amount(text, unit or indicator.unit, target=indicator.unit)
        elif indicator.unit in COUNT_UNITS:
            if unit and unit not in COUNT_UNITS:
                raise UnitError(f"单位「{unit}」与{indicator.name}的单位{indicator.unit}不一致")
            number = parse_int(text)
            if number is not None and number < 0:
                raise ValueError(f"不能为负数：{text}")
            value = Decimal(number) if number is not None else None
        else:
            if unit and unit != indicator.unit:
                raise UnitError(f"单位「{unit}」与{indicator.name}的单位{indicator.unit}不一致")
            value = parse_decimal(text.removesuffix(indicator.unit))
        if value is None:
            raise ValueError("不能为空")
        return value


def unit_problem(indicator: IndicatorInfo, unit: str) -> str | None:
    """Why `unit` (from a header or a unit column) does not fit the indicator; None when it does."""
    try:
        RowChecker({}, {}, {})._value(indicator, "0", unit)
    except UnitError as error:
        return str(error)
    return None


_FREQUENCY_LABELS = {"month": "月度", "quarter": "季度", "year": "年度"}
