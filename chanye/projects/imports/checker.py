"""The frame every sheet's checker fills in: parse each row's cells, check the rows against the database
and each other (`plan`), then write the changes (`write`). Errors name the column as the file has it."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from chanye.core.tabular import HeaderMatch, clean_text, column_letter, parse_amount
from chanye.enterprises.loader import Outcome
from chanye.enterprises.rows import RowError, unneutralise
from chanye.projects.imports.sheets import AMOUNT_FIELDS, DATE_FIELDS, MONTH_FIELDS, Sheet
from chanye.projects.imports.values import parse_day, parse_text, parse_year, to_money
from chanye.projects.models import Project


@dataclass
class Row:
    """One data row of the file, its cells parsed."""

    number: int
    values: dict[str, Any]  # field → clean value (None for an empty cell), only the columns the file has
    raw: dict[str, str]

    def fingerprint(self) -> tuple:
        return tuple(sorted((name, repr(value)) for name, value in self.values.items() if name != "name"))


@dataclass
class Change:
    """What one row does to the database, found in `plan` and carried out in `write`."""

    row: Row
    action: str  # created / updated / unchanged
    target: Any = None
    values: dict[str, Any] = field(default_factory=dict)
    before: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Checker:
    """One sheet of one kind; each kind's subclass has its own `plan` and `write`."""

    sheet: Sheet
    key_fields: tuple[str, ...] = ("code",)

    def __init__(self, header: HeaderMatch, *, by, source: str, period: date | None = None):
        self.columns = dict(header.columns)
        self.index = {name: index for index, name in header.columns.items()}
        self.units = dict(header.units)
        self.by = by
        self.source = source
        self.period = period
        self.headers = {
            name: f"{(header.cells[index] if index < len(header.cells) else '').strip() or self.sheet.label_of(name)}"
            f"（{column_letter(index)} 列）"
            for name, index in self.index.items()
        }
        self.errors: list[RowError] = []
        self.rejected: set[int] = set()

    @property
    def user(self):
        """The user history rows name: nobody for the command line."""
        return self.by if getattr(self.by, "is_authenticated", False) else None

    def has(self, name: str) -> bool:
        return name in self.index

    def fail(self, row: Row, name: str, reason: str, value: str | None = None, column: str = "") -> None:
        column = column or self.headers.get(name) or (self.sheet.label_of(name) if name else "")
        text = row.raw.get(name, "") if value is None else value
        self.errors.append(RowError(row.number, column[:60], text[:200], reason))
        self.rejected.add(row.number)

    def parse(self, number: int, cells: list[str]) -> Row:
        row = Row(number, {}, {})
        for index, name in self.columns.items():
            raw = unneutralise(cells[index] if index < len(cells) else "")
            row.raw[name] = clean_text(raw)
            try:
                row.values[name] = self.parse_cell(name, raw)
            except ValueError as error:
                row.values[name] = None
                self.fail(row, name, str(error))
        return row

    def parse_cell(self, name: str, raw: str) -> Any:
        if name in AMOUNT_FIELDS and name not in MONTH_FIELDS:
            return to_money(parse_amount(raw, self.units.get(name)))
        if name in DATE_FIELDS:
            return parse_day(raw)
        if name == "year":
            return parse_year(raw)
        if name == "code":
            code = parse_text(raw, "code").upper()
            if not code:
                raise ValueError("不能为空")
            return code
        return parse_text(raw, name)

    def layout(self, cells: list[str]) -> None:
        """A title, group, subtotal or note row without a project code, passed over (see ProjectChecker)."""

    def blank(self, row: Row) -> bool:
        """Nothing to import on this row, though it names a project (see FilingChecker)."""
        return False

    def key(self, row: Row) -> tuple:
        return tuple(row.values.get(name) for name in self.key_fields)

    def describe_key(self) -> str:
        return "项目编号"

    def deduplicate(self, rows: list[Row], outcome: Outcome) -> list[Row]:
        """Rows repeated exactly are merged (counted unchanged); the same key with other contents is an error."""
        first: dict[tuple, Row] = {}
        kept = []
        for row in rows:
            if row.number in self.rejected:
                continue
            key = self.key(row)
            earlier = first.get(key)
            if earlier is None:
                first[key] = row
                kept.append(row)
            elif earlier.fingerprint() == row.fingerprint():
                outcome.duplicates += 1
            else:
                self.fail(
                    row,
                    "code",
                    f"与第 {earlier.number} 行的{self.describe_key()}相同但内容不同，请保留一行",
                    value=" ".join(str(part) for part in key if part is not None),
                )
        return [row for row in kept if row.number not in self.rejected]

    def plan(self, rows: list[Row]) -> list[Change]:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    def write(self, changes: list[Change]) -> None:  # pragma: no cover - each kind has its own
        raise NotImplementedError

    def projects(self, codes: Iterable[str], lock: bool = True) -> dict[str, Project]:
        queryset = Project.objects.filter(code__in=set(codes))
        if lock:
            queryset = queryset.select_for_update()
        return {project.code: project for project in queryset}
