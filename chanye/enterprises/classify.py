"""Classification of enterprises into a system's industries, from the definition's rules.

No Django import: built from plain rule tuples, so the import pipeline can classify each row while it
validates it, and a full re-run streams the register through the same code.

The rules of an industry: its GB/T 4754 `include` prefixes (a section letter or a 2/3/4-digit code), its
`exclude` prefixes, and its business-scope keywords. An enterprise belongs when its code matches an include
prefix, or its business scope contains a keyword — unless its code matches an exclude prefix, which no
keyword overrides (only a hand decision does). An enterprise can belong to several industries; each
membership names the first rule that matched, the GB/T code before the keywords.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

GBT, KEYWORD = "gbt", "keyword"


def keyword_rule(keyword: str) -> str:
    return f"经营范围含关键词「{keyword}」"


@dataclass(frozen=True)
class IndustryRules:
    id: int
    code: str
    name: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    industry_id: int
    kind: str  # GBT or KEYWORD
    rule: str  # the sentence that answers "why is this enterprise in this industry?"


class Classifier:
    def __init__(self, industries: Iterable[IndustryRules], sections: Mapping[str, str]):
        """`sections` maps each 2-digit division to its section letter (from the GB/T 4754 edition)."""
        self.industries = tuple(industries)
        self._include: dict[str, list[tuple[int, str]]] = {}
        self._exclude: dict[str, set[int]] = {}
        self._keywords: dict[str, list[int]] = {}
        divisions_of: dict[str, list[str]] = {}
        for division, section in sections.items():
            divisions_of.setdefault(section, []).append(division)
        for industry in self.industries:
            for prefix in industry.include:
                for key in divisions_of.get(prefix, [prefix]):
                    self._include.setdefault(key, []).append((industry.id, prefix))
            for prefix in industry.exclude:
                for key in divisions_of.get(prefix, [prefix]):
                    self._exclude.setdefault(key, set()).add(industry.id)
            for keyword in industry.keywords:
                self._keywords.setdefault(keyword, []).append(industry.id)
        words = sorted(self._keywords, key=len, reverse=True)
        self.keywords: tuple[str, ...] = tuple(words)  # longest first: the alternation's order
        self._pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def excluded(self, gbt_code: str) -> set[int]:
        """The industries an exclude prefix shuts this code out of."""
        code = gbt_code or ""
        found: set[int] = set()
        for prefix in (code[:n] for n in (2, 3, 4) if len(code) >= n):
            found |= self._exclude.get(prefix, set())
        return found

    def keyword_industries(self, keyword: str) -> list[int]:
        return self._keywords.get(keyword, [])

    def classify(self, gbt_code: str, business_scope: str = "") -> list[Match]:
        code = gbt_code or ""
        prefixes = [code[:n] for n in (2, 3, 4) if len(code) >= n]
        excluded = self.excluded(code)
        found: dict[int, Match] = {}
        for prefix in prefixes:
            for industry_id, rule_prefix in self._include.get(prefix, ()):
                if industry_id not in excluded and industry_id not in found:
                    found[industry_id] = Match(
                        industry_id, GBT, f"国民经济行业代码 {code} 属于纳入范围 {rule_prefix}"
                    )
        if self._pattern is not None and business_scope:
            for keyword in dict.fromkeys(self._pattern.findall(business_scope)):
                for industry_id in self._keywords[keyword]:
                    if industry_id not in excluded and industry_id not in found:
                        found[industry_id] = Match(industry_id, KEYWORD, keyword_rule(keyword))
        return list(found.values())
