"""Writes for the industrial system: load a definition version, export it."""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from chanye.audit.services import audit_record
from chanye.industries.definition import DefinitionError, Problem, diff_definitions, parse_definition
from chanye.industries.definition.diff import Change
from chanye.industries.definition.parse import digest, dump
from chanye.industries.models import Industry, IndustrySystem, SystemVersion


@dataclass
class LoadResult:
    system: IndustrySystem
    version: SystemVersion
    created: bool
    changes: list[Change] = field(default_factory=list)


def parent_nodes_from_db(code: str) -> set[str] | None:
    """Industry codes of a loaded system, for checking parent_node references."""
    system = IndustrySystem.objects.filter(code=code).first()
    if system is None:
        return None
    return set(system.industries.filter(active=True).values_list("code", flat=True))


def definition_parse(*, text: str, filename: str) -> dict:
    """Parse and validate against the database's loaded systems; DefinitionError lists every problem."""
    return parse_definition(text, filename=filename, parent_nodes=parent_nodes_from_db)


@transaction.atomic
def system_load(*, text: str, filename: str, by=None) -> LoadResult:
    """Load a definition file: a new version is kept beside the old ones; an identical file changes nothing."""
    from chanye.indicators.models import Indicator
    from chanye.organizations.services import organizations_apply_definition
    from chanye.targets.services import targets_apply_definition

    definition = definition_parse(text=text, filename=filename)
    meta = definition["system"]
    fingerprint = digest(definition)
    system = IndustrySystem.objects.select_for_update().filter(code=meta["code"]).first()
    if system is not None:
        same = system.versions.filter(version=meta["version"]).first()
        if same is not None:
            if same.digest == fingerprint:
                return LoadResult(system=system, version=same, created=False)
            raise DefinitionError(
                filename,
                [
                    Problem(
                        _version_line(text),
                        f"version {meta['version']} of {meta['code']} is already loaded with "
                        "different content; give the changed file a new version",
                    )
                ],
            )
    parent = IndustrySystem.objects.filter(code=meta["parent"]).first() if meta.get("parent") else None
    region = meta["region"]
    values = {
        "name": meta["name"],
        "region_code": region["code"],
        "region_name": region["name"],
        "region_level": region["level"],
        "parent": parent,
    }
    previous = system.current_version.definition if system and system.current_version else None
    if system is None:
        system = IndustrySystem.objects.create(code=meta["code"], **values)
    else:
        for key, value in values.items():
            setattr(system, key, value)
    version = SystemVersion.objects.create(
        system=system,
        version=meta["version"],
        definition=definition,
        source_name=Path(filename).name,
        source_text=text,
        digest=fingerprint,
        loaded_by=by if by and by.is_authenticated else None,
    )
    _apply_industries(system=system, version=version, definition=definition, parent=parent)
    system.current_version = version
    system.save()
    organizations_apply_definition(system=system, version=version, definition=definition, by=by)
    if (
        Indicator.objects.exists()
    ):  # once the indicator catalogue is in (`chanye demo` loads it, then targets)
        targets_apply_definition(system=system, version=version, definition=definition, by=by)
    changes = diff_definitions(previous, definition) if previous else []
    audit_record(
        actor=by,
        action="system.load",
        obj=version,
        before={"version": previous["system"]["version"]} if previous else None,
        after={
            "version": meta["version"],
            "digest": fingerprint,
            "industries": len(definition["industries"]),
            "changes": [c.format() for c in changes][:200],
        },
        message=f"载入 {Path(filename).name}",
    )
    return LoadResult(system=system, version=version, created=True, changes=changes)


def _version_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("version:"):
            return number
    return 0


def _apply_industries(
    *, system: IndustrySystem, version: SystemVersion, definition: dict, parent: IndustrySystem | None
) -> None:
    existing = {industry.code: industry for industry in system.industries.all()}
    parent_nodes = {i.code: i for i in parent.industries.all()} if parent else {}
    seen = set()
    for position, item in enumerate(definition["industries"], start=1):
        classification = item["classification"]
        values = {
            "name": item["name"],
            "category": item["category"],
            "description": item.get("description", ""),
            "parent_node": parent_nodes.get(item.get("parent_node", "")),
            "position": position,
            "gbt_include": classification["gbt4754"]["include"],
            "gbt_exclude": classification["gbt4754"]["exclude"],
            "keywords": classification["keywords"],
            "sei_codes": classification["sei2018"],
            "dec_codes": classification["dec2021"],
            "active": True,
            "retired_in": None,
        }
        industry = existing.get(item["code"])
        if industry is None:
            Industry.objects.create(system=system, code=item["code"], introduced_in=version, **values)
        else:
            for key, value in values.items():
                setattr(industry, key, value)
            industry.save()
        seen.add(item["code"])
    for code, industry in existing.items():
        if code not in seen and industry.active:
            industry.active = False
            industry.retired_in = version
            industry.save(update_fields=["active", "retired_in"])


def definition_resolve(ref: str) -> tuple[str, dict]:
    """A definition named by a file path or by CODE@VERSION (CODE alone: the current version)."""
    path = Path(ref)
    if path.exists():
        text = path.read_text(encoding="utf-8")
        return str(path), definition_parse(text=text, filename=str(path))
    code, _, number = ref.partition("@")
    system = IndustrySystem.objects.filter(code=code).first()
    if system is None:
        raise LookupError(f"'{ref}' is neither a file nor a loaded system")
    version = system.versions.filter(version=number).first() if number else system.current_version
    if version is None:
        raise LookupError(f"system {code} has no version {number}")
    return str(version), version.definition


def system_export(*, system: IndustrySystem, version: SystemVersion | None = None) -> str:
    """The definition as YAML. For the current version, governance as it stands today (edits included);
    if it differs from the file as loaded, the version gets a '+YYYYMMDD' suffix so it loads as new."""
    from chanye.organizations.selectors import governance_of_system

    chosen = version or system.current_version
    if chosen is None:
        raise LookupError(f"system {system.code} has no loaded version")
    definition = chosen.definition
    if chosen == system.current_version:
        current = governance_of_system(system)
        overlaid = {
            **definition,
            "industries": [
                {**item, "governance": current.get(item["code"], item["governance"])}
                for item in definition["industries"]
            ],
        }
        if digest(overlaid) != digest(definition):
            stamp = timezone.localdate().strftime("%Y%m%d")
            overlaid["system"] = {
                **definition["system"],
                "version": f"{definition['system']['version'].split('+')[0]}+{stamp}",
            }
        definition = overlaid
    return dump(definition)
