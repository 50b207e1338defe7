"""统一社会信用代码 (GB 32100-2015) with its embedded organisation code (GB 11714): normalise and check.

No Django import. Each failure has its own code and message, because a real registration that fails
a check can still be accepted by an authorised user who records why — they need to know which check.
"""

import unicodedata
from dataclasses import dataclass

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_VALUE = {char: index for index, char in enumerate(CHARSET)}


@dataclass(frozen=True)
class Result:
    code: str  # the normalised code
    error: str = ""  # "" when valid, else one of the keys of MESSAGES
    detail: str = ""

    @property
    def valid(self) -> bool:
        return not self.error

    @property
    def message(self) -> str:
        return MESSAGES[self.error].format(detail=self.detail) if self.error else "valid"


MESSAGES = {
    "empty": "代码为空",
    "length": "长度应为 18 位，实为 {detail} 位",
    "character": "含有不允许的字符 {detail}（统一社会信用代码不使用 I、O、Z、S、V）",
    "division": "第 3–8 位登记管理机关行政区划码应为 6 位数字，实为 {detail}",
    "org_check": "第 9–17 位组织机构代码校验位不符（GB 11714），应为 {detail}",
    "check": "第 18 位校验码不符（GB 32100），应为 {detail}",
}


def normalise(raw: str) -> str:
    """Trim, full-width to half-width (NFKC), drop inner spaces and hyphens, upper case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(text.split()).replace("-", "").upper()


def check_character(body: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_VALUE[char] * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def org_check_character(org8: str) -> str:
    """The GB 11714 check character for the 8 body characters of an organisation code."""
    total = sum(int(char, 36) * weight for char, weight in zip(org8, ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def check(raw: str) -> Result:
    """Normalise and check one code; the first failing check is reported."""
    code = normalise(raw)
    if not code:
        return Result(code, "empty")
    if len(code) != 18:
        return Result(code, "length", str(len(code)))
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        return Result(code, "character", "、".join(bad))
    if not code[2:8].isdigit():
        return Result(code, "division", code[2:8])
    org = code[8:17]
    if org[:8].isalnum() and org_check_character(org[:8]) != org[8]:
        return Result(code, "org_check", org_check_character(org[:8]))
    expected = check_character(code[:17])
    if expected != code[17]:
        return Result(code, "check", expected)
    return Result(code)
