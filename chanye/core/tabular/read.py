"""Read the spreadsheets users actually upload (XLSX, XLS, ODS, CSV/TSV from Excel, WPS or LibreOffice).

Uploaded files are untrusted: a workbook is a zip of XML parts, so before any parser sees it we bound
its size, entry count and compression ratio (zip bombs) and refuse XML with a DOCTYPE or ENTITY
declaration (entity expansion, external entities). Text files are decoded strictly as UTF-8 or GB18030
(what Chinese Excel writes) so a file is never half-imported as mojibake.

Rows come out lazily as ``(row_number, cells)`` with every cell as text formatted the way the user sees
it, and the row number that Excel shows, so messages can point at "第 12 行 C 列". No Django import.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import functools
import io
import os
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from typing import IO, Any, Literal

import python_calamine
from python_calamine import CalamineWorkbook

Row = tuple[int, list[str]]
Source = str | os.PathLike[str] | IO[bytes]
Format = Literal["csv", "xlsx", "xlsb", "xls", "ods"]

MESSAGES = {
    "empty": "文件是空的，没有任何数据。",
    "too_large": "文件过大。",
    "too_many_rows": "文件行数过多。",
    "zip_entries": "文件内部包含的部件过多，不像正常的表格文件，已拒绝读取。",
    "zip_size": "文件解压后体积过大，不像正常的表格文件，已拒绝读取。",
    "zip_ratio": "文件压缩比异常（疑似“压缩炸弹”），已拒绝读取。",
    "xml_entity": "文件中含有 XML 实体声明（DOCTYPE/ENTITY），存在安全风险，已拒绝读取。请在 Excel 中另存为新文件后再上传。",
    "encoding": "无法识别文件编码。请在 Excel 中“另存为”→“CSV UTF-8（逗号分隔）”或 .xlsx 后重新上传。",
    "not_a_table": "无法识别的文件格式。请上传 .xlsx、.xls、.ods 或 .csv 表格文件。",
    "corrupt": "文件已损坏或不是有效的表格文件，无法读取。请用 Excel 打开后另存为 .xlsx 再上传。",
    "password": "文件设有密码保护，无法读取。请取消密码后重新上传。",
    "no_sheet": "找不到指定的工作表。",
    "bad_csv": "CSV 文件格式有误，无法解析。",
    "no_header": "未找到表头。",
}


class TabularError(Exception):
    """A file we refuse or cannot read: ``code`` is a stable key for programs, ``message`` is for users."""

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        self.message = message or MESSAGES.get(code, "无法读取该文件。")
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Limits:
    """Bounds on what an upload may cost us; the defaults fit a district's full enterprise list."""

    max_bytes: int = 100 * 2**20
    max_rows: int = 1_100_000
    max_zip_entries: int = 2000
    max_zip_ratio: int = 200
    max_uncompressed: int = 1_000 * 2**20


DEFAULT_LIMITS = Limits()

# The compression ratio is only judged on parts bigger than this: a tiny part that compresses 500:1
# (say a styles.xml of repeated elements) costs nothing, and real sheets never get near the limit.
RATIO_FLOOR = 2**20
# A central directory entry is 46 bytes plus name and extra fields; 1 KiB each is generous and bounds
# the memory zipfile spends on the directory before we can count its entries.
CD_BYTES_PER_ENTRY = 1024
CHUNK = 64 * 1024

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_XML_DECLARATION = re.compile(
    b"|".join(
        re.escape(word.encode(encoding))
        for word in ("<!DOCTYPE", "<!ENTITY")
        for encoding in ("utf-8", "utf-16-le", "utf-16-be")
    ),
    re.IGNORECASE,
)
_DELIMITERS = (",", "\t", ";", "|")


# --- cells ----------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """One cell as the text a user sees: whole numbers without ".0", dates in ISO form, booleans in caps."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer():
            return str(int(value))
        text = repr(value)  # the shortest form that reads back as the same float
        return text if "e" not in text else format(Decimal(text), "f")
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        seconds = int(value.total_seconds())
        sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
        return f"{sign}{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
    return str(value)


def _float_text(value: float) -> str:
    """cell_text of a float (what most non-text cells of a sheet are), without its type tests."""
    if value.is_integer():  # False for nan and the infinities
        return str(int(value))
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    text = repr(value)
    return text if "e" not in text else format(Decimal(text), "f")


