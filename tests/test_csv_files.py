"""Every CSV the portal serves is written by the one writer (kernel.csvfiles) in a declared
mode. A file for a spreadsheet is formula-safe whatever the source of its text; a file for a
recipient's system is written exactly and is not offered as a spreadsheet.

The CSV routes are found, not listed by hand: every GET route of the URL configuration (through
the permission matrix, which holds an entry for each) is called by a role that may use it, in a
world seeded with hostile values in every text a user can influence. Each answer that is a CSV
must be in ``CSV_ROUTES`` with its mode, and must keep that mode's promise.
"""

from __future__ import annotations

import ast
import csv
import decimal
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from kernel.csvfiles import (
    BOM,
    FORMULA_STARTS,
    CsvMode,
    csv_file_write,
    csv_lines,
    spreadsheet_cell,
)
from tests.test_permission_matrix import (  # noqa: F401 (the matrix worlds are fixtures)
    MATRIX,
    ROLES,
    address_world,
    decisions_world,
    funding_world,
    leaving_world,
    markers,
    mfa_world,
    okr_world,
)

# Text a person or another system can put into the portal, each aimed at a spreadsheet.
HOSTILE = {
    "group": "=2+5*cmd|' /C calc'!A0",  # a group name from the school's own (imported) file
    "group_wide": "\uff1dSUM(1,1)",  # the same with a full-width equals sign
    "school": "@SUM(1+1)*cmd|' /C calc'!A0",
    "supplier": '+HYPERLINK("http://evil.example","klik")',
    "recipient": ' =1+1 "Bestuur"',  # leading space: some spreadsheets skip it
    "pupil": "-2+3+cmd|' /C calc'!A0",
    "object_id": "=2+5*cmd|x",  # an id typed into a URL
    "request_id": "-1-2-3-4-cmd",  # a caller's own X-Request-ID header
}


@dataclass(frozen=True)
class CsvRoute:
    mode: CsvMode
    hostile: frozenset[str]  # keys of HOSTILE that every allowed role's file must hold


# The mode of every route that answers with a CSV file. A CSV route missing here fails.
CSV_ROUTES = {
    # For people, opened in a spreadsheet: formula-safe.
    "audit-event-export": CsvRoute(CsvMode.SPREADSHEET, frozenset({"object_id", "request_id"})),
    "consent-dashboard-export": CsvRoute(CsvMode.SPREADSHEET, frozenset({"group", "group_wide"})),
    "disclosure-export": CsvRoute(
        CsvMode.SPREADSHEET, frozenset({"school", "supplier", "recipient"})
    ),
    # For the recipient's system (a supplier's upload, a file for DUO): exact.
    "export-download": CsvRoute(CsvMode.MACHINE, frozenset({"pupil", "group"})),
}


# -- the cell rule ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+31612345678",
        "-2",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\tTab",
        "\rReturn",
        "\n=1+1",
        " =1+1",
        "\u00a0\u3000+1",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        "-inf",
    ],
)
def test_formula_start_written_as_text_when_spreadsheet_cell(value):
    assert spreadsheet_cell(value) == f"'{value}"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tim", "Tim"),
        ("a=b", "a=b"),
        ("Jan-Willem", "Jan-Willem"),
        ("'t Hofje", "'t Hofje"),
        ("", ""),
        (None, ""),
        (3, "3"),
        (-1, "-1"),  # a genuine number is no formula
        (decimal.Decimal("-2.50"), "-2.50"),
        (-0.5, "-0.5"),
        (float("-inf"), "'-inf"),  # not a number a spreadsheet knows
        (True, "True"),
    ],
)
def test_plain_value_unchanged_when_spreadsheet_cell(value, expected):
    assert spreadsheet_cell(value) == expected


def test_bom_first_and_every_formula_quoted_when_spreadsheet_mode():
    rows = [[value, 7] for value in HOSTILE.values()]

    text = "".join(csv_lines(rows, mode=CsvMode.SPREADSHEET, header=["a"]))

    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(BOM))))
    assert [row[0] for row in rows[1:]] == [f"'{value}" for value in HOSTILE.values()]
    assert {row[1] for row in rows[1:]} == {"7"}


