"""Importing enterprise indicator series: every row checked first, then all of it written or nothing.

Phase 1 reads the file (`chanye.core.tabular`) and checks each row (`rows.RowChecker`): the code, the
indicator, the period, the value and its unit; then every code is looked up in the register. Phase 2 runs
only when no row was rejected: one transaction records the figures through the same service as a single
figure (`services.observations_write`: created / revised with history / unchanged); a figure that would
overwrite a final one with a preliminary one rejects the file and rolls everything back. A dry run does
the same and rolls back, so its counts are exact. The same file twice changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from chanye.core.tabular import Table, TabularError, column_letter, find_header
from chanye.enterprises.models import Enterprise
from chanye.enterprises.rows import RowError
from chanye.indicators import rows as sheet
from chanye.indicators.models import Indicator, Level, SourceType
from chanye.indicators.services import Item, observations_write

LOOKUP_CHUNK = 500


class Rejected(Exception):
    """The file as a whole cannot be read: no header, a required column missing."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors[0].reason if errors else "")
        self.errors = errors


@dataclass
class Outcome:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    written: bool = False


def indicator_lookup() -> dict[str, sheet.IndicatorInfo]:
    """Enterprise-level indicators by code, name and case-folded code."""
    found: dict[str, sheet.IndicatorInfo] = {}
    for indicator in Indicator.objects.all():
        if Level.ENTERPRISE not in indicator.levels:
            continue
        info = sheet.IndicatorInfo(
            indicator.pk,
            indicator.code,
            indicator.name,
            indicator.unit,
            indicator.frequency,
            tuple(indicator.levels),
        )
        found[indicator.code] = found[indicator.code.casefold()] = found[indicator.name] = info
    return found


def import_table(
    table: Table,
    *,
    source_ref: str,
    by=None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> Outcome:
    """Check every row of `table`, then (without a rejected row, and unless a dry run) record them all."""
    try:
        header = find_header(table.rows(), sheet.SYNONYMS, sheet.REQUIRED)
    except TabularError as error:
        raise Rejected([RowError(0, "", "", error.message)]) from error
    if header.missing:
        labels = "、".join(sheet.LABELS[name] for name in header.missing)
        raise Rejected([RowError(header.row_number, "", "", f"缺少必需的列：{labels}")])
    headers = {
        index: f"{(header.cells[index] if index < len(header.cells) else '').strip() or sheet.LABELS[name]}"
        f"（{column_letter(index)} 列）"
        for index, name in header.columns.items()
    }
    checker = sheet.RowChecker(indicator_lookup(), header.columns, headers, header.units)
    uscc_column = next(
        (headers[i] for i, name in header.columns.items() if name == "uscc"), "统一社会信用代码"
    )
    outcome = Outcome(unknown=list(header.unknown))
    checked: list[sheet.CheckedRow] = []
    bad_rows: set[int] = set()
    for number, cells in header.rest:
        outcome.total += 1
        row, errors = checker.check(number, cells)
        if row is None:
            outcome.errors.extend(errors)
            bad_rows.add(number)
        else:
            checked.append(row)
        if progress and outcome.total % 5000 == 0:
            progress("checking", outcome.total)
    ids = _enterprise_ids({row.uscc for row in checked})
    for row in checked:
        if row.uscc not in ids:
            outcome.errors.append(
                RowError(row.row, uscc_column, row.uscc, "企业名录中没有该企业，请先导入企业")
            )
            bad_rows.add(row.row)
    if bad_rows:
        outcome.rejected = len(bad_rows)
        outcome.errors.sort(key=lambda error: error.row)
        return outcome
    if progress:
        progress("writing", outcome.total)
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={row.indicator.id for row in checked})}
    items = [
        Item(
            indicator=indicators[row.indicator.id],
            level=Level.ENTERPRISE,
            enterprise_id=ids[row.uscc],
            period=row.period,
            frequency=row.frequency,
            value=row.value,
            status=row.status,
            basis="reported",
        )
        for row in checked
    ]
    with transaction.atomic():
        counts = observations_write(
            items=items, by=by, source_type=SourceType.IMPORT, source_ref=source_ref, reason="导入修订"
        )
        if counts.refused:
            transaction.set_rollback(True)
            outcome.errors = [
                RowError(checked[index].row, headers_for(header.columns, headers, "period"), "", reason)
                for index, reason in counts.refused
            ]
            outcome.rejected = len({error.row for error in outcome.errors})
            return outcome
        outcome.created, outcome.updated, outcome.unchanged = counts.created, counts.updated, counts.unchanged
        if dry_run:
            transaction.set_rollback(True)
        else:
            outcome.written = True
    return outcome


def headers_for(columns: dict[int, str], headers: dict[int, str], name: str) -> str:
    return next(
        (headers[index] for index, field_name in columns.items() if field_name == name), sheet.LABELS[name]
    )


def _enterprise_ids(codes: set[str]) -> dict[str, int]:
    ordered = sorted(codes)
    found: dict[str, int] = {}
    for start in range(0, len(ordered), LOOKUP_CHUNK):
        found.update(
            Enterprise.objects.filter(uscc__in=ordered[start : start + LOOKUP_CHUNK]).values_list(
                "uscc", "id"
            )
        )
    return found