# cell_text by the exact type of a cell, for the types a sheet is mostly made of; other types (datetime is a
# subclass of date, bool of int) go through cell_text itself.
_TEXT_OF_TYPE: dict[type, Callable[[Any], str]] = {float: _float_text, dt.date: dt.date.isoformat}


def column_letter(index: int) -> str:
    """Excel's column name for a 0-based index (0 → "A", 25 → "Z", 26 → "AA"), for messages to users."""
    if index < 0:
        raise ValueError("列序号不能为负数")
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _is_blank(cells: list[str]) -> bool:
    for cell in cells:  # noqa: SIM110 - the first cell usually decides; a loop is cheaper than a generator
        if cell and not cell.isspace():
            return False
    return True


# --- the table ------------------------------------------------------------------------------------


class Table:
    """One sheet of an opened file; ``rows()`` can be iterated more than once. Close it when done."""

    def __init__(
        self,
        *,
        filename: str,
        format: Format,
        limits: Limits,
        binary: IO[bytes] | None = None,
        path: str | None = None,
        owned: IO[bytes] | None = None,
        workbook: CalamineWorkbook | None = None,
        sheet: python_calamine.CalamineSheet | None = None,
        sheet_names: list[str] | None = None,
        encoding: str = "",
        delimiter: str = "",
        skip_first: bool = False,
    ) -> None:
        self.filename = filename
        self.format: Format = format
        self.limits = limits
        self.sheet_name: str | None = sheet.name if sheet is not None else None
        self.sheet_names: list[str] = sheet_names or []
        self.encoding = encoding
        self.delimiter = delimiter
        self._binary = binary
        self._path = path
        self._owned = owned
        self._workbook = workbook
        self._sheet = sheet
        self._skip_first = skip_first

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the parsed workbook and any temporary copy; a caller's own file object stays open."""
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
            self._sheet = None
        if self._owned is not None:
            self._owned.close()
            self._owned = None

    def estimated_rows(self) -> int:
        """About how many rows the table has, for a progress bar: exact for workbooks, estimated from the
        first 64 KB for CSV (0 when unknown)."""
        if self._sheet is not None:
            return int(self._sheet.height or 0)
        if self.format != "csv":
            return 0
        with self._open() as binary:
            binary.seek(0, io.SEEK_END)
            size = binary.tell()
            binary.seek(0)
            head = binary.read(65536)
            binary.seek(0)
        lines = head.count(b"\n")
        return int(size * lines / len(head)) if head and lines else 0

    def rows(self) -> Iterator[Row]:
        """Non-empty rows as ``(row_number, cells)``; row_number is the row Excel shows (1-based)."""
        if self.format == "csv":
            return self._csv_rows()
        return self._sheet_rows()

    def _sheet_rows(self) -> Iterator[Row]:
        sheet = self._sheet
        if sheet is None:
            raise ValueError("Table is closed")
        pads_rows, pads_columns = _calamine_layout()
        start = sheet.start or (0, 0)
        first_row = 0 if pads_rows else start[0]
        lead = [] if pads_columns else [""] * start[1]
        merges = _MergeFiller(sheet.merged_cell_ranges or [])
        max_rows = self.limits.max_rows
        merged = bool(sheet.merged_cell_ranges)
        text_of = _TEXT_OF_TYPE.get
        for offset, raw in enumerate(sheet.iter_rows()):
            index = first_row + offset
            if index >= max_rows:
                raise _too_many_rows(max_rows)
            # Text cells (most of a sheet) are taken as they are; the rest go through cell_text.
            cells = [value if type(value) is str else text_of(type(value), cell_text)(value) for value in raw]
            if lead:
                cells[:0] = lead
            if merged:
                merges.fill(index, cells)
            if not _is_blank(cells):
                yield index + 1, cells

    def _csv_rows(self) -> Iterator[Row]:
        max_rows = self.limits.max_rows
        number = 0
        with self._open() as binary:
            binary.seek(0)
            text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
            try:
                records = csv.reader(text, delimiter=self.delimiter)
                if self._skip_first:
                    next(records, None)
                for number, cells in enumerate(records, start=1):
                    if number > max_rows:
                        raise _too_many_rows(max_rows)
                    if not _is_blank(cells):
                        yield number, cells
            except csv.Error as error:
                raise TabularError(
                    "bad_csv", f"CSV 文件第 {number + 1} 行格式有误，无法解析（{error}）。"
                ) from error
            except UnicodeDecodeError as error:
                raise TabularError("encoding") from error
            finally:
                text.detach()

    @contextmanager
    def _open(self) -> Iterator[IO[bytes]]:
        if self._binary is not None:
            yield self._binary
        else:
            assert self._path is not None
            with open(self._path, "rb") as binary:
                yield binary


