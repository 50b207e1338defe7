"""The shipped indicator catalogue (`data/catalogue.toml`) read and checked; no Django import."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from chanye.indicators.periods import FREQUENCIES

PATH = Path(__file__).resolve().parent / "data" / "catalogue.toml"
LEVELS = ("district", "industry", "enterprise")
CONFIDENTIALITY = ("public", "internal", "restricted")


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    unit: str
    frequency: str
    direction: str = "higher"
    source: str = ""
    owner: str = ""  # a department code
    confidentiality: str = "internal"
    levels: tuple[str, ...] = ("district",)
    additive: bool = False
    definition: str = ""
    position: int = 0


def read(text: str | None = None) -> list[Entry]:
    """The catalogue's entries in file order; ValueError naming the entry and the field when one is wrong."""
    data = tomllib.loads(text if text is not None else PATH.read_text(encoding="utf-8"))
    entries: list[Entry] = []
    seen: set[str] = set()
    for number, item in enumerate(data.get("indicator", []), start=1):
        where = f"第 {number} 个指标（{item.get('code', '?')}）"
        for key in ("code", "name", "unit", "frequency"):
            if not str(item.get(key, "")).strip():
                raise ValueError(f"{where}：缺少 {key}")
        if item["code"] in seen:
            raise ValueError(f"{where}：代码重复")
        seen.add(item["code"])
        if item["frequency"] not in FREQUENCIES:
            raise ValueError(f"{where}：frequency 应为 {'、'.join(FREQUENCIES)}")
        if item.get("direction", "higher") not in ("higher", "lower"):
            raise ValueError(f"{where}：direction 应为 higher 或 lower")
        if item.get("confidentiality", "internal") not in CONFIDENTIALITY:
            raise ValueError(f"{where}：confidentiality 应为 {'、'.join(CONFIDENTIALITY)}")
        levels = tuple(item.get("levels", ["district"]))
        if not levels or any(level not in LEVELS for level in levels):
            raise ValueError(f"{where}：levels 应取自 {'、'.join(LEVELS)}")
        entries.append(
            Entry(
                code=item["code"],
                name=item["name"],
                unit=item["unit"],
                frequency=item["frequency"],
                direction=item.get("direction", "higher"),
                source=item.get("source", ""),
                owner=item.get("owner", ""),
                confidentiality=item.get("confidentiality", "internal"),
                levels=levels,
                additive=bool(item.get("additive", False)),
                definition="".join(line.strip() for line in item.get("definition", "").splitlines()),
                position=number * 10,
            )
        )
    return entries
