"""The shipped default value-added rates (`data/va_rates.toml`) and the rules every rate obeys; no Django import.

A rate is value added ÷ revenue for one GB/T 4754-2017 division (大类). Wholesale (51) and retail (52) are
valued on their gross margin, as input-output tables value trade: value added = revenue × margin_rate × rate.
"""

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

PATH = Path(__file__).resolve().parent / "data" / "va_rates.toml"
MARGIN_DIVISIONS = frozenset({"51", "52"})
PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Table:
    key: str
    name: str
    year: int
    region: str
    citation: str


@dataclass(frozen=True)
class Default:
    division: str
    name: str
    rate: Decimal
    margin_rate: Decimal | None
    table: Table
    sector: str
    note: str

    @property
    def source(self) -> str:
        """The source text a user reads: table, sector, why, and where to check it."""
        text = f"{self.table.name}·{self.sector}"
        if self.note:
            text += f"（{self.note}）"
        return f"{text}。{self.table.citation}"


def _decimal(value) -> Decimal:
    return Decimal(str(value)).quantize(PLACES)


def read(text: str | None = None) -> list[Default]:
    """The defaults in division order; ValueError naming the row when the file breaks a rule."""
    data = tomllib.loads(text if text is not None else PATH.read_text(encoding="utf-8"))
    tables = {
        key: Table(key, spec["name"], int(spec["year"]), spec["region"], spec["citation"])
        for key, spec in data.get("tables", {}).items()
    }
    found: list[Default] = []
    for number, row in enumerate(data.get("rate", []), start=1):
        division = str(row.get("division", ""))
        table = tables.get(row.get("table", ""))
        if table is None:
            raise ValueError(f"第 {number} 行（{division}）：未知的来源表 {row.get('table')!r}")
        margin = row.get("margin_rate")
        default = Default(
            division=division,
            name=row.get("name", ""),
            rate=_decimal(row["rate"]),
            margin_rate=_decimal(margin) if margin is not None else None,
            table=table,
            sector=row.get("sector", ""),
            note=row.get("note", ""),
        )
        problems = problems_of(division, default.rate, default.margin_rate)
        if problems:
            raise ValueError(f"第 {number} 行（{division}）：" + "；".join(p for _f, p in problems))
        found.append(default)
    return sorted(found, key=lambda d: d.division)


def parse(value) -> Decimal | None:
    """A rate as typed (0.25, "0.25" or "25%"); None for empty; ValueError for what is not a number."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value).strip().replace("％", "%")
    if not text:
        return None
    percent = text.endswith("%")
    try:
        number = Decimal(text.rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(f"“{value}”不是数字") from None
    if not number.is_finite():
        raise ValueError(f"“{value}”不是数字")
    return number / 100 if percent else number


def problems_of(division: str, rate: Decimal | None, margin_rate: Decimal | None) -> list[tuple[str, str]]:
    """What is wrong with a division's rates: (field, reason) pairs."""
    problems: list[tuple[str, str]] = []
    if rate is None:
        problems.append(("rate", "增加值率不能为空"))
    elif not Decimal(0) < rate <= Decimal(1):
        problems.append(("rate", "增加值率应大于 0 且不大于 1（例如 0.25 表示 25%）"))
    elif rate != rate.quantize(PLACES):
        problems.append(("rate", "增加值率最多保留 4 位小数"))
    if division in MARGIN_DIVISIONS:
        if margin_rate is None:
            problems.append(("margin_rate", "批发业和零售业按商业毛利推算，毛利率不能为空"))
        elif not Decimal(0) < margin_rate <= Decimal(1):
            problems.append(("margin_rate", "毛利率应大于 0 且不大于 1（例如 0.08 表示 8%）"))
        elif margin_rate != margin_rate.quantize(PLACES):
            problems.append(("margin_rate", "毛利率最多保留 4 位小数"))
    elif margin_rate is not None:
        problems.append(("margin_rate", "只有批发业（51）和零售业（52）按毛利率推算，其他行业留空"))
    return problems
