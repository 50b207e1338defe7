"""GB/T 4754-2017 classes in the digital-economy core industries (2021) and the strategic emerging
industries (2018), and the secondary-industry rule of the NBS three-industry split (2018).

No Django import. The tables are data files in `data/` (see data/CLASSIFICATIONS.md for sources and
completeness); `load` reads one once and answers membership questions about GB/T 4754 codes, which may
carry their section letter ("I6513") or not ("6513").
"""

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
FILES = {"digital_core_2021": "digital_core_2021.csv", "sei_2018": "sei_2018_gbt.csv"}
COVERAGE_FILE = "classification_coverage.csv"

# GB/T 4754-2017 sections by their first and last division.
SECTIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}  # fmt: skip
_CODE = re.compile(r"([A-T]?)(\d{2,4})")


def normalize(gbt_code: str) -> str:
    """The digits of a GB/T 4754 division, group or class code; raises ValueError when it is not one."""
    match = _CODE.fullmatch((gbt_code or "").strip().upper())
    if not match:
        raise ValueError(f"not a GB/T 4754 code: {gbt_code!r}")
    letter, digits = match.groups()
    division = int(digits[:2])
    if letter and not SECTIONS[letter][0] <= division <= SECTIONS[letter][1]:
        raise ValueError(f"section {letter} has no division {digits[:2]}: {gbt_code!r}")
    if not letter and not any(first <= division <= last for first, last in SECTIONS.values()):
        raise ValueError(f"no GB/T 4754 division {digits[:2]}: {gbt_code!r}")
    return digits


def secondary_industry(gbt_code: str) -> bool:
    """NBS 三次产业划分规定 (2018): B except division 11, C except division 43, D and E are secondary."""
    division = int(normalize(gbt_code)[:2])
    return SECTIONS["B"][0] <= division <= SECTIONS["E"][1] and division not in (11, 43)


@dataclass(frozen=True)
class Row:
    category: (
        str  # the catalogue's 中类 code ("0101", "1.2"), or its 大类 code where the source gives no 中类
    )
    category_name: str
    top: str  # 大类: "01"–"04" or "1"–"9"
    top_name: str
    gbt_code: str  # GB/T 4754-2017 小类, four digits
    partial: bool  # marked * in the catalogue: only part of the class belongs
    source: str  # "transcribed" or "recalled", see data/CLASSIFICATIONS.md


@dataclass(frozen=True)
class Classification:
    name: str
    rows: tuple[Row, ...]
    covered: tuple[tuple[str, str], ...] = ()  # GB/T class ranges whose correspondence was read in full
    _by_code: dict[str, tuple[Row, ...]] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for row in self.rows:
            self._by_code[row.gbt_code] = (*self._by_code.get(row.gbt_code, ()), row)

    def codes(self) -> dict[str, bool]:
        """GB/T class → partial; a class is partial only if every row naming it is partial."""
        return {code: all(row.partial for row in rows) for code, rows in self._by_code.items()}

    def rows_of(self, gbt_code: str) -> tuple[Row, ...]:
        try:
            return self._by_code.get(normalize(gbt_code), ())
        except ValueError:
            return ()

    def top_of(self, gbt_code: str) -> list[tuple[str, str]]:
        """The 大类 (code, name) a class belongs to, in catalogue order."""
        tops = {(row.top, row.top_name) for row in self.rows_of(gbt_code)}
        return sorted(tops, key=lambda top: int(top[0]))

    def contains(self, gbt_code: str) -> bool:
        return bool(self.rows_of(gbt_code))

    def covers(self, gbt_code: str) -> bool:
        """Whether the source was read for this class, so that absence means "not in the catalogue"."""
        try:
            code = normalize(gbt_code)
        except ValueError:
            return False
        return len(code) == 4 and any(first <= code <= last for first, last in self.covered)


@cache
def load(name: str) -> Classification:
    """One of "digital_core_2021", "sei_2018"."""
    if name not in FILES:
        raise ValueError(f"unknown classification {name!r}; expected one of {', '.join(FILES)}")
    with (DATA_DIR / FILES[name]).open(encoding="utf-8", newline="") as handle:
        rows = tuple(
            Row(
                category=r["category"],
                category_name=r["category_name"],
                top=r["top"],
                top_name=r["top_name"],
                gbt_code=r["gbt_code"],
                partial=r["partial"] == "1",
                source=r["source"],
            )
            for r in csv.DictReader(handle)
        )
    with (DATA_DIR / COVERAGE_FILE).open(encoding="utf-8", newline="") as handle:
        covered = tuple((r["first"], r["last"]) for r in csv.DictReader(handle) if r["name"] == name)
    return Classification(name=name, rows=rows, covered=covered)
