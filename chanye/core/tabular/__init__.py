"""Read messy spreadsheets safely and write safe exports; pure Python, no Django import.

``open_table`` refuses zip bombs, XML entity declarations, oversized and undecodable files and streams
rows as text; ``find_header`` finds the header row below title rows; ``values`` parses what people type;
``write`` produces formula-safe XLSX and CSV.
"""

from .read import (
    DEFAULT_LIMITS,
    HeaderMatch,
    Limits,
    Row,
    Table,
    TabularError,
    cell_text,
    column_letter,
    find_header,
    normalise_header,
    open_table,
)
from .values import clean_text, parse_amount, parse_date, parse_decimal, parse_int
from .write import csv_lines, neutralise, write_csv, write_xlsx

__all__ = [
    "DEFAULT_LIMITS",
    "HeaderMatch",
    "Limits",
    "Row",
    "Table",
    "TabularError",
    "cell_text",
    "clean_text",
    "column_letter",
    "csv_lines",
    "find_header",
    "neutralise",
    "normalise_header",
    "open_table",
    "parse_amount",
    "parse_date",
    "parse_decimal",
    "parse_int",
    "write_csv",
    "write_xlsx",
]
