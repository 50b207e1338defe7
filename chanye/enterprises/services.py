"""Writes to the enterprise register. Each names its actor, keeps history and leaves an audit event."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.core.errors import StaleEdit  # noqa: F401 - raised here, caught as services.StaleEdit
from chanye.core.tabular import Limits, TabularError, open_table
from chanye.enterprises import loader
from chanye.enterprises.classify import Classifier, IndustryRules
from chanye.enterprises.models import (
    Enterprise,
    EnterpriseChange,
    FormerName,
    ImportJob,
    ImportRowError,
    JobStatus,
    Liaison,
    Membership,
    MembershipOverride,
    OverrideAction,
    RuleKind,
    Tag,
    Visit,
)
from chanye.enterprises.rows import Lookups
from chanye.enterprises.uscc import check as uscc_check
from chanye.indicators import rollups
from chanye.industries.codes import edition_codes
from chanye.industries.models import Industry, IndustrySystem, SystemVersion
from chanye.organizations.models import Street

EDITABLE_FIELDS = (
    "name",
    "status",
    "registered_on",
    "capital",
    "address",
    "street",
    "gbt_code",
    "business_scope",
    "revenue",
    "employees",
    "assets",
    "credit_rating",
    "dishonest",
    "dishonest_source",
    "dishonest_on",
    "contact_name",
    "contact_phone",
    "contact_email",
)


# Lookups shared by imports, saves and classification.


def current_system() -> IndustrySystem | None:
    """The district system whose industries classify the register (the lowest-level system loaded)."""
    return (
        IndustrySystem.objects.filter(current_version__isnull=False)
        .order_by("-region_level", "code")
        .select_related("current_version")
        .first()
    )


def gbt_sections() -> dict[str, str]:
    return {code.code: code.parent for code in edition_codes("gbt4754-2017") if code.level == "大类"}


def gbt_codes() -> frozenset[str]:
    return frozenset(code.code for code in edition_codes("gbt4754-2017") if code.code.isdigit())


def classifier_for(system: IndustrySystem | None) -> Classifier | None:
    if system is None:
        return None
    industries = Industry.objects.filter(system=system, active=True).order_by("position")
    rules = [
        IndustryRules(
            industry.id,
            industry.code,
            industry.name,
            tuple(industry.gbt_include),
            tuple(industry.gbt_exclude),
            tuple(industry.keywords),
        )
        for industry in industries
    ]
    return Classifier(rules, gbt_sections())


def lookups() -> Lookups:
    streets: dict[str, int] = {}
    for street in Street.objects.all():
        streets[street.code] = streets[street.name] = street.id
        streets.setdefault(street.name.removesuffix("街道"), street.id)
    tags: dict[str, int] = {}
    for tag in Tag.objects.all():
        tags[tag.name] = tags[tag.code] = tag.id
    accepted = frozenset(Enterprise.objects.exclude(uscc_exception="").values_list("uscc", flat=True))
    return Lookups(streets, tags, gbt_codes(), accepted, classifier_for(current_system()))


@transaction.atomic
def tag_create(*, by, code: str, name: str, description: str = "") -> Tag:
    tag = Tag(code=code.strip(), name=name.strip(), description=description.strip())
    tag.full_clean()
    tag.save()
    audit_record(actor=by, action="tag.create", obj=tag, after={"code": tag.code, "name": tag.name})
    return tag


# One enterprise at a time (the form and the API).


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    data = {name: getattr(enterprise, "street_id" if name == "street" else name) for name in EDITABLE_FIELDS}
    data["tags"] = sorted(enterprise.tags.values_list("code", flat=True)) if enterprise.pk else []
    return {key: (str(value) if isinstance(value, date) else value) for key, value in data.items()}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


@transaction.atomic
def enterprise_save(
    *,
    by,
    values: dict[str, Any],
    enterprise: Enterprise | None = None,
    tags: list[Tag] | None = None,
    expected_version: int | None = None,
    uscc_exception: str = "",
    source: str = "ui",
) -> Enterprise:
    """Create (with `values['uscc']`) or edit an enterprise. A stale `expected_version` is refused.

    A code failing the GB 32100 / GB 11714 checks is accepted only with `uscc_exception` (the reason) from
    a user allowed to accept it.
    """
    creating = enterprise is None
    if creating:
        result = uscc_check(str(values.get("uscc", "")))
        if not result.valid:
            if not uscc_exception.strip():
                raise ValidationError(
                    {"uscc": f"{result.message}。如确为真实登记的代码，请由授权人员填写接受原因"}
                )
            if not by.can("enterprises.accept_uscc"):
                raise ValidationError({"uscc": f"{result.message}。你无权接受未通过校验的代码"})
        if Enterprise.objects.filter(uscc=result.code).exists():
            raise ValidationError({"uscc": f"代码 {result.code} 已登记"})
        enterprise = Enterprise(uscc=result.code, uscc_exception=uscc_exception.strip()[:300])
        before: dict[str, Any] = {}
    else:
        assert enterprise is not None
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        if expected_version is not None and locked.version != expected_version:
            raise StaleEdit(
                f"该企业已被他人修改（当前版本 {locked.version}，你打开的是版本 {expected_version}），请刷新后再改"
            )
        enterprise = locked
        before = _snapshot(enterprise)
    for name, value in values.items():
        if name in EDITABLE_FIELDS:
            setattr(enterprise, name, value)
    enterprise.scale = enterprise.sizing.scale
    if not creating:
        enterprise.version = F("version") + 1
    enterprise.full_clean(exclude=["version"])
    old_name = before.get("name")
    enterprise.save()
    enterprise.refresh_from_db()
    if tags is not None:
        enterprise.tags.set(tags)
    after = _snapshot(enterprise)
    diff = {
        key: [_plain(before.get(key)), _plain(after[key])] for key in after if before.get(key) != after[key]
    }
    if creating or diff:
        EnterpriseChange.objects.create(enterprise=enterprise, by=by, source=source, changes=diff)
        if old_name and old_name != enterprise.name:
            FormerName.objects.get_or_create(
                enterprise=enterprise, name=old_name, defaults={"until": timezone.localdate()}
            )
        audit_record(
            actor=by,
            action="enterprise.create" if creating else "enterprise.update",
            obj=enterprise,
            before=before or None,
            after=after,
            message=f"代码校验例外：{enterprise.uscc_exception}"
            if creating and enterprise.uscc_exception
            else "",
        )
        if creating or {"gbt_code", "business_scope"} & diff.keys():
            memberships_refresh(enterprise_ids=[enterprise.pk])
    return enterprise


# Classification.


@dataclass
class ClassificationPlan:
    system: IndustrySystem | None
    added: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    rule_changed: int = 0
    enterprises: int = 0

    def summary(self) -> list[dict[str, Any]]:
        """Per industry: how many enterprises join and leave, with a few names of each."""
        industries = {i.id: i for i in Industry.objects.filter(id__in={*self.added, *self.removed})}
        names = dict(
            Enterprise.objects.filter(
                id__in={e for rows in self.added.values() for e, _ in rows[:5]}
                | {e for rows in self.removed.values() for e in rows[:5]}
            ).values_list("id", "name")
        )
        out = []
        for industry_id in sorted(industries, key=lambda i: industries[i].position):
            added, removed = self.added.get(industry_id, []), self.removed.get(industry_id, [])
            out.append(
                {
                    "industry": industries[industry_id],
                    "added": len(added),
                    "removed": len(removed),
                    "added_examples": [names.get(e, "") for e, _ in added[:5]],
                    "removed_examples": [names.get(e, "") for e in removed[:5]],
                }
            )
        return out

    @property
    def moves(self) -> int:
        return sum(map(len, self.added.values())) + sum(map(len, self.removed.values()))


def _target(classifier: Classifier, enterprise_ids: list[int] | None):
    """Rule memberships {(enterprise, industry): (kind, rule)}, streamed over the register."""
    overrides = {
        (o.enterprise_id, o.industry_id)
        for o in MembershipOverride.objects.only("enterprise_id", "industry_id")
    }
    rows = Enterprise.objects.order_by("id").values_list("id", "gbt_code", "business_scope")
    if enterprise_ids is not None:
        rows = rows.filter(id__in=enterprise_ids)
    target: dict[tuple[int, int], tuple[str, str]] = {}
    count = 0
    for enterprise_id, code, scope in rows.iterator(chunk_size=5000):
        count += 1
        for match in classifier.classify(code, scope):
            if (enterprise_id, match.industry_id) not in overrides:
                target[(enterprise_id, match.industry_id)] = (match.kind, match.rule)
    return target, count


def classification_plan(*, system: IndustrySystem | None = None) -> ClassificationPlan:
    """What a re-run of the rules would move, per industry, before anything is applied."""
    system = system or current_system()
    plan = ClassificationPlan(system)
    classifier = classifier_for(system)
    if classifier is None:
        return plan
    target, plan.enterprises = _target(classifier, None)
    current = {
        (e, i): rule
        for e, i, rule in Membership.objects.exclude(kind=RuleKind.MANUAL).values_list(
            "enterprise_id", "industry_id", "rule"
        )
    }
    for key, (_kind, rule) in target.items():
        if key not in current:
            plan.added[key[1]].append((key[0], rule))
        elif current[key] != rule:
            plan.rule_changed += 1
    for key in current.keys() - target.keys():
        plan.removed[key[1]].append(key[0])
    return plan


@transaction.atomic
def classification_apply(*, by, system: IndustrySystem | None = None) -> ClassificationPlan:
    """Re-run the rules over the whole register and write what moved; hand decisions are kept."""
    system = system or current_system()
    plan = classification_plan(system=system)
    if system is None or system.current_version_id is None:
        return plan
    classifier = classifier_for(system)
    assert classifier is not None
    target, _ = _target(classifier, None)
    rule_rows = Membership.objects.exclude(kind=RuleKind.MANUAL)
    for industry_id, enterprise_ids in plan.removed.items():
        for start in range(0, len(enterprise_ids), 5000):
            rule_rows.filter(
                industry_id=industry_id, enterprise_id__in=enterprise_ids[start : start + 5000]
            ).delete()
    Membership.objects.bulk_create(
        [
            Membership(
                enterprise_id=e,
                industry_id=industry_id,
                kind=target[(e, industry_id)][0],
                rule=rule[:200],
                version_id=system.current_version_id,
            )
            for industry_id, rows in plan.added.items()
            for e, rule in rows
        ],
        batch_size=5000,
        ignore_conflicts=True,
    )
    rollups.memberships_changed(
        pairs=[(e, i) for i, rows in plan.added.items() for e, _rule in rows]
        + [(e, i) for i, ids in plan.removed.items() for e in ids],
        reason="重新分类",
    )
    if plan.rule_changed:
        for (e, i), (kind, rule) in target.items():
            rule_rows.filter(enterprise_id=e, industry_id=i).exclude(rule=rule[:200]).update(
                kind=kind, rule=rule[:200], version_id=system.current_version_id
            )
    audit_record(
        actor=by,
        action="classification.apply",
        obj=system,
        after={
            "version": system.current_version.version if system.current_version else None,
            "added": {str(k): len(v) for k, v in plan.added.items()},
            "removed": {str(k): len(v) for k, v in plan.removed.items()},
            "rule_changed": plan.rule_changed,
        },
    )
    return plan


def memberships_refresh(*, enterprise_ids: list[int]) -> None:
    """Re-run the rules for a few enterprises (after a save); hand decisions win."""
    system = current_system()
    classifier = classifier_for(system)
    if classifier is None or system is None or system.current_version_id is None:
        return
    target, _ = _target(classifier, enterprise_ids)
    with rollups.memberships_tracked(enterprise_ids=enterprise_ids, reason="企业行业代码或经营范围变更"):
        Membership.objects.filter(enterprise_id__in=enterprise_ids).exclude(kind=RuleKind.MANUAL).delete()
        Membership.objects.bulk_create(
            [
                Membership(
                    enterprise_id=e,
                    industry_id=i,
                    kind=kind,
                    rule=rule[:200],
                    version_id=system.current_version_id,
                )
                for (e, i), (kind, rule) in target.items()
            ],
            ignore_conflicts=True,
        )


@transaction.atomic
def membership_override(*, by, enterprise: Enterprise, industry: Industry, action: str, reason: str) -> None:
    """Put an enterprise into an industry, or keep it out, by hand with a reason; re-runs keep it."""
    if not reason.strip():
        raise ValidationError({"reason": "请填写人工认定的原因"})
    if action not in OverrideAction.values:
        raise ValidationError({"action": "操作应为 纳入 或 排除"})
    version = industry.system.current_version or SystemVersion.objects.filter(system=industry.system).first()
    if version is None:
        raise ValidationError({"industry": "该产业所属体系尚未载入"})
    override, _ = MembershipOverride.objects.update_or_create(
        enterprise=enterprise,
        industry=industry,
        defaults={"action": action, "reason": reason.strip(), "by": by},
    )
    Membership.objects.filter(enterprise=enterprise, industry=industry).delete()
    if action == OverrideAction.INCLUDE:
        Membership.objects.create(
            enterprise=enterprise,
            industry=industry,
            kind=RuleKind.MANUAL,
            rule=f"人工认定：{reason.strip()}"[:200],
            version=version,
        )
    rollups.memberships_changed(pairs=[(enterprise.pk, industry.pk)], reason="人工认定")
    audit_record(
        actor=by,
        action="membership.override",
        obj=enterprise,
        after={"industry": industry.code, "action": action, "reason": reason.strip()},
    )


@transaction.atomic
def membership_override_clear(*, by, enterprise: Enterprise, industry: Industry) -> None:
    """Withdraw a hand decision: the rules decide again."""
    deleted, _ = MembershipOverride.objects.filter(enterprise=enterprise, industry=industry).delete()
    if deleted:
        Membership.objects.filter(enterprise=enterprise, industry=industry, kind=RuleKind.MANUAL).delete()
        rollups.memberships_changed(pairs=[(enterprise.pk, industry.pk)], reason="撤销人工认定")
        memberships_refresh(enterprise_ids=[enterprise.pk])
        audit_record(
            actor=by, action="membership.override_clear", obj=enterprise, after={"industry": industry.code}
        )


# Liaison and visits.


@transaction.atomic
def liaison_set(
    *, by, enterprise: Enterprise, leader, department, cadence_days: int, since: date, note: str = ""
) -> Liaison:
    if cadence_days < 1 or cadence_days > 366:
        raise ValidationError({"cadence_days": "走访周期应在 1–366 天之间"})
    before = (
        Liaison.objects.filter(enterprise=enterprise)
        .values("leader_id", "department_id", "cadence_days")
        .first()
    )
    liaison, _ = Liaison.objects.update_or_create(
        enterprise=enterprise,
        defaults={
            "leader": leader,
            "department": department,
            "cadence_days": cadence_days,
            "since": since,
            "note": note,
        },
    )
    audit_record(
        actor=by,
        action="liaison.set",
        obj=enterprise,
        before=before,
        after={"leader_id": leader.id, "department_id": department.id, "cadence_days": cadence_days},
    )
    return liaison


@transaction.atomic
def visit_log(
    *,
    by,
    enterprise: Enterprise,
    visited_on: date,
    department,
    visitors: str,
    topics: str,
    requests: str = "",
    leader=None,
) -> Visit:
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": "走访日期不能晚于今天"})
    if not topics.strip():
        raise ValidationError({"topics": "请填写交流事项"})
    visit = Visit.objects.create(
        enterprise=enterprise,
        visited_on=visited_on,
        department=department,
        leader=leader,
        visitors=visitors.strip()[:200],
        topics=topics.strip(),
        requests=requests.strip(),
        created_by=by,
    )
    audit_record(
        actor=by,
        action="visit.log",
        obj=visit,
        after={"enterprise": enterprise.uscc, "date": str(visited_on)},
    )
    return visit


# Imports.


def import_limits() -> Limits:
    return Limits(max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)


def import_job_create(
    *, by, filename: str, content, dry_run: bool = False, mapping: dict | None = None
) -> ImportJob:
    """Keep an uploaded file and make a queued job for it; `content` is a file object or bytes."""
    job = ImportJob(
        filename=Path(filename).name[:255] or "upload", dry_run=dry_run, mapping=mapping or {}, created_by=by
    )
    directory = Path(settings.IMPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{job.id}{Path(filename).suffix.lower()[:8]}"
    limit = settings.IMPORT_MAX_BYTES
    written = 0
    with target.open("wb") as handle:
        chunks = (
            [content]
            if isinstance(content, bytes)
            else (
                content.chunks() if hasattr(content, "chunks") else iter(lambda: content.read(1 << 20), b"")
            )
        )
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                handle.close()
                target.unlink(missing_ok=True)
                raise ValidationError({"file": f"文件超过 {limit // 2**20} MB 的上限"})
            handle.write(chunk)
    job.stored = str(target)
    job.save()
    audit_record(
        actor=by, action="import.create", obj=job, after={"filename": job.filename, "dry_run": dry_run}
    )
    return job


def import_job_run(job: ImportJob) -> ImportJob:
    """Run an enterprise import job to its end (`import_job_execute`)."""
    system = current_system()

    def run(table, progress):
        job.total = table.estimated_rows()
        ImportJob.objects.filter(pk=job.pk).update(total=job.total)
        return loader.import_table(
            table,
            lookups=lookups(),
            version_id=system.current_version_id if system else None,
            source=f"import:{job.pk}",
            by=job.created_by,
            dry_run=job.dry_run,
            mapping=job.mapping,
            progress=progress,
        )

    def notes(outcome: loader.Outcome) -> list[str]:
        lines = []
        if outcome.duplicates:
            lines.append(f"{outcome.duplicates} 行与前面的行完全相同，已合并")
        if outcome.unknown:
            lines.append("未识别的列（未导入）：" + "、".join(outcome.unknown[:20]))
        if outcome.error_count > len(outcome.errors):
            lines.append(f"共 {outcome.error_count} 处错误，仅保存前 {len(outcome.errors)} 处")
        return lines

    return import_job_execute(job, run=run, notes=notes, limits=import_limits(), action="import.finish")


def import_job_execute(
    job: ImportJob,
    *,
    run,
    notes,
    limits: Limits,
    action: str,
    rejected: tuple[type[Exception], ...] = (loader.Rejected,),
) -> ImportJob:
    """Run an import job of any kind to its end: rejected (row errors kept, nothing written), done, or failed.
    `run(table, progress)` checks and writes the opened file and returns its outcome (total, created, updated,
    unchanged, rejected, errors); `notes(outcome)` the lines the job's page shows besides the counts; the
    exceptions in `rejected` carry `.errors` for a file refused as a whole."""
    job.status, job.phase = JobStatus.RUNNING, "reading"
    job.save(update_fields=["status", "phase"])
    ImportRowError.objects.filter(job=job).delete()

    def progress(phase: str, count: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, processed=count)

    try:
        with open_table(job.stored, job.filename, limits) as table:
            outcome = run(table, progress)
    except rejected as refused:
        errors = refused.errors  # type: ignore[attr-defined]
        import_errors_store(job, errors)
        return import_job_finish(job, JobStatus.REJECTED, errors[0].reason if errors else "")
    except TabularError as error:
        ImportRowError.objects.create(job=job, row=0, column="", value="", reason=error.message[:300])
        return import_job_finish(job, JobStatus.REJECTED, error.message)
    except Exception as error:  # noqa: BLE001 - the job records any failure for its owner
        return import_job_finish(job, JobStatus.FAILED, f"导入失败：{error}")
    job.processed = job.total = outcome.total
    job.created, job.updated, job.unchanged, job.rejected = (
        outcome.created,
        outcome.updated,
        outcome.unchanged,
        outcome.rejected,
    )
    import_errors_store(job, outcome.errors)
    lines = notes(outcome)
    if outcome.rejected:
        status = JobStatus.REJECTED
        lines.insert(0, f"{outcome.rejected} 行有错误，整个文件未写入；请修正后重新导入")
    else:
        status = JobStatus.DONE
        if job.dry_run:
            lines.insert(0, "仅校验：未写入任何数据")
    audit_record(
        actor=job.created_by,
        action=action,
        obj=job,
        after={
            "kind": job.kind,
            "status": status,
            "created": job.created,
            "updated": job.updated,
            "unchanged": job.unchanged,
            "rejected": job.rejected,
            "dry_run": job.dry_run,
        },
    )
    return import_job_finish(job, status, "；".join(lines))


def import_errors_store(job: ImportJob, errors) -> None:
    """A job's rejected rows (at most the first 100,000), for its page, the API and the error workbook."""
    ImportRowError.objects.bulk_create(
        [
            ImportRowError(
                job=job, row=e.row, column=e.column[:60], value=e.value[:200], reason=e.reason[:300]
            )
            for e in errors[: loader.MAX_STORED_ERRORS]
        ],
        batch_size=5000,
    )