def _too_many_rows(max_rows: int) -> TabularError:
    return TabularError("too_many_rows", f"文件超过 {max_rows:,} 行的上限，请拆分成多个文件后分别上传。")


class _MergeFiller:
    """Give every cell of a merged range the value of its top-left cell, row by row as rows stream past.

    People merge cells for the eye ("天河区" once for ten rows of enterprises); each of those rows means
    the same value, so an importer must see it on every row.
    """

    def __init__(self, ranges: Iterable[tuple[tuple[int, int], tuple[int, int]]]) -> None:
        self._pending = sorted(
            ((r1, c1, r2, c2) for (r1, c1), (r2, c2) in ranges if (r1, c1) != (r2, c2)), reverse=True
        )
        self._active: list[tuple[int, int, int, int, str]] = []

    def fill(self, index: int, cells: list[str]) -> None:
        while self._pending and self._pending[-1][0] <= index:
            r1, c1, r2, c2 = self._pending.pop()
            if r1 == index:
                value = cells[c1] if c1 < len(cells) else ""
                self._active.append((r1, c1, r2, c2, value))
        if not self._active:
            return
        self._active = [merge for merge in self._active if merge[2] >= index]
        for _r1, c1, _r2, c2, value in self._active:
            if len(cells) <= c2:
                cells.extend([""] * (c2 + 1 - len(cells)))
            cells[c1 : c2 + 1] = [value] * (c2 + 1 - c1)


@functools.cache
def _calamine_layout() -> tuple[bool, bool]:
    """Whether calamine's iter_rows() pads the empty rows / columns above and left of the data.

    python-calamine 0.9 pads rows but not columns; rather than trust one version's habit, look once
    at a workbook whose only cell is B2, so row numbers and column letters always match Excel's.
    """
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        book.add_worksheet().write_string(1, 1, "x")
    buffer.seek(0)
    with python_calamine.CalamineWorkbook.from_filelike(buffer) as workbook:
        rows = list(workbook.get_sheet_by_index(0).iter_rows())
    return len(rows) == 2, len(rows[-1]) == 2


# --- opening --------------------------------------------------------------------------------------


def open_table(
    source: Source, filename: str, limits: Limits = DEFAULT_LIMITS, *, sheet: str | int | None = None
) -> Table:
    """Open an upload after the safety checks; the format is found from the content, not the name.

    ``source`` is a path or a binary file object (it is read from its start; a non-seekable stream is
    copied to a temporary file first). ``sheet`` picks a sheet by name or 0-based index; by default
    the first visible worksheet, which is what Excel users think of as "the" sheet.
    """
    path: str | None = None
    binary: IO[bytes] | None = None
    owned: IO[bytes] | None = None
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        size = os.path.getsize(path)
    else:
        binary, owned = _seekable(source, limits)
        binary.seek(0, io.SEEK_END)
        size = binary.tell()
        binary.seek(0)
    try:
        if size == 0:
            raise TabularError("empty")
        if size > limits.max_bytes:
            raise TabularError(
                "too_large",
                f"文件大小 {_megabytes(size)}，超过 {_megabytes(limits.max_bytes)} 的上限，请拆分后再上传。",
            )
        with _opened(path, binary) as handle:
            head = handle.read(4096)
            if head.startswith(_ZIP_MAGIC):
                kind = _check_zip(handle, size, limits)
            elif head.startswith(_OLE_MAGIC):
                kind = "xls"
            else:
                _check_text_head(head)
                encoding = _detect_encoding(handle)
                delimiter, skip_first = _sniff_delimiter(handle, encoding)
                return Table(
                    filename=filename,
                    format="csv",
                    limits=limits,
                    binary=binary,
                    path=path,
                    owned=owned,
                    encoding=encoding,
                    delimiter=delimiter,
                    skip_first=skip_first,
                )
        workbook, chosen, names = _open_workbook(path, binary, sheet)
        if chosen.end is not None and chosen.end[0] + 1 > limits.max_rows:
            workbook.close()
            raise _too_many_rows(limits.max_rows)
        return Table(
            filename=filename,
            format=kind,
            limits=limits,
            binary=binary,
            path=path,
            owned=owned,
            workbook=workbook,
            sheet=chosen,
            sheet_names=names,
        )
    except BaseException:
        if owned is not None:
            owned.close()
        raise


