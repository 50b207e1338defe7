"""Importing enterprise indicator series: every row checked first, then all of it written or nothing.

Phase 1 reads the file (`chanye.core.tabular`) and checks each row (`rows.RowChecker`): the code, the
indicator, the period, the value and its unit; then every code is looked up in the register. Phase 2 runs
only when no row was rejected: one transaction records the figures through the same service as a single
figure (`services.observations_write`: created / revised with history / unchanged); a figure that would
overwrite a final one with a preliminary one rejects the file and rolls everything back. A dry run does
the same and rolls back, so its counts are exact. The same file twice changes nothing.

Three layouts (`layouts`): the long one above, wide enterprise sheets (one column per indicator or per
period, unpivoted into the long layout's rows and checked by the same rules), and statistical-bureau tables
of district (and industry) figures, whose year-to-date figures are turned into each period's own figure
by the period rule in `layouts` with the earlier periods read from the database; rows naming nothing in
the catalogue are listed as skipped.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.db import transaction

from chanye.core.tabular import Table, TabularError, clean_text, column_letter, find_header
from chanye.enterprises.models import Enterprise
from chanye.enterprises.rows import RowError
from chanye.indicators import bureau, layouts
from chanye.indicators import rows as sheet
from chanye.indicators.models import Basis, Indicator, Level, Observation, SourceType
from chanye.indicators.periods import label
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
    layout: str = layouts.LONG
    figures: int = 0  # figures the rows state (a wide row holds several)
    skipped: list[layouts.Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


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


def _info(indicator: Indicator) -> sheet.IndicatorInfo:
    return sheet.IndicatorInfo(
        indicator.pk,
        indicator.code,
        indicator.name,
        indicator.unit,
        indicator.frequency,
        tuple(indicator.levels),
    )


def enterprise_vocabulary() -> layouts.Vocabulary:
    """Enterprise-level indicators by code, name and synonym (wide sheets)."""
    return layouts.vocabulary(_info(i) for i in Indicator.objects.all() if Level.ENTERPRISE in i.levels)


def district_vocabulary() -> layouts.Vocabulary:
    """Every indicator by code, name and synonym, and the current system's industries (bureau tables)."""
    from chanye.enterprises.services import current_system

    system = current_system()
    industries = system.industries.filter(active=True).values_list("id", "code", "name") if system else []
    return layouts.vocabulary((_info(i) for i in Indicator.objects.all()), industries)


def import_table(
    table: Table,
    *,
    source_ref: str,
    by=None,
    dry_run: bool = False,
    progress: Callable[[str, int], None] | None = None,
    options: layouts.Options | None = None,
) -> Outcome:
    """Check every row of `table` in its layout (given, or recognised from the header), then (without a
    rejected row, and unless a dry run) record them all."""
    options = options or layouts.Options()
    try:
        layouts.normal_status(options.status)
        layout = options.layout
        if layout == layouts.AUTO:
            layout = layouts.detect(islice(table.rows(), layouts.LOOKAHEAD), district_vocabulary())
        if layout == layouts.STATS:
            return _import_stats(table, source_ref=source_ref, by=by, dry_run=dry_run, options=options)
        if layout == layouts.WIDE:
            wide, rest = layouts.wide_sheet(table.rows(), enterprise_vocabulary(), options)
            outcome = Outcome(layout=layouts.WIDE, unknown=wide.unknown)
            checked = _check_wide(wide, rest, outcome, progress)
            uscc_column = wide.uscc_header
        elif layout == layouts.LONG:
            outcome = Outcome(layout=layouts.LONG)
            checked, uscc_column = _check_long(table, outcome, progress, options)
        else:
            raise layouts.LayoutError(f"格式应为 {'、'.join(layouts.LAYOUTS)} 之一：{layout}")
    except TabularError as error:
        raise Rejected([RowError(0, "", "", error.message)]) from error
    except layouts.LayoutError as error:
        raise Rejected([RowError(0, "", "", str(error))]) from error
    return _write_enterprise_rows(
        checked,
        outcome,
        uscc_column=uscc_column,
        source_ref=source_ref,
        by=by,
        dry_run=dry_run,
        progress=progress,
    )