def test_every_value_exact_when_machine_mode_writes_a_file():
    values = [*HOSTILE.values(), "\tTab", "\rCR", 'in "quotes", with a comma\nand a line', ""]
    handle = io.BytesIO()

    csv_file_write(handle, [[value] for value in values], mode=CsvMode.MACHINE, header=["v"])

    data = handle.getvalue()
    assert not data.startswith(BOM.encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert [row[0] for row in rows] == ["v", *values]


def test_empty_spreadsheet_file_still_has_its_bom():
    assert "".join(csv_lines([], mode=CsvMode.SPREADSHEET)) == BOM


# -- the routes ------------------------------------------------------------------------------


@pytest.fixture
def hostile_world(world):
    """``world`` where the texts in the CSV files are hostile: names of the school, its
    groups, a pupil, a supplier and the board's office; an id a parent and a teacher typed into
    a URL, sent with a request id of their own. Each exporting role gets a real export of the
    school's supplier, built through the gate, and one goes to the board's office."""
    from suppliers.constants import RecipientKind
    from suppliers.models import Recipient
    from suppliers.services import export_build, export_request

    world.school.name = HOSTILE["school"]
    world.school.save()
    world.group3.name = HOSTILE["group"]
    world.group3.save()
    world.group5.name = HOSTILE["group_wide"]
    world.group5.save()
    world.pupil3.given_name = HOSTILE["pupil"]
    world.pupil3.save()
    suppliers = world.suppliers
    suppliers["supplier"].name = HOSTILE["supplier"]
    suppliers["supplier"].save()
    board_office = Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.BOARD,
        name=HOSTILE["recipient"],
        legal_basis="Zelfde verwerkingsverantwoordelijke",
        attributes=["first_name"],
    )

    headers = {"X-Request-ID": HOSTILE["request_id"]}
    typed = {
        "guardian": reverse("child-detail", args=[HOSTILE["object_id"]]),
        "teacher": reverse("care-record-detail", args=[world.pupil3.pk, HOSTILE["object_id"]]),
    }
    for role, url in typed.items():
        client = Client()
        client.force_login(world.users[role])
        assert client.get(url, headers=headers).status_code == 404

    exports = {}
    for role in ("director", "administration"):
        user = world.users[role]
        supplier_export = export_request(
            user=user,
            school=world.school,
            format="csv",
            agreement=suppliers["agreement"],
            product=suppliers["product"],
        )
        exports[role] = export_build(export_id=supplier_export.pk)
    to_board = export_request(
        user=world.users["director"], school=world.school, format="csv", recipient=board_office
    )
    export_build(export_id=to_board.pk)
    suppliers["exports"] = exports
    return world


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _filename(response) -> str:
    disposition = response.get("Content-Disposition", "")
    match = re.search(r"filename\*?=(?:utf-8'')?\"?([^\";]+)", disposition)
    return match.group(1) if match else ""


def _is_csv(response) -> bool:
    return response.get("Content-Type", "").startswith("text/csv") or _filename(
        response
    ).lower().endswith(".csv")


def _allowed_roles(entry) -> list[str]:
    return [role for role in ROLES if role != "anonymous" and entry.expect[role][0] == 200]


def _get(world, route: str, role: str):
    entry = MATRIX[route]
    client = APIClient() if entry.api else Client()
    client.force_login(world.users[role])
    url = entry.url(world, role, True)
    data = entry.data(world, role, True) if callable(entry.data) else entry.data
    if entry.api:
        return APIClient.get(client, url, data or {}, format="json")  # type: ignore[arg-type]
    return client.get(url, data or {})


def _formula_cells(rows: list[list[str]]) -> list[str]:
    def looks_like_formula(cell: str) -> bool:
        if not cell or not (cell[0] in FORMULA_STARTS or cell.lstrip()[:1] in FORMULA_STARTS):
            return False
        try:
            float(cell)  # a plain (negative) number is no formula
        except ValueError:
            return True
        return False

    return [cell for row in rows for cell in row if looks_like_formula(cell)]


def _check_spreadsheet(route: str, response) -> list[str]:
    problems = []
    if response["Content-Type"] != "text/csv; charset=utf-8":
        problems.append(f"served as {response['Content-Type']}")
    body = _body(response)
    if not body.startswith(BOM.encode()):
        problems.append("no byte order mark (Excel would garble accents)")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    formulas = _formula_cells(rows)
    if formulas:
        problems.append(f"cells a spreadsheet runs as a formula: {formulas}")
    cells = [cell for row in rows for cell in row]
    for key in sorted(CSV_ROUTES[route].hostile):
        # The value itself or a label starting with it ("supplier / product").
        if not any(cell.startswith(f"'{HOSTILE[key]}") for cell in cells):
            problems.append(f"hostile {key} not in the file as text")
    return problems


