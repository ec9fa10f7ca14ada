"""The one CSV writer of the project, in two modes. No other code calls ``csv.writer``
(``tests/test_csv_files.py`` fails if one does).

``CsvMode.SPREADSHEET``: a file a person opens in Excel or LibreOffice (the audit trail, the
consent dashboard, the disclosure register, lists). Whatever the source of the text (a name a
parent typed, a group name from an imported file, an id taken from a URL), a cell that a
spreadsheet would read as a formula is written as text: it gets a leading single quote (the
OWASP rule for CSV injection). Numbers stay numbers. The file is UTF-8 with a byte order mark,
so Excel shows Dutch accents right, and is served as ``text/csv``.

``CsvMode.MACHINE``: a file for another organisation's system (a supplier's upload, a DUO or
next-school file). It is written exactly: changing a value would corrupt the data the
recipient is owed. It has no byte order mark, and is served as ``application/octet-stream``
(with ``nosniff``), never as a document to open: the page offering it says in words that it is
for the recipient's system and not for a spreadsheet program.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import enum
import io
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header


class CsvMode(enum.Enum):
    SPREADSHEET = "spreadsheet"
    MACHINE = "machine"


CONTENT_TYPES = {
    CsvMode.SPREADSHEET: "text/csv; charset=utf-8",
    CsvMode.MACHINE: "application/octet-stream",
}
BOM = "\ufeff"

# A spreadsheet starts a formula (or a DDE call) at these characters; the full-width forms are
# read as formulas by spreadsheets in East Asian locales. Tab, CR and LF at the start hide
# what follows them.
FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def _is_number(value: Any) -> bool:
    """A genuine number (never a string that looks like one) is no formula, also when it is
    negative: -1 stays the number -1."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, decimal.Decimal) and value.is_finite()


def spreadsheet_cell(value: Any) -> str:
    """The cell as a spreadsheet should show it: text that would start a formula, also after
    leading spaces (some spreadsheets skip them), gets a leading quote so it stays text."""
    text = _text(value)
    if _is_number(value) or not text:
        return text
    if text[0] in FORMULA_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return f"'{text}"
    return text


def machine_cell(value: Any) -> str:
    """The cell exactly as the value is (dates in ISO 8601, nothing for None)."""
    return _text(value)


_CELL = {CsvMode.SPREADSHEET: spreadsheet_cell, CsvMode.MACHINE: machine_cell}


class _Line:
    """A file-like target for ``csv.writer`` that hands back each line it is given."""

    def write(self, value: str) -> str:
        return value


def csv_lines(
    rows: Iterable[Sequence[Any]], *, mode: CsvMode, header: Sequence[str] | None = None
) -> Iterator[str]:
    """The file line by line (for streaming); a spreadsheet file starts with the BOM."""
    cell = _CELL[mode]
    writer = csv.writer(_Line())
    prefix = BOM if mode is CsvMode.SPREADSHEET else ""
    if header is not None:
        yield prefix + writer.writerow([cell(value) for value in header])
        prefix = ""
    for row in rows:
        yield prefix + writer.writerow([cell(value) for value in row])
        prefix = ""
    if prefix:  # no rows and no header: a spreadsheet file still says it is UTF-8
        yield prefix


def csv_response(
    rows: Iterable[Sequence[Any]],
    *,
    mode: CsvMode,
    filename: str,
    header: Sequence[str] | None = None,
) -> StreamingHttpResponse:
    """A download, streamed as the rows are read (a large audit trail never sits in memory)."""
    encoded = (line.encode("utf-8") for line in csv_lines(rows, mode=mode, header=header))
    response = StreamingHttpResponse(encoded, content_type=CONTENT_TYPES[mode])
    _download_headers(response, filename)
    return response


def csv_file_write(
    handle: IO[bytes],
    rows: Iterable[Sequence[Any]],
    *,
    mode: CsvMode,
    header: Sequence[str] | None = None,
) -> None:
    """Write the file to an open binary handle (a file built by a background job)."""
    text = io.TextIOWrapper(handle, encoding="utf-8", newline="")
    for line in csv_lines(rows, mode=mode, header=header):
        text.write(line)
    text.flush()
    text.detach()


def csv_file_response(handle: IO[bytes], *, mode: CsvMode, filename: str) -> FileResponse:
    """Serve a stored file that ``csv_file_write`` wrote in ``mode``."""
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=CONTENT_TYPES[mode]
    )
    _download_headers(response, filename)
    return response


def _download_headers(response, filename: str) -> None:
    # Always a download, never shown inline; the filename is quoted or encoded as needed, so
    # a school's or supplier's name in it cannot break the header.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