def _check_long(table, outcome: Outcome, progress, options) -> tuple[list[sheet.CheckedRow], str]:
    header = find_header(table.rows(), sheet.SYNONYMS, sheet.REQUIRED)
    if header.missing:
        labels = "、".join(sheet.LABELS[name] for name in header.missing)
        raise Rejected([RowError(header.row_number, "", "", f"缺少必需的列：{labels}")])
    headers = {
        index: f"{(header.cells[index] if index < len(header.cells) else '').strip() or sheet.LABELS[name]}"
        f"（{column_letter(index)} 列）"
        for index, name in header.columns.items()
    }
    checker = sheet.RowChecker(
        indicator_lookup(),
        header.columns,
        headers,
        header.units,
        default_status=layouts.normal_status(options.status),
    )
    uscc_column = next(
        (headers[i] for i, name in header.columns.items() if name == "uscc"), "统一社会信用代码"
    )
    outcome.unknown = list(header.unknown)
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
    outcome.rejected = len(bad_rows)
    return checked, uscc_column


def _check_wide(wide: layouts.WideSheet, rest, outcome: Outcome, progress) -> list[sheet.CheckedRow]:
    checked: list[sheet.CheckedRow] = []
    bad_rows: set[int] = set()
    for number, cells in rest:
        if layouts.is_note(cells) and not clean_text(cells[wide.uscc] if wide.uscc < len(cells) else ""):
            break
        rows, errors, skipped = wide.check(number, cells)
        if skipped is not None:
            outcome.skipped.append(skipped)
            continue
        if not rows and not errors:
            continue
        outcome.total += 1
        checked.extend(rows)
        if errors:
            outcome.errors.extend(errors)
            bad_rows.add(number)
        if progress and outcome.total % 5000 == 0:
            progress("checking", outcome.total)
    outcome.rejected = len(bad_rows)
    return checked


def _write_enterprise_rows(
    checked: list[sheet.CheckedRow],
    outcome: Outcome,
    *,
    uscc_column: str,
    source_ref: str,
    by,
    dry_run: bool,
    progress,
) -> Outcome:
    """Phase 2 of the enterprise layouts: codes looked up in the register, then all written or nothing."""
    outcome.figures = len(checked)
    bad_rows = {error.row for error in outcome.errors}
    ids = _enterprise_ids({row.uscc for row in checked})
    for row in checked:
        if row.uscc not in ids:
            error = RowError(row.row, uscc_column, row.uscc, "企业名录中没有该企业，请先导入企业")
            if error not in outcome.errors:
                outcome.errors.append(error)
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
            basis=Basis.REPORTED,
        )
        for row in checked
    ]
    where = [
        (row.row, f"{row.indicator.name} {label(row.period, row.frequency)}", str(row.value))
        for row in checked
    ]
    return _write(items, where, outcome, source_ref=source_ref, by=by, dry_run=dry_run)