def _check_machine(route: str, response) -> list[str]:
    problems = []
    if response["Content-Type"] != "application/octet-stream":
        problems.append(f"served as {response['Content-Type']}, not as a file to pass on")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    body = _body(response)
    if body.startswith(BOM.encode()):
        problems.append("a byte order mark the recipient's system did not ask for")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    cells = {cell for row in rows for cell in row}
    for key in sorted(CSV_ROUTES[route].hostile):
        if HOSTILE[key] not in cells:
            problems.append(f"hostile {key} not written exactly")
    return problems


def _check(route: str, role: str, response) -> list[str]:
    problems = CHECKS[CSV_ROUTES[route].mode](route, response)
    if not response.get("Content-Disposition", "").startswith("attachment"):
        problems.append("not an attachment")
    if not _filename(response).endswith(".csv"):
        problems.append("no .csv filename")
    return [f"{route} as {role}: {problem}" for problem in problems]


CHECKS = {CsvMode.SPREADSHEET: _check_spreadsheet, CsvMode.MACHINE: _check_machine}
FIXTURES = sorted({entry.fixture for entry in MATRIX.values()})


@pytest.mark.parametrize("fixture", FIXTURES)
def test_every_csv_route_declared_and_keeps_its_mode(hostile_world, request, fixture):
    world = request.getfixturevalue(fixture)
    routes = sorted(
        name
        for name, entry in MATRIX.items()
        if entry.fixture == fixture and entry.method == "get" and _allowed_roles(entry)
    )
    found = set()
    problems = []
    for route in routes:
        roles = _allowed_roles(MATRIX[route])
        response = _get(world, route, roles[0])
        assert response.status_code == 200, f"{route} as {roles[0]}: {response.status_code}"
        if not _is_csv(response):
            _body(response)  # close a streamed answer
            continue
        found.add(route)
        if route not in CSV_ROUTES:
            problems.append(f"{route} answers a CSV file but has no mode in CSV_ROUTES")
            continue
        problems += _check(route, roles[0], response)
        for role in roles[1:]:
            problems += _check(route, role, _get(world, route, role))
    assert not problems, "\n".join(problems)
    declared = {name for name in CSV_ROUTES if name in MATRIX and MATRIX[name].fixture == fixture}
    assert found == declared, f"declared CSV routes that answer no CSV: {declared - found}"


def test_every_declared_csv_route_exists():
    assert set(CSV_ROUTES) <= set(MATRIX)


def test_machine_file_offered_as_file_for_recipient_when_export_page_shows_it(hostile_world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the sentences below are English
    client.force_login(hostile_world.users["director"])
    export = hostile_world.suppliers["exports"]["director"]

    page = client.get(reverse("export-detail", args=[export.pk])).content.decode()

    assert 'aria-describedby="download-purpose"' in page
    assert "for the recipient's system" in page.replace("&#x27;", "'")
    assert "not meant to be opened in a spreadsheet" in page


# -- one writer ------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
WRITER_MODULE = ROOT / "kernel" / "csvfiles.py"
SKIPPED_DIRS = {".venv", ".git", "tests", "node_modules", "locale", "static", "media"}
WRITERS = {"writer", "DictWriter"}


def _csv_writers(path: Path) -> list[int]:
    """Line numbers where the file writes CSV itself (``csv.writer``, ``csv.DictWriter``,
    also under another name)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
        if alias.name == "csv"
    }
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "csv":
            lines += [node.lineno for alias in node.names if alias.name in WRITERS | {"*"}]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            lines.append(node.lineno)
    return sorted(lines)


def _project_files():
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not d.startswith("."))
        yield from (Path(folder) / name for name in sorted(files) if name.endswith(".py"))


def test_no_csv_writer_outside_the_one_writer():
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in _project_files()
        if path != WRITER_MODULE
        for line in _csv_writers(path)
    ]
    assert not offenders, f"write CSV through kernel.csvfiles, not csv.writer: {offenders}"
    assert _csv_writers(WRITER_MODULE), "the writer module itself must be checked"


def test_check_finds_a_csv_writer_under_another_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import csv as c\nfrom csv import DictWriter\nw = c.writer(None)\n")

    assert _csv_writers(sample) == [2, 3]
