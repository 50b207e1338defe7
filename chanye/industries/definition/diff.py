"""What changed between two normalised definitions, item by item and field by field."""

from dataclasses import dataclass
from typing import Any

from chanye.industries.definition.parse import KEYED_SECTIONS


@dataclass(frozen=True)
class Change:
    section: str
    key: str
    kind: str  # added | removed | changed
    field: str = ""
    before: Any = None
    after: Any = None

    def format(self) -> str:
        if self.kind == "changed":
            return f"~ {self.section} {self.key} {self.field}: {self.before!r} → {self.after!r}"
        sign = "+" if self.kind == "added" else "-"
        return f"{sign} {self.section} {self.key}"


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    return {prefix: value}


def _target_key(target: dict) -> str:
    return f"{target['indicator']}/{target['scope']}/{target['year']}"


def diff_definitions(old: dict, new: dict) -> list[Change]:
    """Changes from `old` to `new`: system fields, then each keyed section, then targets."""
    changes: list[Change] = []

    def compare(section: str, key: str, before: dict, after: dict) -> None:
        flat_before, flat_after = _flatten(before), _flatten(after)
        for field in list(dict.fromkeys([*flat_before, *flat_after])):
            if flat_before.get(field) != flat_after.get(field):
                changes.append(
                    Change(section, key, "changed", field, flat_before.get(field), flat_after.get(field))
                )

    compare("system", old["system"].get("code", ""), old["system"], new["system"])
    sections = [(s, lambda item: item["code"]) for s in KEYED_SECTIONS] + [("targets", _target_key)]
    for section, key_of in sections:
        before = {key_of(item): item for item in old.get(section, [])}
        after = {key_of(item): item for item in new.get(section, [])}
        for key in before.keys() - after.keys():
            changes.append(Change(section, key, "removed"))
        for key in after.keys() - before.keys():
            changes.append(Change(section, key, "added"))
        for key in before.keys() & after.keys():
            compare(section, key, before[key], after[key])
    order = {s: i for i, s in enumerate(("system", *KEYED_SECTIONS, "targets"))}
    return sorted(changes, key=lambda c: (order[c.section], c.key, c.kind, c.field))