def _megabytes(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _seekable(source: IO[bytes], limits: Limits) -> tuple[IO[bytes], IO[bytes] | None]:
    """Spool a non-seekable stream to a temporary file (never more than max_bytes + 1 bytes)."""
    try:
        if source.seekable():
            return source, None
    except (AttributeError, ValueError):
        pass
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 2**20)  # noqa: SIM115 - owned by the Table
    remaining = limits.max_bytes + 1
    while remaining > 0 and (chunk := source.read(min(CHUNK, remaining))):
        spool.write(chunk)
        remaining -= len(chunk)
    spool.seek(0)
    return spool, spool


@contextmanager
def _opened(path: str | None, binary: IO[bytes] | None) -> Iterator[IO[bytes]]:
    if binary is not None:
        binary.seek(0)
        try:
            yield binary
        finally:
            binary.seek(0)
    else:
        assert path is not None
        with open(path, "rb") as handle:
            yield handle


def _open_workbook(
    path: str | None, binary: IO[bytes] | None, sheet: str | int | None
) -> tuple[CalamineWorkbook, python_calamine.CalamineSheet, list[str]]:
    try:
        if binary is not None:
            binary.seek(0)
            workbook = CalamineWorkbook.from_filelike(binary)
        else:
            assert path is not None
            workbook = CalamineWorkbook.from_path(path)
    except python_calamine.PasswordError as error:
        raise TabularError("password") from error
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        raise TabularError("corrupt") from error
    names = list(workbook.sheet_names)
    try:
        if isinstance(sheet, str):
            chosen = workbook.get_sheet_by_name(sheet)
        elif isinstance(sheet, int):
            chosen = workbook.get_sheet_by_index(sheet)
        else:
            chosen = workbook.get_sheet_by_index(_first_visible(workbook))
    except python_calamine.WorksheetNotFound as error:
        workbook.close()
        listed = "、".join(f"“{name}”" for name in names)
        raise TabularError("no_sheet", f"找不到工作表“{sheet}”。文件中的工作表有：{listed}。") from error
    except (python_calamine.CalamineError, ValueError, OSError) as error:
        workbook.close()
        raise TabularError("corrupt") from error
    return workbook, chosen, names


def _first_visible(workbook: CalamineWorkbook) -> int:
    for index, meta in enumerate(workbook.sheets_metadata):
        if (
            meta.visible == python_calamine.SheetVisibleEnum.Visible
            and meta.typ == python_calamine.SheetTypeEnum.WorkSheet
        ):
            return index
    return 0


# --- zip containers (xlsx, xlsb, ods) -------------------------------------------------------------


def _check_zip(handle: IO[bytes], size: int, limits: Limits) -> Format:
    """Refuse zip bombs and XML entity declarations before any parser sees the parts."""
    _check_central_directory(handle, size, limits)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise TabularError("corrupt") from error
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise TabularError("zip_entries")
        if sum(info.file_size for info in infos) > limits.max_uncompressed:
            raise TabularError("zip_size")
        for info in infos:
            if _ratio_exceeded(info.file_size, info.compress_size, limits):
                raise TabularError("zip_ratio")
        kind = _zip_format(archive)
        total = 0
        for info in infos:
            total = _scan_part(handle, info, total, limits)
    return kind


def _check_central_directory(handle: IO[bytes], size: int, limits: Limits) -> None:
    """Count entries from the end record, because zipfile builds the whole directory in memory first."""
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise TabularError("corrupt")
    _sig, _disk, _cd_disk, _here, entries, cd_size, _cd_offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + 22]
    )
    if entries != 0xFFFF and entries > limits.max_zip_entries:
        raise TabularError("zip_entries")
    if cd_size != 0xFFFFFFFF and cd_size > limits.max_zip_entries * CD_BYTES_PER_ENTRY:
        raise TabularError("zip_entries")


def _ratio_exceeded(uncompressed: int, compressed: int, limits: Limits) -> bool:
    return uncompressed > RATIO_FLOOR and uncompressed > limits.max_zip_ratio * max(compressed, 1)


def _zip_format(archive: zipfile.ZipFile) -> Format:
    names = {name.lower() for name in archive.namelist()}
    if "mimetype" in names:
        with archive.open("mimetype") as part:
            if part.read(100).strip() == _ODS_MIMETYPE:
                return "ods"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names or "ppt/presentation.xml" in names or "content.xml" in names:
        raise TabularError(
            "not_a_table",
            "这是 Word、PowerPoint 或其他文档，不是表格。请上传 .xlsx、.xls、.ods 或 .csv 表格文件。",
        )
    raise TabularError("not_a_table")


