"""chanye.core.tabular on real files: xlsxwriter and LibreOffice workbooks, GB18030 CSV, TSV, zip bombs,
XML entities, header detection below title rows, the value parsers and formula-safe exports."""

import codecs
import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import tracemalloc
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from chanye.core.tabular import (
    Limits,
    TabularError,
    clean_text,
    column_letter,
    csv_lines,
    find_header,
    neutralise,
    normalise_header,
    open_table,
    parse_amount,
    parse_date,
    parse_decimal,
    parse_int,
    write_csv,
    write_xlsx,
)
from chanye.core.tabular import read as read_module
from chanye.core.tabular import write as write_module

TITLE = "2024年天河区规上企业名单"
HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "注册资本（万元）",
    "成立日期",
    "所属街道",
    "从业人员",
    "更新时间",
]
SYNONYMS = {
    "name": ["企业名称", "单位名称", "名称"],
    "uscc": ["统一社会信用代码", "信用代码", "社会信用代码"],
    "registered_capital": ["注册资本", "注册资金"],
    "founded": ["成立日期", "成立时间"],
    "street": ["所属街道", "街道"],
    "employees": ["从业人员", "从业人数", "员工人数"],
    "industry": ["所属行业", "行业"],
}

# What a user sees in Excel for the workbook built by make_workbook(), row by row.
EXPECTED_ROWS = [
    (1, [TITLE] * 5 + ["", "", ""]),  # the title is merged over A1:E1
    (2, ["数据来源：区统计局", "", "", "", "", "", "", ""]),
    (3, HEADERS),
    (
        4,
        [
            "1",
            "广州甲科技有限公司 ",
            "91440101MA59AAAA1X",
            "1,234.50",
            "2023-01-05",
            "天河南街",
            "１２００",
            "2024-03-01 10:00:00",
        ],
    ),
    (5, ["2", "乙公司", "00123", "500", "2023/1/5", "天河南街", "35.5", "TRUE"]),  # F4:F5 merged
    # row 6 is empty and skipped
    (7, ["3", "丙公司", "", "1234.5", "2023年1月5日", "林和街", "1200人", ""]),
]


def make_workbook(path: Path) -> Path:
    """An enterprise list as people make them: title rows, merged cells, numbers as text, full-width digits."""
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet("企业名单")
        bold = book.add_format({"bold": True})
        date = book.add_format({"num_format": "yyyy-mm-dd"})
        stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.merge_range("A1:E1", TITLE, bold)
        sheet.write_string("A2", "数据来源：区统计局")
        for column, header in enumerate(HEADERS):
            sheet.write_string(2, column, header, bold)
        sheet.write_number("A4", 1)
        sheet.write_string("B4", "广州甲科技有限公司 ")
        sheet.write_string("C4", "91440101MA59AAAA1X")
        sheet.write_string("D4", "1,234.50")
        sheet.write_datetime("E4", dt.date(2023, 1, 5), date)
        sheet.merge_range("F4:F5", "天河南街")
        sheet.write_string("G4", "１２００")
        sheet.write_datetime("H4", dt.datetime(2024, 3, 1, 10, 0), stamp)
        sheet.write_number("A5", 2)
        sheet.write_string("B5", "乙公司")
        sheet.write_string("C5", "00123")
        sheet.write_number("D5", 500)
        sheet.write_string("E5", "2023/1/5")
        sheet.write_number("G5", 35.5)
        sheet.write_boolean("H5", True)
        sheet.write_number("A7", 3)
        sheet.write_string("B7", "丙公司")
        sheet.write_number("D7", 1234.5)
        sheet.write_string("E7", "2023年1月5日")
        sheet.write_string("F7", "林和街")
        sheet.write_string("G7", "1200人")
        book.add_worksheet("说明").write_string("A1", "第二个工作表")
    return path


def read_all(source, filename: str = "upload", **kwargs) -> list[tuple[int, list[str]]]:
    with open_table(source, filename, **kwargs) as table:
        return list(table.rows())