def _write(
    items: list[Item],
    where: list[tuple[int, str, str]],
    outcome: Outcome,
    *,
    source_ref: str,
    by,
    dry_run: bool,
) -> Outcome:
    """One transaction through `observations_write`; anything refused rolls it all back and is explained
    at the row (and column or figure) in `where`."""
    with transaction.atomic():
        counts = observations_write(
            items=items, by=by, source_type=SourceType.IMPORT, source_ref=source_ref, reason="导入修订"
        )
        if counts.refused:
            transaction.set_rollback(True)
            outcome.errors = [
                RowError(where[index][0], where[index][1], where[index][2], reason)
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


def _import_stats(table: Table, *, source_ref: str, by, dry_run: bool, options: layouts.Options) -> Outcome:
    """A bureau table: its figures placed by the period rule (`bureau.targets`), each cumulative amount
    less the earlier periods held in the database; refused whole when one of those is missing."""
    stats = bureau.read_stats(table.rows(), district_vocabulary(), options)
    outcome = Outcome(
        layout=layouts.STATS,
        total=stats.rows,
        unknown=stats.unknown,
        skipped=stats.skipped,
        errors=list(stats.errors),
    )
    words = {"preliminary": "初步", "final": "最终"}
    outcome.notes.append(f"期间：{stats.span}，状态：{words.get(stats.status, stats.status)}")
    planned: list[tuple[bureau.Figure, bureau.Target]] = []
    for figure in stats.figures:
        plan = bureau.targets(stats.span, figure.indicator.frequency, figure.kind)
        if isinstance(plan, str):
            outcome.skipped.append(
                layouts.Skipped(figure.row, figure.label, f"{figure.indicator.name}{plan}")
            )
            continue
        planned += [(figure, target) for target in plan]
    held = _held(planned)
    indicators = {i.pk: i for i in Indicator.objects.filter(pk__in={f.indicator.id for f, _t in planned})}
    items: list[Item] = []
    where: list[tuple[int, str, str]] = []
    for figure, target in planned:
        value = figure.value
        if target.subtract:
            key = (figure.indicator.id, figure.industry_id, target.frequency)
            missing = [p for p in target.subtract if p not in held.get(key, {})]
            if missing:
                names = "、".join(label(p, target.frequency) for p in missing)
                subject = f"{figure.industry_name}的" if figure.industry_name else ""
                reason = (
                    f"{stats.span}是累计数，{subject}{figure.indicator.name}"
                    f"{label(target.period, target.frequency)}的数 = 累计数 − 此前各期之和，"
                    f"但系统中还没有 {names} 的数，请先导入"
                )
                if target.optional:
                    outcome.notes.append(
                        f"第 {figure.row} 行：未推算{label(target.period, target.frequency)}（{reason}）"
                    )
                else:
                    outcome.errors.append(RowError(figure.row, figure.column, figure.text, reason))
                continue
            value = figure.value - sum((held[key][p] for p in target.subtract), Decimal(0))
            if value < 0:
                outcome.errors.append(
                    RowError(
                        figure.row,
                        figure.column,
                        figure.text,
                        f"累计数小于此前各期之和：推算的{label(target.period, target.frequency)}为 {value}，"
                        "请核对累计数或此前各期的数",
                    )
                )
                continue
        items.append(
            Item(
                indicator=indicators[figure.indicator.id],
                level=Level.INDUSTRY if figure.industry_id else Level.DISTRICT,
                industry_id=figure.industry_id,
                period=target.period,
                frequency=target.frequency,
                value=value,
                status=stats.status,
                basis=Basis.OFFICIAL,
                note=bureau.derived_note(stats.span, target, target.frequency),
            )
        )
        where.append((figure.row, figure.column, figure.text))
    outcome.figures = len(items)
    if outcome.errors:
        outcome.rejected = len({error.row for error in outcome.errors})
        outcome.errors.sort(key=lambda error: error.row)
        return outcome
    return _write(items, where, outcome, source_ref=source_ref, by=by, dry_run=dry_run)


def _held(planned) -> dict[tuple, dict]:
    """The stored figures of the periods the plan subtracts: (indicator, industry, frequency) → period → value."""
    wanted: dict[tuple, set] = defaultdict(set)
    for figure, target in planned:
        if target.subtract:
            wanted[(figure.indicator.id, figure.industry_id, target.frequency)].update(target.subtract)
    found: dict[tuple, dict] = defaultdict(dict)
    for (indicator_id, industry_id, frequency), wanted_periods in wanted.items():
        rows = Observation.objects.filter(
            indicator_id=indicator_id,
            level=Level.INDUSTRY if industry_id else Level.DISTRICT,
            industry_id=industry_id,
            frequency=frequency,
            period__in=wanted_periods,
        ).values_list("period", "value")
        found[(indicator_id, industry_id, frequency)].update(rows)
    return found


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
