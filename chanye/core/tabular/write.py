"""Write exports that are safe to open in Excel/WPS and stream without holding the table in memory.

Any text that starts like a formula is prefixed with a quote (OWASP "CSV injection"): an enterprise
name such as "=HYPERLINK(...)" typed into the register must not run when a colleague opens the export.
XLSX goes through xlsxwriter in constant-memory mode with every automatic conversion switched off, so a
string stays a string. CSV carries a UTF-8 BOM, without which Excel shows Chinese as mojibake.
No Django import.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any, overload

import xlsxwriter

from .read import cell_text

Sheet = tuple[str, Sequence[str], Iterable[Sequence[Any]]]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
XLSX_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_CSV_CHUNK_CHARS = 16 * 1024  # StringIO counts characters; a CJK one is 3 bytes in UTF-8


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise[T](value: T) -> T: ...
def neutralise(value: Any) -> Any:
    """Prefix "'" to text starting with = + - @ tab or CR so spreadsheet programs never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_xlsx(target: str | os.PathLike[str] | IO[bytes], sheets: Sequence[Sheet]) -> None:
    """Write one worksheet per ``(name, headers, rows)``; rows may be a generator (constant memory).

    The header row is bold and frozen; text is neutralised and written as text; int/float/Decimal
    as numbers; dates as dates (yyyy-mm-dd); None as a blank cell. Raises ValueError (in Chinese) past
    Excel's 1,048,576 rows, instead of xlsxwriter silently dropping the rest.
    """
    destination = os.fspath(target) if isinstance(target, str | os.PathLike) else target
    with xlsxwriter.Workbook(destination, XLSX_OPTIONS) as book:
        header_format = book.add_format({"bold": True})
        formats = {
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
            "time": book.add_format({"num_format": "hh:mm:ss"}),
        }
        used: set[str] = set()
        for name, headers, rows in sheets:
            if len(headers) > EXCEL_MAX_COLUMNS:
                raise ValueError(f"列数 {len(headers)} 超过 Excel 的上限 {EXCEL_MAX_COLUMNS}。")
            sheet = book.add_worksheet(_sheet_name(name, used))
            for column, header in enumerate(headers):  # widths first: constant memory writes <cols> early
                sheet.set_column(column, column, min(max(8, _display_width(str(header)) + 2), 50))
            sheet.freeze_panes(1, 0)
            for column, header in enumerate(headers):
                sheet.write_string(0, column, neutralise(str(header)), header_format)
            for row_index, row in enumerate(rows, start=1):
                if row_index >= EXCEL_MAX_ROWS:
                    raise ValueError(
                        f"工作表“{name}”的数据超过 Excel 单个工作表 {EXCEL_MAX_ROWS:,} 行的上限，请缩小导出范围。"
                    )
                for column, value in enumerate(row):
                    _write_cell(sheet, row_index, column, value, formats)


def _write_cell(sheet: Any, row: int, column: int, value: Any, formats: dict[str, Any]) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, column, neutralise(value))
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float | Decimal):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):
            sheet.write_string(row, column, cell_text(value))
        else:
            sheet.write_number(row, column, number)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, column, value, formats["datetime"])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, formats["date"])
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, column, value, formats["time"])
    else:
        sheet.write_string(row, column, neutralise(str(value)))


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, not empty, unique ignoring case."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'")[:31] or "Sheet"
    candidate, number = base, 1
    while candidate.casefold() in used:
        number += 1
        suffix = f"({number})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.casefold())
    return candidate


def _display_width(text: str) -> int:
    """Column width in Excel units: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _csv_text(value: Any) -> str:
    if isinstance(value, str):
        return neutralise(value)
    return cell_text(value)


def write_csv(target_text_file: IO[str], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a neutralised CSV; open the file with encoding="utf-8-sig", newline="" so Excel reads Chinese."""
    writer = csv.writer(target_text_file)
    writer.writerow([_csv_text(header) for header in headers])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The same CSV as UTF-8 bytes in chunks of up to ~50 KB for StreamingHttpResponse; the first has the BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(header) for header in headers])
    yield codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() >= _CSV_CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


__all__ = ["EXCEL_MAX_ROWS", "FORMULA_STARTS", "csv_lines", "neutralise", "write_csv", "write_xlsx"]
