"""Read a definition file and report every problem with its line, or return the normalised definition.

Checks, all at once: YAML syntax, duplicate keys, the JSON Schema (unknown keys, types, enums),
duplicate codes, cross-references inside the file, parent nodes in the parent system,
GB/T 4754-2017 codes that do not exist, and years outside a plausible range.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from chanye.industries.codes import code_exists

SCHEMA_PATH = Path(__file__).with_name("schema.json")
FORMAT = "chanye/system-definition@1"
YEAR_RANGE = (2000, 2100)
DISTRICT_SCOPE = "district"
KEYED_SECTIONS = (
    "requirements",
    "directions",
    "departments",
    "leaders",
    "offices",
    "task_forces",
    "streets",
    "industries",
    "indicators",
)
"""Sections whose items are keyed by `code`, in file order."""
Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition file, at a line (1-based; 0 when the file has none)."""

    line: int
    message: str
    path: str = ""

    def format(self, filename: str) -> str:
        return f"{filename}:{self.line}: {self.message}"


class DefinitionError(Exception):
    """A definition file that cannot be loaded, with every problem found."""

    def __init__(self, filename: str, problems: list[Problem]):
        self.filename = filename
        self.problems = sorted(problems, key=lambda p: (p.line, p.message))
        super().__init__("\n".join(p.format(filename) for p in self.problems))


@cache
def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


