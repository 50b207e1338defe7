"""One sheet, all or nothing: find its header, check every row, then — unless a row was rejected or it is
a dry run — write all of it in one transaction. Title, group, subtotal and note rows are passed over; a
monthly table without a month column takes the month from its title."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from chanye.core.tabular import HeaderMatch, Table, TabularError, clean_text, find_header
from chanye.enterprises.loader import Outcome, Rejected
from chanye.enterprises.rows import RowError
from chanye.projects.imports.checker import Checker, Row
from chanye.projects.imports.filings import FilingChecker
from chanye.projects.imports.library import ProjectChecker
from chanye.projects.imports.plans import PlanChecker
from chanye.projects.imports.sheets import SHEETS

MAX_ROWS = 200_000  # a district's library is hundreds of projects; a year of filings a few thousand rows
_TITLE_PERIOD = re.compile(r"(\d{4})\s*年\s*(?:\d{1,2}\s*[-—–~～至到]\s*)?(\d{1,2})\s*月")
_LAYOUT = re.compile(
    r"^([一二三四五六七八九十]+、|合计|小计|总计|说明|备注|注：|注:|填报人|审核人|联系人|单位：)"
)
CHECKERS: dict[str, type[Checker]] = {
    "projects": ProjectChecker,
    "plans": PlanChecker,
    "filings": FilingChecker,
}


@dataclass
class ProjectOutcome(Outcome):
    skipped: int = 0  # layout rows (groups, subtotals, notes) and rows with nothing to import
    empty: int = 0
    period: date | None = None


def import_table(
    table: Table,
    *,
    kind: str,
    by=None,
    source: str = "",
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
) -> ProjectOutcome:
    """Check every row of one sheet, then (unless rejected or a dry run) write all of it in one transaction."""
    header, period = _header(table, kind)
    checker = CHECKERS[kind](header, by=by, source=source, period=period)
    outcome = ProjectOutcome(columns=dict(checker.headers), unknown=list(header.unknown), period=period)
    rows = _rows(header, checker, outcome, progress)
    outcome.total = len(rows) + outcome.empty
    kept = checker.deduplicate(rows, outcome)
    with transaction.atomic():
        changes = checker.plan(kept)
        outcome.errors = sorted(checker.errors, key=lambda error: error.row)
        outcome.error_count = len(outcome.errors)
        outcome.rejected = len(checker.rejected)
        valid = [change for change in changes if change.row.number not in checker.rejected]
        outcome.created = sum(1 for change in valid if change.action == "created")
        outcome.updated = sum(1 for change in valid if change.action == "updated")
        outcome.unchanged = (
            sum(1 for change in valid if change.action == "unchanged") + outcome.duplicates + outcome.empty
        )
        if outcome.rejected:
            return outcome
        if progress:
            progress("writing", len(rows))
        checker.write(valid)
        if dry_run:
            transaction.set_rollback(True)
        else:
            outcome.written = True
    return outcome


def _header(table: Table, kind: str) -> tuple[HeaderMatch, date | None]:
    """The sheet's header row, and the month a monthly table without a month column names in its title."""
    sheet = SHEETS[kind]
    try:
        header = find_header(table.rows(), sheet.synonyms, sheet.required)
    except TabularError as error:
        raise Rejected([RowError(0, "", "", error.message)]) from error
    if header.missing:
        labels = "、".join(sheet.label_of(name) for name in header.missing)
        raise Rejected([RowError(header.row_number, "", "", f"缺少必需的列：{labels}")])
    period = None
    if kind == "filings" and "period" not in header.columns.values():
        period = _title_period(table, header.row_number)
        if period is None:
            raise Rejected(
                [RowError(header.row_number, "", "", "缺少必需的列：月份（或在标题中写明，如“2025年1-3月”）")]
            )
    return header, period


def _title_period(table: Table, header_row: int) -> date | None:
    for number, cells in table.rows():
        if number >= header_row:
            return None
        found = _TITLE_PERIOD.search(" ".join(cells))
        if found and 1 <= int(found.group(2)) <= 12:
            return date(int(found.group(1)), int(found.group(2)), 1)
    return None


def _rows(
    header: HeaderMatch,
    checker: Checker,
    outcome: ProjectOutcome,
    progress: Callable[[str, int], None] | None,
) -> list[Row]:
    """The data rows parsed, layout rows and rows with nothing to import counted and passed over."""
    rows: list[Row] = []
    code_at = checker.index["code"]
    for number, cells in header.rest:
        code = clean_text(cells[code_at]) if code_at < len(cells) else ""
        filled = [cell for cell in cells if clean_text(cell)]
        first = clean_text(filled[0]) if filled else ""
        if not code and (len(filled) == 1 or _LAYOUT.match(first)):
            outcome.skipped += 1
            checker.layout(cells)
            continue
        row = checker.parse(number, cells)
        if number not in checker.rejected and checker.blank(row):
            outcome.empty += 1
            continue
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise Rejected([RowError(number, "", "", f"超过 {MAX_ROWS:,} 行的上限，请拆分后分别导入")])
        if progress and len(rows) % 1000 == 0:
            progress("checking", len(rows))
    return rows
