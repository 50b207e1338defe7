"""The enterprise sheet: its columns, their Chinese headers and synonyms, and the check of one row.

No Django import. `RowChecker` turns one row of text cells into clean values — or into errors that name the
column, the value and the reason — using lookup tables the caller loads once (streets, tags, codes).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from chanye.core.tabular.values import clean_text, parse_amount, parse_date, parse_int
from chanye.enterprises import scale as sizing
from chanye.enterprises.classify import Classifier, Match
from chanye.enterprises.uscc import check as uscc_check


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the header of our templates and exports
    synonyms: tuple[str, ...] = ()
    required: bool = False
    personal: bool = False  # personal information: masked unless the role may see it
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "uscc",
        "统一社会信用代码",
        ("信用代码", "社会信用代码", "统一代码", "USCC", "纳税人识别号", "统一社会信用代码/注册号"),
        True,
        example="91440106MA59XXXXXX",
    ),
    Column("name", "企业名称", ("名称", "单位名称", "公司名称", "企业(单位)名称", "单位详细名称"), True),
    Column("status", "登记状态", ("经营状态", "企业状态", "状态", "登记状况"), example="存续"),
    Column(
        "registered_on", "成立日期", ("注册日期", "登记日期", "成立时间", "设立日期"), example="2019-03-15"
    ),
    Column("capital", "注册资本", ("注册资金", "注册资本金"), example="1000"),
    Column("address", "注册地址", ("地址", "住所", "经营地址", "企业地址", "注册地")),
    Column("street", "所属街道", ("街道", "街道名称", "镇街", "所在街道"), example="石牌街道"),
    Column(
        "gbt_code",
        "国民经济行业代码",
        ("行业代码", "国标行业代码", "行业小类代码", "国民经济行业分类代码", "行业分类代码"),
        example="6513",
    ),
    Column("business_scope", "经营范围", ("主营业务", "经营范围及方式")),
    Column("revenue", "营业收入", ("主营业务收入", "营收", "营业收入总额"), example="5200"),
    Column("employees", "从业人员", ("从业人数", "员工人数", "职工人数", "从业人员期末人数", "从业人员数")),
    Column("assets", "资产总额", ("总资产", "资产合计")),
    Column("tags", "企业标签", ("标签", "企业类型标签", "企业标识"), example="规上、高新技术企业"),
    Column("credit_rating", "信用等级", ("纳税信用等级", "信用评级")),
    Column("dishonest", "失信", ("是否失信", "失信被执行人", "失信标记")),
    Column("dishonest_source", "失信信息来源", ("失信来源",)),
    Column("dishonest_on", "失信认定日期", ("失信日期",)),
    Column("contact_name", "联系人", ("企业联系人", "联系人姓名"), personal=True),
    Column("contact_phone", "联系电话", ("电话", "手机", "联系方式", "手机号码"), personal=True),
    Column("contact_email", "联系邮箱", ("邮箱", "电子邮箱", "E-mail", "Email"), personal=True),
    Column("former_names", "曾用名", ("历史名称", "原名称")),
)
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
AMOUNT_FIELDS = ("capital", "revenue", "assets")
SYNONYMS = {column.field: [column.label, *column.synonyms] for column in COLUMNS}
REQUIRED = {column.field for column in COLUMNS if column.required}

STATUS_WORDS = {
    "存续": "existing",
    "在册": "existing",
    "在业": "operating",
    "在营": "operating",
    "开业": "operating",
    "营业": "operating",
    "迁出": "moved_out",
    "注销": "cancelled",
    "吊销": "revoked",
    "吊销未注销": "revoked",
}
YES = {"是", "Y", "YES", "TRUE", "1", "失信"}
NO = {"否", "N", "NO", "FALSE", "0", ""}
_SPLIT = re.compile(r"[、,，;；/|\s]+")
_PHONE = re.compile(r"^[0-9+()\-\s转]{5,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_GBT = re.compile(r"^[A-T]?(\d{2,4})$")


@dataclass
class RowError:
    row: int
    column: str  # the column's header as the user's file has it
    value: str
    reason: str


@dataclass
class CheckedRow:
    row: int
    values: dict[str, object]  # field → clean value, only the fields the file has
    tag_ids: list[int] | None = None  # None: the file has no tag column
    former_names: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)


@dataclass
class Lookups:
    streets: Mapping[str, int]  # code, full name and short name (no 街道) → id
    tags: Mapping[str, int]  # tag name and code → id
    gbt_codes: frozenset[str]  # every 2/3/4-digit GB/T 4754-2017 code
    accepted_uscc: frozenset[str] = frozenset()  # registered codes accepted despite a failed check
    classifier: Classifier | None = None


class RowChecker:
    def __init__(self, lookups: Lookups, columns: Mapping[int, str], headers: Mapping[int, str], units=None):
        """`columns` maps column index → field; `headers` column index → the header text in the file."""
        self.lookups = lookups
        self.columns = dict(columns)
        self.headers = dict(headers)
        self.units = dict(units or {})
        self.fields = set(self.columns.values())
        self._parsers: dict[str, Callable[[str], object]] = {
            "uscc": self._uscc,
            "name": self._required_text(200),
            "status": self._status,
            "registered_on": parse_date,
            "capital": lambda text: parse_amount(text, self.units.get("capital")),
            "revenue": lambda text: parse_amount(text, self.units.get("revenue")),
            "assets": lambda text: parse_amount(text, self.units.get("assets")),
            "address": self._text(255),
            "street": self._street,
            "gbt_code": self._gbt,
            "business_scope": self._text(4000),
            "employees": parse_int,
            "credit_rating": self._text(10),
            "dishonest": self._yes_no,
            "dishonest_source": self._text(100),
            "dishonest_on": parse_date,
            "contact_name": self._text(50),
            "contact_phone": self._phone,
            "contact_email": self._email,
        }

    def check(self, row: int, cells: list[str]) -> tuple[CheckedRow | None, list[RowError]]:
        errors: list[RowError] = []
        checked = CheckedRow(row, {})
        for index, name in self.columns.items():
            raw = unneutralise(cells[index] if index < len(cells) else "")
            header = self.headers.get(index, COLUMN_BY_FIELD[name].label)
            try:
                value = self.parse(name, raw)
            except ValueError as error:
                errors.append(RowError(row, header, raw[:200], str(error)))
                continue
            if name == "tags":
                checked.tag_ids = value  # type: ignore[assignment]
            elif name == "former_names":
                checked.former_names = value  # type: ignore[assignment]
            else:
                checked.values[name] = value
        if errors:
            return None, errors
        values = checked.values
        if {"employees", "revenue", "assets", "gbt_code"} & self.fields:
            values["scale"] = sizing.scale_of(
                str(values.get("gbt_code") or ""),
                values.get("employees"),
                values.get("revenue"),
                values.get("assets"),
            )
        if self.lookups.classifier is not None and {"gbt_code", "business_scope"} & self.fields:
            checked.matches = self.lookups.classifier.classify(
                str(values.get("gbt_code") or ""), str(values.get("business_scope") or "")
            )
        return checked, []

    def parse(self, name: str, raw: str) -> object:
        """One cell of one column as `check` reads it: the clean value, or ValueError with the reason.
        Tags come back as sorted tag ids, former names as a list."""
        if name == "tags":
            return self._tags(raw)
        if name == "former_names":
            return [part for part in (clean_text(p) for p in _SPLIT.split(raw)) if part]
        return self._parsers[name](raw)

    # Parsers: each returns the clean value or raises ValueError with the reason a user reads.

    def _uscc(self, raw: str) -> str:
        result = uscc_check(raw)
        if result.valid or result.code in self.lookups.accepted_uscc:
            return result.code
        raise ValueError(result.message)

    @staticmethod
    def _text(limit: int) -> Callable[[str], str]:
        def parse(raw: str) -> str:
            text = clean_text(raw)
            if len(text) > limit:
                raise ValueError(f"超过 {limit} 个字符（{len(text)} 个）")
            return text

        return parse

    def _required_text(self, limit: int) -> Callable[[str], str]:
        parse = self._text(limit)

        def required(raw: str) -> str:
            text = parse(raw)
            if not text:
                raise ValueError("不能为空")
            return text

        return required

    @staticmethod
    def _status(raw: str) -> str:
        text = clean_text(raw)
        if not text:
            return "existing"
        for word, status in sorted(STATUS_WORDS.items(), key=lambda item: -len(item[0])):
            if text.startswith(word):
                return status
        raise ValueError("登记状态应为 存续、在业、迁出、注销 或 吊销")

    def _street(self, raw: str) -> int | None:
        text = clean_text(raw).replace(" ", "")
        if not text:
            return None
        for key in (text, text.removeprefix("天河区"), text + "街道", text.removesuffix("街道")):
            if key in self.lookups.streets:
                return self.lookups.streets[key]
        raise ValueError("不是本区的街道")

    def _gbt(self, raw: str) -> str:
        text = clean_text(raw).replace(" ", "").upper()
        if not text:
            return ""
        found = _GBT.match(text)
        if not found or found.group(1) not in self.lookups.gbt_codes:
            raise ValueError("不是 GB/T 4754-2017 的行业代码（2–4 位数字，如 6513）")
        return found.group(1)

    def _tags(self, raw: str) -> list[int]:
        ids = []
        for part in _SPLIT.split(clean_text(raw)):
            if not part:
                continue
            if part not in self.lookups.tags:
                raise ValueError(f"未知标签「{part}」（标签可由发改局管理员新增）")
            ids.append(self.lookups.tags[part])
        return sorted(set(ids))

    @staticmethod
    def _yes_no(raw: str) -> bool:
        text = clean_text(raw).upper()
        if text in YES:
            return True
        if text in NO:
            return False
        raise ValueError("应为 是 或 否")

    @staticmethod
    def _phone(raw: str) -> str:
        text = clean_text(raw)
        if text and not _PHONE.match(text):
            raise ValueError("不是电话号码")
        return text

    @staticmethod
    def _email(raw: str) -> str:
        text = clean_text(raw)
        if text and not _EMAIL.match(text):
            raise ValueError("不是邮箱地址")
        return text


def unneutralise(raw: str) -> str:
    """A cell our own export neutralised ('=…, '+…, '-…, '@…) comes back as it was."""
    if raw[:1] == "'" and raw[1:2] in ("=", "+", "-", "@"):
        return raw[1:]
    return raw


def mask(field_name: str, value: str) -> str:
    """Personal information as a role without the right to see it gets it: 张* / 138****5678 / a***@x.cn."""
    if not value:
        return value
    if field_name == "contact_phone":
        return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"
    if field_name == "contact_email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    return value[:1] + "*" * max(1, len(value) - 1)
