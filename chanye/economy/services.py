"""Writes of the value-added module: the rate table (defaults loaded, edits with the earlier value kept and an
audit event) and the estimate of a year (`chanye.economy.estimate`) recorded as indicator figures.

The estimate never replaces a figure that is not itself an estimate: official industry or district value
added and official shares stay as they are, and the page shows them marked 官方统计 beside the estimate.
Estimated figures are recorded with basis 推算 and source `va-estimate/<year>`, so they stay distinguishable.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.errors import StaleEdit
from chanye.economy import estimate, rates, selectors
from chanye.economy.models import EstimateRun, ValueAddedRate, ValueAddedRateRevision
from chanye.economy.sets import SHARE_NAMES, share_sets
from chanye.indicators.models import Basis, Indicator, Level, SourceType, Status

CHANGE = "economy.change"
OWNER = "STATS"  # the statistics bureau: the department officers who may change rates and run estimates
YI = Decimal("0.0001")
PERCENT = Decimal("0.01")


def partial_weight_default() -> Decimal:
    """The weight of a GB/T class a catalogue marks partial (*): setting CHANYE_PARTIAL_WEIGHT, or 0.5."""
    return Decimal(str(getattr(settings, "CHANYE_PARTIAL_WEIGHT", "0.5")))


def can_change(user) -> bool:
    """The 发改局, and officers of the statistics bureau (the department that owns 产业增加值)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.can(CHANGE):
        return False
    if user.role == "department_officer":
        owner = Indicator.objects.filter(code="value_added").values_list("owner__code", flat=True).first()
        return user.department is not None and user.department.code == (owner or OWNER)
    return True


# The rate table.


def rates_ensure() -> int:
    """Add the shipped default of every division missing from the table. Returns how many were added."""
    present = set(ValueAddedRate.objects.values_list("division", flat=True))
    missing = [
        ValueAddedRate(
            division=d.division, name=d.name, rate=d.rate, margin_rate=d.margin_rate, source=d.source
        )
        for d in rates.read()
        if d.division not in present
    ]
    ValueAddedRate.objects.bulk_create(missing)
    return len(missing)


def _snapshot(row: ValueAddedRate) -> dict[str, Any]:
    return {
        "division": row.division,
        "rate": format(row.rate, "f"),
        "margin_rate": format(row.margin_rate, "f") if row.margin_rate is not None else None,
        "source": row.source,
        "version": row.version,
    }


