"""Enterprise lists out to XLSX and CSV with Chinese headers, formula-safe and masked by role; templates."""

import io
from collections.abc import Iterable, Iterator

from chanye.core.tabular import csv_lines, write_xlsx
from chanye.enterprises.models import Enterprise, ImportRowError, Scale, Status
from chanye.enterprises.rows import COLUMNS, mask

STATUS_LABELS = dict(Status.choices)
SCALE_LABELS = dict(Scale.choices)
EXPORT_HEADERS = [column.label for column in COLUMNS if column.field != "former_names"] + [
    "企业规模",
    "所属产业",
]


def _row(
    enterprise: Enterprise, show_personal: bool, industries: dict[int, list[str]], tags: dict[int, list[str]]
):
    out = []
    for column in COLUMNS:
        if column.field == "former_names":
            continue
        if column.field == "status":
            value = str(STATUS_LABELS.get(enterprise.status, enterprise.status))
        elif column.field == "street":
            value = enterprise.street.name if enterprise.street_id else ""
        elif column.field == "tags":
            value = "、".join(tags.get(enterprise.id, []))
        elif column.field == "dishonest":
            value = "是" if enterprise.dishonest else "否"
        else:
            value = getattr(enterprise, column.field)
        if column.personal and not show_personal:
            value = mask(column.field, value or "")
        out.append(value)
    out.append(str(SCALE_LABELS.get(enterprise.scale, "")))
    out.append("、".join(industries.get(enterprise.id, [])))
    return out


def export_rows(queryset, *, user) -> Iterator[list]:
    """Rows in batches of 2,000 with their industries and tags, never the whole list in memory."""
    show = user.can("enterprises.contacts")
    ids: list[int] = []
    batch: list[Enterprise] = []
    for enterprise in queryset.select_related("street").order_by("id").iterator(chunk_size=2000):
        batch.append(enterprise)
        ids.append(enterprise.id)
        if len(batch) == 2000:
            yield from _batch(batch, show)
            batch, ids = [], []
    if batch:
        yield from _batch(batch, show)


def _batch(batch: list[Enterprise], show: bool) -> Iterable[list]:
    from chanye.enterprises.models import EnterpriseTag, Membership

    ids = [enterprise.id for enterprise in batch]
    industries: dict[int, list[str]] = {}
    for enterprise_id, name in Membership.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "industry__name"
    ):
        industries.setdefault(enterprise_id, []).append(name)
    tags: dict[int, list[str]] = {}
    for enterprise_id, name in EnterpriseTag.objects.filter(enterprise_id__in=ids).values_list(
        "enterprise_id", "tag__name"
    ):
        tags.setdefault(enterprise_id, []).append(name)
    return (_row(enterprise, show, industries, tags) for enterprise in batch)


def export_xlsx(queryset, *, user):
    """The workbook in a temporary file (spilled to disk past 16 MB), positioned at its start."""
    import tempfile

    handle = tempfile.SpooledTemporaryFile(max_size=16 * 2**20)  # noqa: SIM115 - the response closes it
    write_xlsx(handle, [("企业名单", EXPORT_HEADERS, export_rows(queryset, user=user))])
    handle.seek(0)
    return handle


def export_csv(queryset, *, user) -> Iterator[bytes]:
    return csv_lines(EXPORT_HEADERS, export_rows(queryset, user=user))


def template_xlsx() -> bytes:
    """The import template: our headers, one example row, and a sheet explaining every column."""
    buffer = io.BytesIO()
    headers = [column.label for column in COLUMNS]
    example = [column.example for column in COLUMNS]
    notes = [
        ["统一社会信用代码", "必填；18 位，按 GB 32100 校验；全角字符、空格会自动处理"],
        ["企业名称", "必填"],
        ["登记状态", "存续、在业、迁出、注销、吊销；空白视为存续"],
        ["成立日期", "2023-01-05、2023/1/5、2023年1月5日、20230105 均可"],
        [
            "注册资本 / 营业收入 / 资产总额",
            "默认单位万元；可写“500万”“3亿”“12000元”，或在列名中注明（元）（亿元）",
        ],
        ["所属街道", "街道名称（如 石牌街道 或 石牌）或街道代码"],
        ["国民经济行业代码", "GB/T 4754-2017 的 2–4 位代码，可带门类字母，如 I6513"],
        ["企业标签", "多个用顿号分隔；须为平台已有的标签"],
        ["失信", "是 或 否"],
        ["曾用名", "多个用顿号分隔"],
        ["其他", "列名也可用常见的同义写法（如 纳税人识别号、从业人数）；列的顺序不限；表头上方可有标题行"],
    ]
    write_xlsx(buffer, [("企业名单", headers, [example]), ("填写说明", ["列", "说明"], notes)])
    return buffer.getvalue()


def template_csv() -> Iterator[bytes]:
    return csv_lines([column.label for column in COLUMNS], [[column.example for column in COLUMNS]])


ERROR_HEADERS = ["行号", "列", "值", "原因"]


def errors_xlsx(errors: Iterable[ImportRowError]) -> bytes:
    buffer = io.BytesIO()
    rows = ([error.row or "", error.column, error.value, error.reason] for error in errors)
    write_xlsx(buffer, [("错误明细", ERROR_HEADERS, rows)])
    return buffer.getvalue()