def _scan_part(handle: IO[bytes], info: zipfile.ZipInfo, total: int, limits: Limits) -> int:
    """Inflate one part ourselves, counting the bytes it really yields, and look for DOCTYPE/ENTITY.

    The sizes and CRC in a zip's headers are the attacker's to choose, and zipfile trusts them (it stops
    at the claimed size), so the stream is inflated here from the raw bytes, bounded chunk by chunk.
    """
    if info.flag_bits & 0x1:
        raise TabularError("password")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise TabularError("corrupt")
    handle.seek(info.header_offset)
    local = handle.read(30)
    if len(local) < 30 or local[:4] != _ZIP_MAGIC:
        raise TabularError("corrupt")
    name_length, extra_length = struct.unpack("<HH", local[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    is_xml = info.filename.lower().endswith((".xml", ".rels", ".vml"))
    inflated = 0
    tail = b""
    for fed, chunk in _inflate(handle, info.compress_size, info.compress_type == zipfile.ZIP_DEFLATED):
        inflated += len(chunk)
        total += len(chunk)
        if total > limits.max_uncompressed:
            raise TabularError("zip_size")
        if _ratio_exceeded(inflated, fed, limits):
            raise TabularError("zip_ratio")
        if is_xml:
            window = tail + chunk
            # "<!" (or "<\0!" in UTF-16) is rare in a sheet: only then is the pattern worth running.
            if (b"<!" in window or b"<\x00!" in window) and _XML_DECLARATION.search(window):
                raise TabularError("xml_entity")
            tail = window[-32:]
    return total


def _inflate(handle: IO[bytes], compressed: int, deflated: bool) -> Iterator[tuple[int, bytes]]:
    """Yield (compressed bytes consumed so far, next ≤ CHUNK inflated bytes) for one raw zip member."""
    fed = 0
    if not deflated:
        while fed < compressed and (chunk := handle.read(min(CHUNK, compressed - fed))):
            fed += len(chunk)
            yield fed, chunk
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending = b""
    try:
        while not inflater.eof:
            if not pending:
                pending = handle.read(min(CHUNK, compressed - fed))
                if not pending:
                    raise TabularError("corrupt")  # the stream ends before its end marker
                fed += len(pending)
            chunk = inflater.decompress(pending, CHUNK)
            pending = inflater.unconsumed_tail
            if chunk:
                yield fed - len(pending), chunk
    except zlib.error as error:
        raise TabularError("corrupt") from error


# --- text files (csv, tsv, Excel "Unicode text") --------------------------------------------------


def _check_text_head(head: bytes) -> None:
    """Turn away files that are clearly not delimited text, with a message that says what they are."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return
    if head.startswith(b"%PDF"):
        raise TabularError(
            "not_a_table", "这是 PDF 文件，不是表格。请上传 .xlsx、.xls、.ods 或 .csv 表格文件。"
        )
    start = head.removeprefix(codecs.BOM_UTF8).lstrip().lower()
    if start.startswith((b"<html", b"<!doctype html", b"<table", b"<meta", b"<?xml", b"mime-version")):
        raise TabularError(
            "not_a_table",
            "该文件实际是网页（HTML/XML）格式，只是扩展名像表格。请用 Excel 打开后“另存为”.xlsx 再上传。",
        )
    if b"\x00" in head:
        raise TabularError("not_a_table")


def _detect_encoding(handle: IO[bytes]) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode text"), else GB18030, checked to the end.

    The whole file is decoded once per candidate, chunk by chunk, so memory stays flat and a bad byte
    deep in the file is caught before any row is imported.
    """
    handle.seek(0)
    head = handle.read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    elif head.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8-sig", "gb18030")
    for encoding in candidates:
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise TabularError("encoding")


def _sniff_delimiter(handle: IO[bytes], encoding: str) -> tuple[str, bool]:
    """Pick the delimiter among , tab ; | that splits the first lines into the most rows of one width.

    Also honours Excel's "sep=;" first line, which Excel hides (so it does not count as a row).
    """
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    sample = decoder.decode(handle.read(CHUNK))
    handle.seek(0)
    first_line = sample.split("\n", 1)[0].strip()
    if len(first_line) == 5 and first_line.lower().startswith("sep="):
        return first_line[4], True
    if "\n" in sample:
        sample = sample[: sample.rfind("\n") + 1]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        try:
            rows = list(islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 100))
        except csv.Error:
            continue
        widths = Counter(len(row) for row in rows if not _is_blank(row) and len(row) > 1)
        if not widths:
            continue
        width, count = max(widths.items(), key=lambda item: (item[1], item[0]))
        if (count, width) > best_score:
            best, best_score = delimiter, (count, width)
    return best, False


# --- the header row -------------------------------------------------------------------------------

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_TRAILING_BRACKET = re.compile(r"[(\[【〔{]([^()\[\]【】〔〕{}]*)[)\]】〕}]$")
_NOT_UNITS = {"必填", "选填", "非必填", "可选", "必须", "必需"}


def normalise_header(text: str) -> tuple[str, str]:
    """Header text as a matching key, plus the unit written in trailing brackets.

    NFKC (full-width to half-width), all whitespace and zero-width characters removed, "*" required
    markers dropped, case-folded; trailing bracket groups such as "(万元)" or "（必填）" removed, and the
    first one that is not a "必填"-style remark returned as the unit: "注册资本（万元）" → ("注册资本", "万元").
    """
    key = _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))
    key = "".join(key.split()).strip("*")
    units: list[str] = []
    while (match := _TRAILING_BRACKET.search(key)) and match.start() > 0:
        units.insert(0, match.group(1))
        key = key[: match.start()].strip("*")
    unit = next((candidate for candidate in units if candidate and candidate not in _NOT_UNITS), "")
    return key.casefold(), unit