def write_csv_file(path: Path, rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> Path:
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def refuse_calamine(monkeypatch) -> None:
    """Make any use of calamine fail the test: the checks must refuse the file before it is parsed."""

    class Untouchable:
        @staticmethod
        def from_filelike(*args, **kwargs):
            raise AssertionError("calamine was handed a file that should have been refused")

        from_path = from_filelike

    monkeypatch.setattr(read_module, "CalamineWorkbook", Untouchable)


# --- workbooks ------------------------------------------------------------------------------------


def test_xlsx_rows_as_the_user_sees_them(tmp_path):
    path = make_workbook(tmp_path / "名单.xlsx")
    with open_table(path, "名单.xlsx") as table:
        assert table.format == "xlsx"
        assert table.sheet_name == "企业名单"
        assert table.sheet_names == ["企业名单", "说明"]
        assert list(table.rows()) == EXPECTED_ROWS
        assert list(table.rows()) == EXPECTED_ROWS  # rows() can be read again


def test_xlsx_from_a_file_object_and_a_non_seekable_stream(tmp_path):
    data = make_workbook(tmp_path / "a.xlsx").read_bytes()
    assert read_all(io.BytesIO(data)) == EXPECTED_ROWS

    class Pipe(io.RawIOBase):
        def __init__(self, payload: bytes) -> None:
            self._payload = io.BytesIO(payload)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            chunk = self._payload.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    assert read_all(Pipe(data)) == EXPECTED_ROWS


def test_data_not_starting_at_a1_keeps_excel_row_numbers_and_column_letters(tmp_path):
    path = tmp_path / "offset.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        sheet = book.add_worksheet()
        sheet.write_string("C4", "企业名称")
        sheet.write_string("D4", "注册资本")
        sheet.write_string("C6", "甲公司")
        sheet.write_number("D6", 12)
    assert read_all(path) == [(4, ["", "", "企业名称", "注册资本"]), (6, ["", "", "甲公司", "12"])]


def test_choosing_a_sheet(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx")
    assert read_all(path, sheet="说明") == [(1, ["第二个工作表"])]
    assert read_all(path, sheet=1) == [(1, ["第二个工作表"])]
    with pytest.raises(TabularError) as caught:
        open_table(path, "a.xlsx", sheet="不存在")
    assert caught.value.code == "no_sheet"
    assert "“企业名单”" in caught.value.message and "“说明”" in caught.value.message


def test_first_visible_sheet_is_the_default(tmp_path):
    path = tmp_path / "hidden.xlsx"
    with xlsxwriter.Workbook(str(path)) as book:
        hidden = book.add_worksheet("模板说明")
        hidden.write_string("A1", "隐藏")
        shown = book.add_worksheet("数据")
        shown.write_string("A1", "可见")
        shown.activate()
        hidden.hide()
    with open_table(path, "hidden.xlsx") as table:
        assert table.sheet_name == "数据"
        assert list(table.rows()) == [(1, ["可见"])]


def test_cell_values_become_text():
    text = read_module.cell_text
    assert [text(None), text(123.0), text(-0.0), text(1.5), text(0.1 + 0.2), text(1e-05)] == [
        "",
        "123",
        "0",
        "1.5",
        "0.30000000000000004",
        "0.00001",
    ]
    assert text(dt.datetime(2023, 1, 5)) == "2023-01-05"
    assert text(dt.datetime(2023, 1, 5, 10, 0)) == "2023-01-05 10:00:00"
    assert text(dt.date(2023, 1, 5)) == "2023-01-05"
    assert [text(True), text(False), text(7)] == ["TRUE", "FALSE", "7"]
    assert text(dt.timedelta(hours=30, minutes=5)) == "30:05:00"


# --- LibreOffice ----------------------------------------------------------------------------------


def libreoffice(source: Path, fmt: str, outdir: Path, profile: Path, infilter: str = "") -> Path:
    """Convert with a real LibreOffice; its own profile per test so parallel runs do not clash."""
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is required in CI (apt install libreoffice-calc)")
        pytest.skip("LibreOffice is not installed")
    command = [binary, f"-env:UserInstallation=file://{profile}", "--headless"]
    if infilter:
        command.append(f"--infilter={infilter}")
    command += ["--convert-to", fmt, "--outdir", str(outdir), str(source)]
    subprocess.run(command, check=True, timeout=120, capture_output=True)
    converted = outdir / f"{source.stem}.{fmt}"
    assert converted.exists(), f"LibreOffice did not write {converted}"
    return converted


def test_libreoffice_workbooks_read_back_identically(tmp_path):
    """The same workbook re-saved by LibreOffice as .xlsx and as old .xls: merged cells and all."""
    original = make_workbook(tmp_path / "名单.xlsx")
    outdir = tmp_path / "out"
    for fmt in ("xlsx", "xls"):
        converted = libreoffice(original, fmt, outdir, tmp_path / "lo")
        with open_table(converted, converted.name) as table:
            assert table.format == fmt
            assert table.sheet_name == "企业名单"
            assert list(table.rows()) == EXPECTED_ROWS


def test_libreoffice_csv_conversions_read_back_identically(tmp_path):
    """A CSV saved as .xlsx and .ods by LibreOffice (credit codes as a text column) reads like the CSV."""
    rows = [
        [TITLE, "", "", "", ""],
        ["企业名称", "统一社会信用代码", "注册资本（万元）", "成立日期", "从业人员"],
        ["广州甲科技有限公司 ", "00123", "1234.5", "2023-01-05", "１２００"],
        ["乙公司", "91440101MA59AAAA1X", "500", "2023年1月5日", "35"],
        ["", "", "", "", ""],
        ["丙 公司", "0044", "3亿", "2023/1/5", "1200人"],
    ]
    source = write_csv_file(tmp_path / "名单.csv", rows)
    expected = read_all(source)
    assert [number for number, _ in expected] == [1, 2, 3, 4, 6]
    # 44 = comma, 34 = double quote, 76 = UTF-8, 1 = first line; column 2 typed as text (2/2).
    infilter = "CSV:44,34,76,1,2/2"
    for fmt in ("xlsx", "ods"):
        converted = libreoffice(source, fmt, tmp_path / "out", tmp_path / "lo", infilter)
        with open_table(converted, converted.name) as table:
            assert table.format == fmt
            assert list(table.rows()) == expected


# --- text files -----------------------------------------------------------------------------------

CSV_ROWS = [
    [TITLE, "", ""],
    ["企业名称", "注册地址", "注册资本（万元）"],
    ["广州甲科技有限公司", "广州市天河区天河路1号", "1,234.5"],
    ["乙公司", "广州市, 天河区", "3亿"],
]


def test_gb18030_csv_from_chinese_excel(tmp_path):
    path = write_csv_file(tmp_path / "gbk.csv", CSV_ROWS, encoding="gb18030")
    assert path.read_bytes().decode("gb18030")  # really GB18030, and not valid UTF-8:
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    with open_table(path, "gbk.csv") as table:
        assert (table.format, table.encoding, table.delimiter) == ("csv", "gb18030", ",")
        assert list(table.rows()) == list(enumerate(CSV_ROWS, start=1))


def test_utf8_csv_with_bom_and_excel_sep_line(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + "sep=;\n企业名称;注册资本\n甲公司;12\n".encode())
    with open_table(path, "bom.csv") as table:
        assert (table.encoding, table.delimiter) == ("utf-8-sig", ";")
        assert list(table.rows()) == [(1, ["企业名称", "注册资本"]), (2, ["甲公司", "12"])]


def test_tsv_keeps_commas_inside_cells(tmp_path):
    path = write_csv_file(tmp_path / "list.tsv", CSV_ROWS, delimiter="\t")
    with open_table(path, "list.tsv") as table:
        assert table.delimiter == "\t"
        assert list(table.rows()) == list(enumerate(CSV_ROWS, start=1))


def test_excel_unicode_text_is_utf16_tab_separated(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("企业名称\t注册资本\r\n甲公司\t12\r\n".encode("utf-16"))
    with open_table(path, "unicode.txt") as table:
        assert (table.encoding, table.delimiter) == ("utf-16", "\t")
        assert list(table.rows()) == [(1, ["企业名称", "注册资本"]), (2, ["甲公司", "12"])]


def test_multiline_cell_counts_as_one_excel_row(tmp_path):
    path = write_csv_file(tmp_path / "multi.csv", [["名称", "备注"], ["甲", "第一行\n第二行"], ["乙", "x"]])
    assert read_all(path) == [(1, ["名称", "备注"]), (2, ["甲", "第一行\n第二行"]), (3, ["乙", "x"])]


def test_undecodable_text_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes("企业名称,金额\n".encode() + b"\xff\xfe\xfd,1\n")
    with pytest.raises(TabularError) as caught:
        open_table(path, "bad.csv")
    assert caught.value.code == "encoding"
    assert "CSV UTF-8" in str(caught.value)


def test_a_million_row_csv_streams_in_flat_memory(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("企业名称,统一社会信用代码,注册资本（万元）\n")
        handle.writelines(f"广州某某科技有限公司{i},91440101MA59AAAA1X,{i}.5\n" for i in range(1_000_000))
    tracemalloc.start()
    try:
        with open_table(path, "big.csv") as table:
            count = 0
            for number, cells in table.rows():
                count += 1
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 1_000_001
    assert (number, cells) == (1_000_001, ["广州某某科技有限公司999999", "91440101MA59AAAA1X", "999999.5"])
    assert peak < 5 * 2**20, f"reading streamed {peak / 2**20:.1f} MB at peak"


# --- refusals -------------------------------------------------------------------------------------


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(TabularError) as caught:
        open_table(path, "empty.csv")
    assert caught.value.code == "empty"
    assert str(caught.value) == caught.value.message and "空" in caught.value.message


def test_blank_only_file_has_no_header(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text(" , \n\n,,\n", encoding="utf-8")
    with open_table(path, "blank.csv") as table:
        assert list(table.rows()) == []
        with pytest.raises(TabularError) as caught:
            find_header(table.rows(), SYNONYMS, {"name"})
    assert caught.value.code == "empty"


def test_too_large(tmp_path):
    path = write_csv_file(tmp_path / "a.csv", CSV_ROWS)
    with pytest.raises(TabularError) as caught:
        open_table(path, "a.csv", Limits(max_bytes=50))
    assert caught.value.code == "too_large" and "MB" in caught.value.message


def test_too_many_rows_in_csv_stops_while_streaming(tmp_path):
    path = write_csv_file(tmp_path / "rows.csv", [["名称"]] + [[f"企业{i}"] for i in range(30)])
    seen = []
    with open_table(path, "rows.csv", Limits(max_rows=10)) as table, pytest.raises(TabularError) as caught:
        for number, _cells in table.rows():
            seen.append(number)
    assert caught.value.code == "too_many_rows" and "10" in caught.value.message
    assert seen == list(range(1, 11))


def test_too_many_rows_in_xlsx_is_refused_at_open(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx")
    with pytest.raises(TabularError) as caught:
        open_table(path, "a.xlsx", Limits(max_rows=5))
    assert caught.value.code == "too_many_rows"
    assert read_all(path, limits=Limits(max_rows=7)) == EXPECTED_ROWS


def zip_bomb(path: Path) -> Path:
    """Looks like an xlsx; its one sheet inflates from ~50 KB to 50 MB of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            for _ in range(50):
                part.write(bytes(2**20))
    return path


def test_zip_bomb_is_refused_before_calamine(tmp_path, monkeypatch):
    path = zip_bomb(tmp_path / "bomb.xlsx")
    assert path.stat().st_size < 200_000
    refuse_calamine(monkeypatch)
    with pytest.raises(TabularError) as caught:
        open_table(path, "bomb.xlsx")
    assert caught.value.code == "zip_ratio"
    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(path.read_bytes()), "bomb.xlsx")
    assert caught.value.code == "zip_ratio"


def test_zip_bomb_with_lying_sizes_is_refused(tmp_path, monkeypatch):
    """Headers claiming 1,000 bytes (with a matching CRC) for the 50 MB part: zipfile would believe them."""
    data = bytearray(zip_bomb(tmp_path / "bomb.xlsx").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    local = info.header_offset
    assert data[local : local + 4] == b"PK\x03\x04"
    crc = zlib.crc32(bytes(1000)).to_bytes(4, "little")
    data[local + 14 : local + 18] = crc
    data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    name = b"xl/worksheets/sheet1.xml"
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.find(b"PK\x01\x02", entry + 4)
    data[entry + 16 : entry + 20] = crc
    data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:  # the lie fools zipfile itself
        assert archive.read("xl/worksheets/sheet1.xml") == bytes(1000)
    refuse_calamine(monkeypatch)
    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(bytes(data)), "bomb.xlsx")
    assert caught.value.code == "zip_ratio"  # the bytes really inflated are counted, not the claim


@pytest.mark.parametrize(
    ("limits", "code"),
    [(Limits(max_zip_entries=3), "zip_entries"), (Limits(max_uncompressed=2_000), "zip_size")],
)
def test_zip_entry_count_and_total_size_are_bounded(tmp_path, monkeypatch, limits, code):
    path = make_workbook(tmp_path / "a.xlsx")
    refuse_calamine(monkeypatch)
    with pytest.raises(TabularError) as caught:
        open_table(path, "a.xlsx", limits)
    assert caught.value.code == code


BILLION_LAUGHS = """<?xml version="1.0" encoding="{encoding}" standalone="yes"?>
<!DOCTYPE worksheet [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_xml_entity_declarations_are_refused_before_calamine(tmp_path, monkeypatch, encoding):
    original = make_workbook(tmp_path / "a.xlsx")
    evil = tmp_path / "evil.xlsx"
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                payload = BILLION_LAUGHS.format(encoding=encoding).encode(encoding)
            target.writestr(info.filename, payload)
    refuse_calamine(monkeypatch)
    with pytest.raises(TabularError) as caught:
        open_table(evil, "evil.xlsx")
    assert caught.value.code == "xml_entity"
    assert "DOCTYPE" in caught.value.message


@pytest.mark.parametrize(
    ("payload", "hint"),
    [
        (b"<html><body><table><tr><td>\xe4\xbc\x81\xe4\xb8\x9a</td></tr></table></body></html>", "网页"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "表格"),
    ],
)
def test_files_that_are_not_tables(tmp_path, payload, hint):
    path = tmp_path / "名单.xls"  # the name says Excel; the content decides
    path.write_bytes(payload)
    with pytest.raises(TabularError) as caught:
        open_table(path, path.name)
    assert caught.value.code == "not_a_table" and hint in caught.value.message


def test_word_document_in_a_zip_is_not_a_table(tmp_path):
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(TabularError) as caught:
        open_table(path, "a.xlsx")
    assert caught.value.code == "not_a_table" and "Word" in caught.value.message


def test_truncated_workbook_is_corrupt(tmp_path):
    data = make_workbook(tmp_path / "a.xlsx").read_bytes()
    with pytest.raises(TabularError) as caught:
        open_table(io.BytesIO(data[: len(data) // 2]), "a.xlsx")
    assert caught.value.code == "corrupt"


# --- the header -----------------------------------------------------------------------------------


def test_header_found_below_title_rows_with_units(tmp_path):
    path = make_workbook(tmp_path / "a.xlsx")
    with open_table(path, "a.xlsx") as table:
        match = find_header(table.rows(), SYNONYMS, {"name", "uscc", "industry"})
        assert match.row_number == 3
        assert match.columns == {
            1: "name",
            2: "uscc",
            3: "registered_capital",
            4: "founded",
            5: "street",
            6: "employees",
        }
        assert match.units == {"registered_capital": "万元"}
        assert match.unknown == ["序号", "更新时间"]
        assert match.missing == ["industry"]
        rest = list(match.rest)
    assert rest == EXPECTED_ROWS[3:]
    first = dict(zip(match.columns.values(), (rest[0][1][i] for i in match.columns), strict=True))
    capital = parse_amount(first["registered_capital"], unit=match.units["registered_capital"])
    assert capital == Decimal("1234.5")
    assert parse_date(first["founded"]) == dt.date(2023, 1, 5)
    assert parse_int(first["employees"]) == 1200
    assert clean_text(first["name"]) == "广州甲科技有限公司"


def test_header_rows_read_ahead_are_not_lost():
    rows = iter(
        [(1, ["说明"]), (2, ["名称", "注册资金(亿元)"]), *((n, [f"企业{n}", "1"]) for n in range(3, 40))]
    )
    match = find_header(rows, SYNONYMS, {"name"}, lookahead=20)
    assert (match.row_number, match.units, match.missing) == (2, {"registered_capital": "亿元"}, [])
    assert [number for number, _ in match.rest] == list(range(3, 40))


def test_header_prefers_the_row_matching_most_fields():
    rows = [
        (1, ["名称：天河区"]),
        (2, ["街道", "", ""]),
        (3, ["企业名称", "所属街道", "行业"]),
        (4, ["甲", "林和", "软件"]),
    ]
    match = find_header(rows, SYNONYMS, set())
    assert match.row_number == 3 and match.columns == {0: "name", 1: "street", 2: "industry"}


def test_header_normalisation_and_duplicates():
    rows = [(5, [" *企业 名称（必填）", "ＵＳＣＣ", "注册资本 (万元)(必填)", "单位名称", "备注"])]
    synonyms = {
        "name": ["企业名称", "单位名称"],
        "uscc": ["uscc"],
        "registered_capital": ["注册资本（万元）"],
    }
    match = find_header(rows, synonyms, {"name", "uscc", "registered_capital"})
    assert match.columns == {0: "name", 1: "uscc", 2: "registered_capital"}
    assert match.units == {"registered_capital": "万元"}
    assert match.unknown == ["单位名称（与 A 列重复，已忽略）", "备注"]
    assert match.missing == []
    assert list(match.rest) == []


def test_no_header_lists_what_was_expected():
    rows = [(1, ["甲", "乙"]), (2, ["1", "2"])]
    with pytest.raises(TabularError) as caught:
        find_header(rows, {"name": ["企业名称"], "企业地址": ["地址"]}, {"name"})
    assert caught.value.code == "no_header"
    assert "企业名称" in caught.value.message and "企业地址" in caught.value.message


def test_header_beyond_lookahead_is_not_found():
    rows = [(n, [f"说明{n}"]) for n in range(1, 6)] + [(6, ["企业名称"])]
    with pytest.raises(TabularError):
        find_header(rows, SYNONYMS, set(), lookahead=5)
    assert find_header(rows, SYNONYMS, set(), lookahead=6).row_number == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注册资本（万元）", ("注册资本", "万元")),
        ("注册资本(万元)", ("注册资本", "万元")),
        (" 营业收入 【亿元】", ("营业收入", "亿元")),
        ("企业\u3000名称", ("企业名称", "")),
        ("USCC\u200b", ("uscc", "")),
        ("*联系电话*", ("联系电话", "")),
        ("（万元）", ("(万元)", "")),
    ],
)
def test_normalise_header(text, expected):
    assert normalise_header(text) == expected


@pytest.mark.parametrize(
    ("index", "letter"),
    [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")],
)
def test_column_letter(index, letter):
    assert column_letter(index) == letter


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  广州\u3000甲  公司\u200b ", "广州 甲 公司"),
        ("ＡＢＣ１２３", "ABC123"),
        ("\t甲\n乙\xa0丙", "甲 乙 丙"),
        ("", ""),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("  ", None),
        ("1,234.50", Decimal("1234.50")),
        ("１２３", Decimal("123")),
        ("¥1 000", Decimal("1000")),
        ("￥12.5", Decimal("12.5")),
        ("-5", Decimal("-5")),
        ("1.2e3", Decimal("1200")),
        (".5", Decimal("0.5")),
    ],
)
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("abc", "不是数字：abc"),
        ("12,34", "不是数字：12,34"),
        ("1.2.3", "不是数字"),
        ("NaN", "不是数字"),
        ("(123)", "不是数字"),
    ],
)
def test_parse_decimal_rejects(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_decimal(raw)


@pytest.mark.parametrize(
    ("raw", "unit", "target", "expected"),
    [
        ("1,234.5万元", None, "万元", Decimal("1234.5")),
        ("3亿", None, "万元", Decimal("30000")),
        ("3亿元", None, "万元", Decimal("30000")),
        ("500万", None, "万元", Decimal("500")),
        ("12000元", None, "万元", Decimal("1.2")),
        ("1.2万", None, "元", Decimal("12000")),
        ("500", None, "万元", Decimal("500")),
        ("500", "元", "万元", Decimal("0.05")),
        ("500", "亿元", "万元", Decimal("5000000")),
        ("2", "万元", "亿元", Decimal("0.0002")),
        ("500万元人民币", None, "万元", Decimal("500")),
        ("人民币 1,000 元", "万元", "元", Decimal("1000")),
        ("0.1", "元", "亿元", Decimal("0.000000001")),
        ("", "万元", "万元", None),
    ],
)
def test_parse_amount(raw, unit, target, expected):
    result = parse_amount(raw, unit=unit, target=target)
    assert result == expected
    if expected is not None:
        assert "E+" not in str(result)  # 3亿 is 30000, not 3E+4


@pytest.mark.parametrize(
    ("raw", "unit", "reason"),
    [
        ("-5", None, "金额不能为负数"),
        ("-3亿", None, "金额不能为负数"),
        ("100万美元", None, "金额应为人民币"),
        ("很多", None, "不是金额：很多"),
        ("5", "个", "不认识的金额单位：个"),
    ],
)
def test_parse_amount_rejects(raw, unit, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(raw, unit=unit)


def test_parse_amount_is_exact():
    assert parse_amount("0.1", unit="元", target="万元") + parse_amount(
        "0.2", unit="元", target="万元"
    ) == Decimal("0.00003")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1,200", 1200),
        ("1200人", 1200),
        ("１２００", 1200),
        ("1200.0", 1200),
        ("", None),
        ("-3", -3),
        ("35 人", 35),
    ],
)
def test_parse_int(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [("12.5", "应为整数：12.5"), ("十二", "不是数字：十二")])
def test_parse_int_rejects(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_int(raw)


@pytest.mark.parametrize(
    "raw",
    [
        "2023-01-05",
        "2023/1/5",
        "2023.1.5",
        "2023年1月5日",
        "2023 年 1 月 5 日",
        "20230105",
        "2023-01-05 00:00:00",
        "2023-01-05T10:30",
        "44931",
        "44931.5",
        "２０２３－０１－０５",
    ],
)
def test_parse_date(raw):
    assert parse_date(raw) == dt.date(2023, 1, 5)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2023-02-30", "日期不存在：2023-02-30"),
        ("20231301", "日期不存在：20231301"),
        ("明天", "无法识别的日期：明天"),
        ("19999", "无法识别的日期：19999"),
        ("80001", "无法识别的日期：80001"),
        ("1/5/2023", "无法识别的日期"),
        ("2023-01", "无法识别的日期"),
    ],
)
def test_parse_date_rejects(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_date(raw)


def test_parse_date_edges_of_the_serial_range():
    known = dt.date(2023, 1, 5)  # Excel shows serial 44931 as 2023-01-05
    assert parse_date("20000") == known - dt.timedelta(days=44931 - 20000) == dt.date(1954, 10, 3)
    assert parse_date("80000") == known + dt.timedelta(days=80000 - 44931) == dt.date(2119, 1, 11)
    assert parse_date("") is None


# --- writing --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 20 1234", "'+86 20 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=cmd", "'\t=cmd"),
        ("\r=cmd", "'\r=cmd"),
        ("广州=甲", "广州=甲"),
        ("", ""),
        (-5, -5),
        (None, None),
        (Decimal("-1.5"), Decimal("-1.5")),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_write_xlsx_round_trip_keeps_text_as_text(tmp_path):
    rows = [
        ["=1+1", "00123", "http://example.com", Decimal("1234.50"), 42, 1.5, dt.date(2023, 1, 5), None, True],
        ["甲公司", "-2", "@x", Decimal("-3"), 0, None, dt.datetime(2024, 3, 1, 10, 0), "", False],
    ]
    headers = ["名称", "代码", "网址", "注册资本", "人数", "比例", "日期", "空", "是否"]
    target = io.BytesIO()
    write_xlsx(target, [("企业[名单]:2024", headers, iter(rows)), ("第二页", ["=A1"], [])])
    target.seek(0)
    with CalamineWorkbook.from_filelike(target) as book:
        assert book.sheet_names == ["企业_名单__2024", "第二页"]
        values = book.get_sheet_by_index(0).to_python()
        assert book.get_sheet_by_index(1).to_python() == [["'=A1"]]
    assert values[0] == headers
    assert values[1] == [
        "'=1+1",
        "00123",
        "http://example.com",
        1234.5,
        42.0,
        1.5,
        dt.date(2023, 1, 5),
        "",
        True,
    ]
    assert values[2] == ["甲公司", "'-2", "'@x", -3.0, 0.0, "", dt.datetime(2024, 3, 1, 10, 0), "", False]
    target.seek(0)
    with zipfile.ZipFile(target) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
        assert not any("hyperlink" in name or "calcChain" in name for name in archive.namelist())
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    assert "<f>" not in sheet  # no formula anywhere
    assert "<b/>" in styles and 'formatCode="yyyy-mm-dd"' in styles
    # Read back through our own reader too: what a user would see.
    target.seek(0)
    assert read_all(target)[1] == (
        2,
        ["'=1+1", "00123", "http://example.com", "1234.5", "42", "1.5", "2023-01-05", "", "TRUE"],
    )


def test_write_xlsx_to_a_path_and_unique_sheet_names(tmp_path):
    path = tmp_path / "out.xlsx"
    long_name = "天河区规模以上工业企业名单（2024年第四季度更新版本）"
    write_xlsx(path, [(long_name, ["a"], [[1]]), (long_name, ["b"], [[2]]), ("", ["c"], [])])
    with CalamineWorkbook.from_path(str(path)) as book:
        names = book.sheet_names
    assert (
        names[0] == long_name[:31]
        and len(names[1]) <= 31
        and names[1].endswith("(2)")
        and names[2] == "Sheet"
    )


def test_write_xlsx_refuses_more_rows_than_excel_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(write_module, "EXCEL_MAX_ROWS", 4)
    with pytest.raises(ValueError, match="超过 Excel 单个工作表"):
        write_xlsx(io.BytesIO(), [("名单", ["名称"], ([f"企业{i}"] for i in range(10)))])
    write_xlsx(io.BytesIO(), [("名单", ["名称"], ([f"企业{i}"] for i in range(3)))])


def test_write_csv_is_neutralised_and_reads_back(tmp_path):
    path = tmp_path / "export.csv"
    rows = [['=HYPERLINK("http://x")', Decimal("1234.50"), dt.date(2023, 1, 5), None, 3.0]]
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        write_csv(handle, ["企业名称", "注册资本", "成立日期", "备注", "人数"], rows)
    assert path.read_bytes().startswith(codecs.BOM_UTF8)
    assert read_all(path) == [
        (1, ["企业名称", "注册资本", "成立日期", "备注", "人数"]),
        (2, ['\'=HYPERLINK("http://x")', "1234.50", "2023-01-05", "", "3"]),
    ]


def test_csv_lines_stream_with_a_bom(tmp_path):
    rows = ([f"企业{i}", "+1" if i == 0 else i] for i in range(20_000))
    chunks = list(csv_lines(["名称", "数量"], rows))
    assert chunks[0].startswith(codecs.BOM_UTF8 + "名称,数量\r\n".encode())
    assert not any(chunk.startswith(codecs.BOM_UTF8) for chunk in chunks[1:])
    assert len(chunks) > 2 and all(len(chunk) < 80 * 1024 for chunk in chunks)
    path = tmp_path / "streamed.csv"
    path.write_bytes(b"".join(chunks))
    read = read_all(path)
    assert len(read) == 20_001
    assert read[1] == (2, ["企业0", "'+1"]) and read[-1] == (20_001, ["企业19999", "19999"])


def test_estimated_rows_for_progress(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("a,b\n" + "".join(f"{i},名称{i}\n" for i in range(20000)), encoding="utf-8")
    with open_table(path, path.name) as table:
        assert 18000 <= table.estimated_rows() <= 22000
    book = tmp_path / "book.xlsx"
    write_xlsx(book, [("S", ["a"], [[i] for i in range(300)])])
    with open_table(book, book.name) as table:
        assert table.estimated_rows() == 301