def import_job_finish(job: ImportJob, status: str, message: str) -> ImportJob:
    job.status, job.message, job.finished_at = status, message[:2000], timezone.now()
    job.phase = ""
    job.save()
    if status == JobStatus.DONE and job.stored:
        Path(job.stored).unlink(missing_ok=True)
    return job


# Demo data.


def demo_register(*, count: int, seed: int = 12126, progress=None) -> loader.Outcome | None:
    """Generate and import the synthetic register (marked synthetic), then liaisons and visits for the
    largest firms. Returns None when the register already holds that many synthetic enterprises."""
    from chanye.enterprises import demo

    if Enterprise.objects.filter(synthetic=True).count() >= count:
        return None
    directory = Path(settings.VAR_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"demo-enterprises-{count}.csv"
    if not path.exists():
        demo.write_csv(path, count, seed)
    system = current_system()
    with open_table(str(path), path.name, Limits(max_bytes=4 * 2**30, max_rows=count + 10)) as table:
        outcome = loader.import_table(
            table,
            lookups=lookups(),
            version_id=system.current_version_id if system else None,
            source="demo",
            constants={"synthetic": True},
            progress=progress,
        )
    if not outcome.written:
        first = outcome.errors[0] if outcome.errors else None
        raise ValidationError(
            f"演示企业数据未通过校验：{outcome.rejected} 行被拒绝"
            + (f"（第 {first.row} 行 {first.column}：{first.reason}）" if first else "")
        )
    _demo_liaisons(seed)
    return outcome


def _demo_liaisons(seed: int) -> None:
    """The 30 largest synthetic firms get a liaison leader and department from their industry; a few visits,
    some of them long ago so the board shows overdue visits."""
    import random

    from chanye.organizations.models import Responsibility

    rng = random.Random(seed)
    today = timezone.localdate()
    largest = Enterprise.objects.filter(synthetic=True, liaison__isnull=True).order_by("-revenue")[:30]
    for enterprise in largest:
        membership = enterprise.memberships.select_related("industry").first()
        responsibility = (
            Responsibility.objects.filter(industry=membership.industry, valid_to__isnull=True).first()
            if membership
            else None
        )
        if responsibility is None or responsibility.leader is None or responsibility.lead_department is None:
            continue
        since = today - timedelta(days=rng.randrange(120, 400))
        liaison = Liaison.objects.create(
            enterprise=enterprise,
            leader=responsibility.leader,
            department=responsibility.lead_department,
            cadence_days=rng.choice((30, 60, 90)),
            since=since,
        )
        for _ in range(rng.randrange(0, 3)):
            Visit.objects.create(
                enterprise=enterprise,
                visited_on=since + timedelta(days=rng.randrange(1, (today - since).days)),
                department=liaison.department,
                leader=liaison.leader if rng.random() < 0.5 else None,
                visitors="演示·走访组",
                topics=rng.choice(("经营情况与扩产计划", "人才与用地需求", "政策兑现进度", "融资需求")),
                requests=rng.choice(("", "希望协调办公用房", "咨询研发费用加计扣除", "申请人才公寓")),
            )