@dataclass
class HeaderMatch:
    """Where the header is and what each column means; ``rest`` continues with the data rows."""

    row_number: int
    columns: dict[int, str]
    units: dict[str, str]
    unknown: list[str]
    missing: list[str]
    rest: Iterator[Row]
    cells: list[str] = field(default_factory=list)


def find_header(
    rows: Iterable[Row], synonyms: dict[str, list[str]], required: set[str], lookahead: int = 20
) -> HeaderMatch:
    """Find the header among the first ``lookahead`` rows: the first row matching the most fields.

    Title rows ("2024年天河区规上企业名单") and notes above the header match nothing and are skipped.
    ``synonyms`` maps a field to the header texts that mean it; the field name itself also matches.
    """
    keys: dict[str, str] = {}
    for name, words in synonyms.items():
        for word in (name, *words):
            keys.setdefault(normalise_header(word)[0], name)
    iterator = iter(rows)
    ahead = list(islice(iterator, lookahead))
    if not ahead:
        raise TabularError("empty", "表格中没有任何数据。")
    best_at, best_score = -1, 0
    for position, (_number, cells) in enumerate(ahead):
        score = len({keys[key] for key, _unit in map(normalise_header, cells) if key in keys})
        if score > best_score:
            best_at, best_score = position, score
    if best_at < 0:
        expected = "、".join(_display_name(name, words) for name, words in synonyms.items())
        raise TabularError(
            "no_header",
            f"未找到表头：前 {len(ahead)} 行中没有一列的列名能识别。表头应包含这些列名：{expected}。",
        )
    row_number, cells = ahead[best_at]
    columns: dict[int, str] = {}
    units: dict[str, str] = {}
    unknown: list[str] = []
    first_column: dict[str, int] = {}
    for index, text in enumerate(cells):
        key, unit = normalise_header(text)
        if not key:
            continue
        matched = keys.get(key)
        if matched is None:
            unknown.append(text.strip())
        elif matched in first_column:
            unknown.append(f"{text.strip()}（与 {column_letter(first_column[matched])} 列重复，已忽略）")
        else:
            first_column[matched] = index
            columns[index] = matched
            if unit:
                units[matched] = unit
    missing = [name for name in synonyms if name in required and name not in first_column]
    missing += sorted(name for name in required if name not in synonyms)
    return HeaderMatch(
        row_number=row_number,
        columns=columns,
        units=units,
        unknown=unknown,
        missing=missing,
        rest=chain(ahead[best_at + 1 :], iterator),
        cells=cells,
    )


def _display_name(name: str, words: list[str]) -> str:
    """The field's own name when it is Chinese, else its first synonym: what users type in headers."""
    if any(ord(char) > 0x2E80 for char in name) or not words:
        return name
    return words[0]


__all__ = [
    "DEFAULT_LIMITS",
    "HeaderMatch",
    "Limits",
    "Row",
    "Source",
    "Table",
    "TabularError",
    "cell_text",
    "column_letter",
    "find_header",
    "normalise_header",
    "open_table",
]