@transaction.atomic
def rate_update(
    *,
    row: ValueAddedRate,
    values: dict[str, Any],
    by,
    reason: str = "",
    expected_version: int | None = None,
) -> ValueAddedRate:
    """Change a division's rate, margin rate or source. The earlier values are kept as a revision; a stale
    edit (another save since `expected_version` was read) is refused with StaleEdit. ValidationError names
    the field and the reason."""
    if not can_change(by):
        raise PermissionDenied("您的角色无权修改增加值率（限发改局和区统计局）")
    locked = ValueAddedRate.objects.select_for_update().get(pk=row.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEdit(
            f"{locked.division} {locked.name} 的增加值率已被他人修改（当前版本 {locked.version}，"
            f"你打开的是版本 {expected_version}），你的修改未保存；请核对后再保存"
        )
    errors: dict[str, list[str]] = {}
    parsed: dict[str, Decimal | None] = {}
    for name in ("rate", "margin_rate"):
        if name in values:
            try:
                parsed[name] = rates.parse(values[name])
            except ValueError as error:
                errors.setdefault(name, []).append(str(error))
    if errors:
        raise ValidationError(errors)
    rate = parsed.get("rate", locked.rate)
    margin = parsed.get("margin_rate", locked.margin_rate)
    source = str(values.get("source", locked.source)).strip()
    for name, problem in rates.problems_of(locked.division, rate, margin):
        errors.setdefault(name, []).append(problem)
    if not source:
        errors.setdefault("source", []).append("请注明来源（如投入产出表及其部门，或统计部门核定文件）")
    if len(reason) > 300:
        errors.setdefault("reason", []).append("修改原因不超过 300 字")
    if errors:
        raise ValidationError(errors)
    assert rate is not None  # problems_of refuses an empty rate
    if (rate, margin, source) == (locked.rate, locked.margin_rate, locked.source):
        return locked
    before = _snapshot(locked)
    ValueAddedRateRevision.objects.create(
        rate_row=locked,
        version=locked.version,
        rate=locked.rate,
        margin_rate=locked.margin_rate,
        source=locked.source,
        set_by_id=locked.updated_by_id,
        set_at=locked.updated_at,
        replaced_by=by,
        replaced_at=timezone.now(),
        reason=reason,
    )
    locked.rate, locked.margin_rate, locked.source, locked.updated_by = rate, margin, source, by
    locked.save()
    ValueAddedRate.objects.filter(pk=locked.pk).update(version=F("version") + 1)
    locked.refresh_from_db()
    audit_record(
        actor=by,
        action="economy.rate_update",
        obj=locked,
        before=before,
        after=_snapshot(locked),
        message=reason,
    )
    return locked


# The estimate.


def _plain(value: Decimal | None, places: Decimal = YI) -> str | None:
    return None if value is None else format(value.quantize(places), "f")


@transaction.atomic
def estimate_run(*, year: int, by, partial_weight: Decimal | None = None, record: bool = True) -> EstimateRun:
    """Estimate the year's value added and shares from enterprise revenue and record them (`record`) as
    indicator figures with basis 推算 — never over an official or reported figure, and only for a year the
    revenue figures cover whole. The run, with its scale factor and figures, is kept for the page."""
    from chanye.enterprises.services import current_system
    from chanye.indicators.services import catalogue_load

    if by is not None and not can_change(by):
        raise PermissionDenied("您的角色无权推算增加值（限发改局和区统计局）")
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": [f"年份应在 2000–2100 之间，而不是 {year}"]})
    weight = partial_weight_default() if partial_weight is None else Decimal(partial_weight)
    if not Decimal(0) <= weight <= Decimal(1):
        raise ValidationError({"partial_weight": ["部分归属行业的计入权重应在 0 到 1 之间"]})
    rates_ensure()
    catalogue_load()
    system = current_system()
    revenue = selectors.revenue_of(year=year, system=system)
    if not revenue.firms:
        raise ValidationError({"year": [f"{year} 年没有企业营业收入数据，无法推算"]})
    official = selectors.official_of(year=year)
    result = estimate.estimate(
        year=year,
        firms=revenue.firms,
        rates=selectors.rate_map(),
        gdp=official.gdp,
        sets=share_sets(weight),
        partial_weight=weight,
    )
    if result.firms == 0:
        raise ValidationError({"year": [f"{year} 年有营业收入的企业都缺少行业代码或增加值率，无法推算"]})
    industries = {i.pk: i for i in system.industries.all()} if system is not None else {}
    figures = _figures(result, official, industries)
    run = EstimateRun(
        year=year,
        months=revenue.months,
        partial_weight=weight,
        firms=result.firms,
        revenue=result.revenue.quantize(YI),
        unrated_firms=result.unrated_firms,
        unrated_revenue=result.unrated_revenue.quantize(YI),
        estimate=result.estimate.quantize(YI),
        gdp=official.gdp,
        scale=result.scale.quantize(Decimal("0.000001")) if result.scale is not None else None,
        figures=figures,
        synthetic=revenue.synthetic,
        run_by=by if getattr(by, "is_authenticated", False) else None,
        run_at=timezone.now(),
    )
    if revenue.months < 12:
        run.note = f"营业收入只覆盖 {year} 年 1–{revenue.months} 月，推算结果仅供参考，未写入指标"
    elif record:
        run.counts = _record(run, figures, official, by)
        run.recorded = True
    else:
        run.note = "试算，未写入指标"
    run.save()
    audit_record(
        actor=by,
        action="economy.estimate",
        obj=run,
        after={
            "year": year,
            "scale": _plain(run.scale, Decimal("0.000001")),
            "gdp": _plain(run.gdp),
            "recorded": run.recorded,
            "counts": run.counts,
            "partial_weight": format(weight, "f"),
        },
        message=run.note,
    )
    return run


def _figures(result: estimate.Result, official: selectors.Official, industries: dict) -> dict[str, Any]:
    """The run's figures as stored (decimals as strings): district, industries, divisions and shares, each
    with the figure used and its basis (official beats estimated)."""
    from chanye.industries.codes import edition_codes

    names = {c.code: c.name for c in edition_codes("gbt4754-2017") if c.level == "大类"}
    rows = []
    for industry_id in sorted(set(result.industries) | set(official.industries)):
        industry = industries.get(industry_id)
        if industry is None:
            continue
        figure = result.industries.get(industry_id)
        estimated = figure.estimate if figure is not None else None
        stated = official.industries.get(industry_id)
        rows.append(
            {
                "id": industry_id,
                "code": industry.code,
                "name": industry.name,
                "position": industry.position,
                "estimate": _plain(estimated),
                "firms": figure.firms if figure is not None else 0,
                "official": _plain(stated),
                "used": _plain(stated if stated is not None else estimated),
                "basis": Basis.OFFICIAL if stated is not None else Basis.ESTIMATED,
            }
        )
    rows.sort(key=lambda row: (row["position"], row["code"]))
    shares = []
    for code, share in result.shares.items():
        stated = official.shares.get(code)
        shares.append(
            {
                "code": code,
                "name": SHARE_NAMES.get(code, code),
                "numerator": _plain(share.numerator),
                "denominator": _plain(share.denominator),
                "value": _plain(share.value, PERCENT),
                "scaled": share.scaled,
                "official": _plain(stated, PERCENT),
                "used": _plain(stated if stated is not None else share.value, PERCENT),
                "basis": Basis.OFFICIAL if stated is not None else Basis.ESTIMATED,
                "partial_weight": format(share.partial_weight, "f"),
                "divisions": [
                    {
                        "division": part.division,
                        "name": names.get(part.division, ""),
                        "value": _plain(part.value),
                        "firms": part.firms,
                        "partial_firms": part.partial_firms,
                    }
                    for part in share.divisions
                ],
            }
        )
    return {
        "district": {
            "estimate": _plain(result.district),
            "official": _plain(official.district),
            "used": _plain(official.district if official.district is not None else result.district),
            "basis": Basis.OFFICIAL if official.district is not None else Basis.ESTIMATED,
        },
        "gdp_how": official.gdp_how,
        "gdp_preliminary": official.gdp_preliminary,
        "industries": rows,
        "divisions": [
            {"division": d, "name": names.get(d, ""), "value": _plain(v)} for d, v in result.divisions.items()
        ],
        "unrated_divisions": result.unrated_divisions,
        "shares": shares,
    }


def _record(run: EstimateRun, figures: dict, official: selectors.Official, by) -> dict[str, int]:
    """The estimated figures as observations of 产业增加值 (industries, district) and the three shares."""
    from datetime import date

    from chanye.indicators.services import Item, observations_write

    indicators = {i.code: i for i in Indicator.objects.filter(code__in=["value_added", *SHARE_NAMES])}
    period = date(run.year, 1, 1)
    if run.scale is not None and run.gdp is not None:
        how = f"已按全区GDP {run.gdp.normalize():f} 亿元校准，系数 {run.scale.normalize():f}"
    else:
        how = "全区GDP官方数未知，未校准"
    basis_note = f"按{run.firms}家企业营业收入×增加值率推算，{how}"
    items: list[Item] = []
    skipped = 0

    def add(code: str, value: str | None, note: str, industry_id: int | None = None) -> None:
        nonlocal skipped
        if value is None or code not in indicators:
            return
        if (code, industry_id) in official.protected:
            skipped += 1
            return
        items.append(
            Item(
                indicator=indicators[code],
                level=Level.INDUSTRY if industry_id else Level.DISTRICT,
                industry_id=industry_id,
                period=period,
                frequency="year",
                value=Decimal(value),
                status=Status.FINAL,
                basis=Basis.ESTIMATED,
                note=note[:300],
                synthetic=run.synthetic,
            )
        )

    for row in figures["industries"]:
        if row["basis"] == Basis.ESTIMATED:
            add("value_added", row["estimate"], f"{basis_note}（成员企业 {row['firms']} 家）", row["id"])
        else:
            skipped += 1
    district = figures["district"]
    if district["basis"] == Basis.ESTIMATED:
        add("value_added", district["estimate"], basis_note)
    else:
        skipped += 1
    for share in figures["shares"]:
        if share["basis"] != Basis.ESTIMATED:
            skipped += 1
            continue
        note = (
            f"{share['name']}增加值 {share['numerator']} 亿元 ÷ "
            f"{'全区GDP' if share['scaled'] else '推算增加值合计'} {share['denominator']} 亿元；{basis_note}；"
            f"部分归属的行业按 {share['partial_weight']} 计入"
        )
        add(share["code"], share["value"], note)
    counts = observations_write(
        items=items,
        by=by if getattr(by, "is_authenticated", False) else None,
        source_type=SourceType.MANUAL,
        source_ref=run.source_ref,
        reason="重新推算增加值",
    )
    if counts.refused:
        raise ValidationError({"year": [f"推算结果未能写入：{counts.refused[0][1]}"]})
    return {
        "created": counts.created,
        "updated": counts.updated,
        "unchanged": counts.unchanged,
        "kept_official": skipped,
    }


# Demo data.


def demo_economy() -> list[EstimateRun]:
    """Estimate every whole year with enterprise revenue that has no estimate yet (`chanye demo`, after the
    indicator demo), so the share targets read computed shares."""
    rates_ensure()
    made = []
    for year in selectors.revenue_years():
        if selectors.revenue_reach(year=year) < 12 or EstimateRun.objects.filter(year=year).exists():
            continue  # an incomplete year is estimated once its figures are whole
        made.append(estimate_run(year=year, by=None))
    return made