class _Located:
    """Builds plain Python data from a YAML node tree and remembers the line of every path."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.lines: dict[Path_, int] = {}
        self.key_lines: dict[Path_, int] = {}
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node, path: Path_ = ()) -> Any:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key = str(key_node.value)
                if key in result:
                    self.problems.append(Problem(key_node.start_mark.line + 1, f"duplicate key '{key}'"))
                    continue
                self.key_lines[(*path, key)] = key_node.start_mark.line + 1
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, dt.date):
            value = value.isoformat()
        return value

    def line_of(self, path: Iterable[str | int]) -> int:
        path = tuple(path)
        while path:
            if path in self.key_lines:
                return self.key_lines[path]
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _schema_problems(data: Any, located: _Located) -> list[Problem]:
    problems = []
    validator = jsonschema.Draft202012Validator(_schema(), format_checker=jsonschema.FormatChecker())
    for error in validator.iter_errors(data):
        path = tuple(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            for key in sorted(set(error.instance) - allowed):
                problems.append(
                    Problem(
                        located.line_of((*path, key)),
                        f"unknown key '{key}' in {_dotted(path) or 'the file'}",
                        _dotted((*path, key)),
                    )
                )
            continue
        if error.validator == "required":
            where = _dotted(path) or "the file"
            problems.append(Problem(located.line_of(path), f"{where}: {error.message}", _dotted(path)))
            continue
        if error.validator in ("enum", "const"):
            choices = error.validator_value if error.validator == "enum" else [error.validator_value]
            message = f"{_dotted(path)}: '{error.instance}' is not one of {', '.join(map(str, choices))}"
        elif error.validator == "pattern":
            message = f"{_dotted(path)}: '{error.instance}' is not a valid code or version"
        elif error.validator == "format":
            message = f"{_dotted(path)}: '{error.instance}' is not a valid {error.validator_value}"
        else:
            message = f"{_dotted(path) or 'the file'}: {error.message}"
        problems.append(Problem(located.line_of(path), message, _dotted(path)))
    return problems


ParentNodes = Callable[[str], set[str] | None]
"""Given a parent system code, its industry codes, or None when that system is not known."""


def _semantic_problems(data: dict, located: _Located, parent_nodes: ParentNodes) -> list[Problem]:
    problems: list[Problem] = []

    def add(path: Path_, message: str) -> None:
        problems.append(Problem(located.line_of(path), message, _dotted(path)))

    codes: dict[str, set[str]] = {}
    for section in KEYED_SECTIONS:
        seen: dict[str, int] = {}
        for i, item in enumerate(data.get(section) or []):
            code = item.get("code") if isinstance(item, dict) else None
            if not isinstance(code, str):
                continue
            if code in seen:
                add(
                    (section, i, "code"),
                    f"duplicate code '{code}' in {section} (first at line "
                    f"{located.line_of((section, seen[code], 'code'))})",
                )
            else:
                seen[code] = i
        codes[section] = set(seen)

    if DISTRICT_SCOPE in codes["industries"]:
        i = [x.get("code") for x in data["industries"]].index(DISTRICT_SCOPE)
        add(("industries", i, "code"), f"'{DISTRICT_SCOPE}' is reserved for district-wide targets")

    def ref(path: Path_, value: Any, section: str, what: str) -> None:
        if isinstance(value, str) and value not in codes[section]:
            add(path, f"{what} '{value}' is not defined in {section}")

    for i, office in enumerate(data.get("offices") or []):
        ref(("offices", i, "host_department"), office.get("host_department"), "departments", "department")
    for i, force in enumerate(data.get("task_forces") or []):
        ref(("task_forces", i, "lead_department"), force.get("lead_department"), "departments", "department")
        ref(("task_forces", i, "head"), force.get("head"), "leaders", "leader")
        for j, dept in enumerate(force.get("member_departments") or []):
            ref(("task_forces", i, "member_departments", j), dept, "departments", "department")

    system = data.get("system") or {}
    parent = system.get("parent") if isinstance(system, dict) else None
    known_parent_nodes = parent_nodes(parent) if isinstance(parent, str) else None
    if isinstance(parent, str) and known_parent_nodes is None:
        add(("system", "parent"), f"parent system '{parent}' is not loaded; load it first")
    if isinstance(parent, str) and parent == system.get("code"):
        add(("system", "parent"), "a system cannot be its own parent")

    for i, industry in enumerate(data.get("industries") or []):
        if not isinstance(industry, dict):
            continue
        node = industry.get("parent_node")
        if isinstance(node, str):
            if not isinstance(parent, str):
                add(("industries", i, "parent_node"), "parent_node is set but system.parent is not")
            elif known_parent_nodes is not None and node not in known_parent_nodes:
                add(
                    ("industries", i, "parent_node"),
                    f"parent node '{node}' does not exist in system '{parent}'",
                )
        governance = industry.get("governance") or {}
        if isinstance(governance, dict):
            base: Path_ = ("industries", i, "governance")
            ref((*base, "leader"), governance.get("leader"), "leaders", "leader")
            ref((*base, "lead_department"), governance.get("lead_department"), "departments", "department")
            ref((*base, "office"), governance.get("office"), "offices", "office")
            ref((*base, "task_force"), governance.get("task_force"), "task_forces", "task force")
            for j, dept in enumerate(governance.get("supporting_departments") or []):
                ref((*base, "supporting_departments", j), dept, "departments", "department")
                if dept == governance.get("lead_department"):
                    add((*base, "supporting_departments", j), f"'{dept}' is already the lead department")
        classification = industry.get("classification") or {}
        gbt = classification.get("gbt4754") if isinstance(classification, dict) else None
        if isinstance(gbt, dict):
            for kind in ("include", "exclude"):
                for j, code in enumerate(gbt.get(kind) or []):
                    if isinstance(code, str) and not code_exists("gbt4754-2017", code):
                        add(
                            ("industries", i, "classification", "gbt4754", kind, j),
                            f"GB/T 4754-2017 code '{code}' does not exist",
                        )
        for key, edition, label in (
            ("sei2018", "sei-2018", "战略性新兴产业分类(2018)"),
            ("dec2021", "dec-2021", "数字经济分类(2021)"),
        ):
            for j, code in enumerate(
                (classification or {}).get(key) or [] if isinstance(classification, dict) else []
            ):
                if isinstance(code, str) and not code_exists(edition, code):
                    add(("industries", i, "classification", key, j), f"{label} code '{code}' does not exist")

    effective = system.get("effective") if isinstance(system, dict) else None
    if (
        isinstance(effective, str)
        and effective[:4].isdigit()
        and not YEAR_RANGE[0] <= int(effective[:4]) <= YEAR_RANGE[1]
    ):
        add(("system", "effective"), f"year {effective[:4]} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
    target_keys: dict[tuple, int] = {}
    for i, target in enumerate(data.get("targets") or []):
        if not isinstance(target, dict):
            continue
        year = target.get("year")
        if isinstance(year, int) and not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            add(("targets", i, "year"), f"year {year} is outside {YEAR_RANGE[0]}–{YEAR_RANGE[1]}")
        scope = target.get("scope")
        if isinstance(scope, str) and scope != DISTRICT_SCOPE and scope not in codes["industries"]:
            add(
                ("targets", i, "scope"),
                f"target scope '{scope}' is neither '{DISTRICT_SCOPE}' nor an industry code",
            )
        ref(("targets", i, "indicator"), target.get("indicator"), "indicators", "indicator")
        target_key = (target.get("indicator"), scope, year, target.get("comparator"))
        if target_key in target_keys:
            add(
                ("targets", i),
                f"duplicate target for {target_key[0]} / {target_key[1]} / {target_key[2]} (first at line "
                f"{located.line_of(('targets', target_keys[target_key]))})",
            )
        else:
            target_keys[target_key] = i
    return problems


def parse_definition(
    text: str, *, filename: str = "<definition>", parent_nodes: ParentNodes = lambda code: None
) -> dict:
    """The definition as plain data, or DefinitionError listing every problem with its line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise DefinitionError(filename, [Problem(line, f"YAML syntax: {exc.problem or exc}")]) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(filename, [Problem(0, f"YAML: {exc}")]) from None
    if node is None:
        raise DefinitionError(filename, [Problem(1, "the file is empty")])
    located = _Located(loader)
    try:
        data = located.build(node)
    except yaml.YAMLError as exc:
        raise DefinitionError(filename, [Problem(0, f"YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise DefinitionError(
            filename, [Problem(1, "the file must be a mapping with format, system and industries")]
        )
    problems = located.problems + _schema_problems(data, located)
    problems += _semantic_problems(data, located, parent_nodes)
    if problems:
        raise DefinitionError(filename, problems)
    return normalise(data)


_LISTS = tuple(section for section in KEYED_SECTIONS if section != "industries") + ("targets",)


def normalise(data: dict) -> dict:
    """The same definition with every optional section present, so equal content compares equal."""
    result = {"format": data["format"], "system": dict(data["system"])}
    for section in _LISTS:
        result[section] = [dict(item) for item in data.get(section) or []]
    industries = []
    for item in data["industries"]:
        industry = dict(item)
        classification = dict(industry.get("classification") or {})
        gbt = dict(classification.get("gbt4754") or {})
        classification["gbt4754"] = {
            "include": list(gbt.get("include") or []),
            "exclude": list(gbt.get("exclude") or []),
        }
        for key in ("keywords", "sei2018", "dec2021"):
            classification[key] = list(classification.get(key) or [])
        industry["classification"] = classification
        governance = dict(industry.get("governance") or {})
        governance["supporting_departments"] = sorted(governance.get("supporting_departments") or [])
        industry["governance"] = governance
        industries.append(industry)
    result["industries"] = industries
    return result


def digest(definition: dict) -> str:
    """A stable fingerprint of a normalised definition (not of its formatting or comments)."""
    import hashlib

    blob = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def dump(definition: dict) -> str:
    """The definition as YAML text that parses back to the same definition."""
    return yaml.safe_dump(definition, allow_unicode=True, sort_keys=False, width=120)
