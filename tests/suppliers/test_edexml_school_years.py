"""EDEXML for every school year: the shipped variable-types file is the published one plus the
school years up to 2030-2031 and nothing else; the structure and element files are untouched;
an operator's newer file replaces ours; every export is validated before it leaves; and a
combination group is one group whose pupils carry their own year group, there and back."""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone, translation
from freezegun import freeze_time
from lxml import etree

from accounts.constants import Role
from students.edexml.applying import edexml_import
from students.edexml.planning import edexml_preview
from students.edexml.validation import (
    SCHEMA_DIR,
    parse_safely,
    schema,
    schema_enumeration,
    validate,
    variable_types_file,
)
from students.models import Group, Student
from students.services import student_move
from suppliers.checks import edexml_schema_loads
from suppliers.constants import AgreementModel, ExportStatus
from suppliers.gate import DisclosureRefusedError
from suppliers.models import DisclosedPupil, Disclosure, Export, Supplier
from suppliers.services import agreement_save, export_build, export_request, product_save
from tests.students.factories import (
    BoardFactory,
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    make_staff,
)

XS = "{http://www.w3.org/2001/XMLSchema}"
SHIPPED = SCHEMA_DIR / "EDEXML.types.variabel.xsd"
ORIGINAL = SCHEMA_DIR / "original" / "EDEXML.types.variabel.xsd"
# The published files as they came from Edustandaard (via Oefenweb/cakephp-edexml); NOTICE.md
# records the same digests.
PUBLISHED_SHA256 = {
    "EDEXML.structuur.xsd": "a3f8f0fdb04980cdfd62c97ba26fc068bc7fff6316541da82e37714a30b8c23d",
    "EDEXML.elementen.xsd": "f63153abe0149350535d53828baf09b83eb36c786c0fd9ac00add4e8c7205eca",
    "EDEXML.types.vast.xsd": "81d9a5c72b1169a423d0c37d486a6430f3f8d74afe2fb2db7d5ea408a792a62f",
    "original/EDEXML.types.variabel.xsd": (
        "58144b356e812bfd3bb77beae5b8395aa2b1c509740eb6b42d8c1979049fab79"
    ),
}
EDEXML_CODES = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "year_group",
    "group_name",
    "school_brin",
]


def _school_years(path) -> list[str]:
    root = etree.parse(str(path)).getroot()
    (simple,) = [s for s in root.iter(f"{XS}simpleType") if s.get("name") == "EDEXSchooljaarType"]
    return [item.get("value") for item in simple.iter(f"{XS}enumeration")]


def _read(path) -> str:
    """The file's text with its own line endings (CRLF), not Python's universal newlines."""
    return path.read_bytes().decode("utf-8")


def _without_comments(path) -> etree._Element:
    """The schema as a tree: comments and layout whitespace between elements left out."""
    root = etree.parse(str(path), etree.XMLParser(remove_comments=True)).getroot()
    for element in root.iter():
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return root


def _canonical(root: etree._Element) -> bytes:
    return etree.tostring(root, method="c14n")


# -- the shipped update against the original -------------------------------------------------


def test_published_files_are_unchanged_when_shipped():
    for name, digest in PUBLISHED_SHA256.items():
        assert hashlib.sha256((SCHEMA_DIR / name).read_bytes()).hexdigest() == digest, name
    notice = (SCHEMA_DIR / "NOTICE.md").read_text()
    for digest in PUBLISHED_SHA256.values():
        assert digest in notice


def test_shipped_variable_types_differ_from_the_original_only_by_added_school_years():
    original, shipped = _read(ORIGINAL), _read(SHIPPED)
    # Textually: every line of the original is still there, in order and unchanged.
    matcher = difflib.SequenceMatcher(
        None, original.splitlines(keepends=True), shipped.splitlines(keepends=True), autojunk=False
    )
    assert {tag for tag, *_ in matcher.get_opcodes()} == {"equal", "insert"}

    # As a schema: the same tree once the added school years (and comments) are left out.
    added = _school_years(SHIPPED)[len(_school_years(ORIGINAL)) :]
    tree = _without_comments(SHIPPED)
    (years,) = [s for s in tree.iter(f"{XS}simpleType") if s.get("name") == "EDEXSchooljaarType"]
    restriction = years.find(f"{XS}restriction")
    for item in list(restriction):
        if item.get("value") in added:
            restriction.remove(item)
    assert _canonical(tree) == _canonical(_without_comments(ORIGINAL))


def test_added_school_years_are_the_consecutive_years_through_2030_2031():
    before, after = _school_years(ORIGINAL), _school_years(SHIPPED)
    assert after[: len(before)] == before  # appended at the end, nothing reordered
    assert before[-1] == "2024-2025"
    pattern = re.compile(r"(\d{4})-(\d{4})")
    first = int(pattern.fullmatch(before[0]).group(1))  # the original's own format
    assert before == [f"{year}-{year + 1}" for year in range(first, first + len(before))]
    assert after[len(before) :] == [f"{year}-{year + 1}" for year in range(2025, 2031)]


def test_shipped_file_says_whose_update_of_which_version_it_is():
    header = re.search(r"EDEXML\.types\.variabel\.xsd \(versie ([\d-]+)\)", _read(ORIGINAL))
    version = header.group(1)
    assert version == "2017-02-17"
    top = etree.parse(str(SHIPPED)).getroot().getprevious()  # the comment before the schema
    assert isinstance(top, etree._Comment)
    assert f"Samen Een's update of EDEXML.types.variabel.xsd (versie {version})" in top.text
    assert "2025-2026" in top.text and "2030-2031" in top.text
    notice = (SCHEMA_DIR / "NOTICE.md").read_text()
    assert f"EDEXML.types.variabel.xsd` (versie {version}" in notice
    assert "original/EDEXML.types.variabel.xsd" in notice


def test_validator_uses_the_shipped_update_with_the_published_files_by_default():
    assert variable_types_file() == SHIPPED
    assert schema_enumeration("EDEXSchooljaarType") == tuple(_school_years(SHIPPED))
    assert schema() is schema()


# -- an export for 2026-2027, there and back -------------------------------------------------


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Export files go to a temporary folder, not the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def brug(db):
    """A small school in the autumn of 2026 with a combination group 3/4, its pupils in year
    groups 3 and 4, and an agreement with a supplier for that group."""
    with freeze_time("2026-10-01 10:00"):
        board = BoardFactory.create(name="Stichting Brug")
        school = SchoolFactory.create(board=board, name="OBS De Brug", brin="34CD")
        director = make_staff(Role.DIRECTOR, school=school, email="directeur@brug.example")
        group = GroupFactory.create(
            school=school, name="Groep 3/4", year_group_low=3, combination=True
        )
        assert (group.school_year, group.year_group_high) == (2026, 4)
        third = StudentFactory.create(group=group, year_group=3, given_name="Noah", surname="Smit")
        fourth = StudentFactory.create(
            group=group, year_group=4, given_name="Lotte", surname="Berg", surname_prefix="van den"
        )
        supplier = Supplier.objects.create(board=board, name="Leerlijn")
        product = product_save(
            user=director,
            supplier=supplier,
            attribute_reasons={code: f"nodig voor {code}" for code in EDEXML_CODES},
            group_ids=[group.pk],
            name="Leerlijn app",
            purposes="Oefenen",
            retention="1 jaar",
            storage_location="NL",
        )
        today = timezone.localdate()
        agreement = agreement_save(
            user=director,
            supplier=supplier,
            attributes=EDEXML_CODES,
            product_ids=[product.pk],
            model=AgreementModel.MODEL_4,
            signed_on=today - datetime.timedelta(days=10),
            valid_from=today - datetime.timedelta(days=10),
            valid_until=today + datetime.timedelta(days=365),
        )
        yield type(
            "Brug",
            (),
            {
                "board": board,
                "school": school,
                "director": director,
                "group": group,
                "third": third,
                "fourth": fourth,
                "agreement": agreement,
                "product": product,
            },
        )


def _request(brug) -> Export:
    return export_request(
        user=brug.director,
        school=brug.school,
        format="edexml",
        agreement=brug.agreement,
        product=brug.product,
    )


def _content(export: Export) -> bytes:
    with export.file.open("rb") as handle:
        return handle.read()


def _pseudonym(export: Export, student: Student) -> str:
    return DisclosedPupil.objects.get(disclosure=export.disclosure, student=student).pseudonym


def test_export_for_2026_2027_validates_and_the_portal_imports_it(brug):
    with freeze_time("2026-10-01 10:00"):
        export = export_build(export_id=_request(brug).pk)
        data = _content(export)
        assert export.status == ExportStatus.DONE
        document = parse_safely(data)
        assert validate(document) == []
        assert document.findtext("school/schooljaar") == "2026-2027"

        # The combination group is one groep with code C; each pupil has their own year group.
        (group,) = document.getroot().findall("groepen/groep")
        assert (group.findtext("naam"), group.findtext("jaargroep")) == ("Groep 3/4", "C")
        assert document.getroot().find("groepen/samengestelde_groep") is None
        pupils = {p.get("key"): p for p in document.getroot().iterfind("leerlingen/leerling")}
        for student, year in ((brug.third, "3"), (brug.fourth, "4")):
            element = pupils[_pseudonym(export, student)]
            assert element.findtext("jaargroep") == year
            assert element.find("groep").get("key") == group.get("key")

        # The portal's own import reads it back into another school of the board.
        target = SchoolFactory.create(board=brug.board, name="OBS Nieuw", brin="56EF")
        actor = make_staff(Role.ADMINISTRATION, school=target, email="admin@nieuw.example")
        preview = edexml_preview(data, school=target)
        assert preview.is_valid, preview.errors
        result = edexml_import(data, school=target, actor=actor)

    imported = Group.objects.get(school=target)
    assert (imported.name, imported.school_year) == ("Groep 3/4", 2026)
    assert (imported.year_group_low, imported.year_group_high) == (3, 4)
    for student, year in ((brug.third, 3), (brug.fourth, 4)):
        twin = Student.objects.get(school=target, source_key=_pseudonym(export, student))
        assert (twin.year_group, twin.group) == (year, imported)
    assert result.counts()["pupils"]["create"] == 2


def test_pupil_of_year_4_in_a_group_3_4_keeps_both_when_imported(brug):
    """A file that lists only a year-4 pupil of Groep 3/4 does not narrow the portal's group."""
    with freeze_time("2026-10-01 10:00"):
        # Their classmate of year 3 moves out: the export carries the year-4 pupil only.
        student_move(
            actor=None,
            student=brug.third,
            group=GroupFactory.create(school=brug.school, name="Groep 3", year_group_low=3),
        )
        data = _content(export_build(export_id=_request(brug).pk))
        target = SchoolFactory.create(board=brug.board, name="OBS Nieuw", brin="56EF")
        existing = GroupFactory.create(
            school=target, name="Groep 3/4", year_group_low=3, combination=True
        )
        fresh = SchoolFactory.create(board=brug.board, name="OBS Leeg", brin="78GH")
        actor = make_staff(Role.ADMINISTRATION, school=target, email="admin@nieuw.example")

        with translation.override("en"):
            linked = edexml_preview(data, school=target).groups[0]
            alone = edexml_preview(data, school=fresh).groups[0]
        edexml_import(data, school=target, actor=actor)

    assert (linked.detail["low"], linked.detail["high"]) == (3, 4)
    assert not any("year groups" in change for change in linked.changes)
    existing.refresh_from_db()
    assert (existing.year_group_low, existing.year_group_high) == (3, 4)
    (twin,) = Student.objects.filter(school=target)
    assert (twin.year_group, twin.group) == (4, existing)
    # Without a portal group to go by, the range is the pupils', and the preview says so.
    assert (alone.detail["low"], alone.detail["high"]) == (4, 4)
    assert any("combination group" in warning for warning in alone.warnings)


# -- an operator's newer file ----------------------------------------------------------------


def _copy_without(tmp_path, text: str) -> str:
    shipped = _read(SHIPPED)
    assert shipped.count(text) == 1
    path = tmp_path / "EDEXML.types.variabel.xsd"
    path.write_bytes(shipped.replace(text, "").encode("utf-8"))
    return str(path)


def test_setting_replaces_the_variable_types_file_when_set(brug, settings, tmp_path):
    with freeze_time("2026-10-01 10:00"):
        written = _content(export_build(export_id=_request(brug).pk))
        assert validate(parse_safely(written)) == []

        settings.EDEXML_VARIABLE_TYPES_FILE = _copy_without(
            tmp_path, '<xs:enumeration value="2026-2027"/>'
        )
        assert variable_types_file() == tmp_path / "EDEXML.types.variabel.xsd"
        assert "2026-2027" not in schema_enumeration("EDEXSchooljaarType")
        errors = validate(parse_safely(written))
        assert errors and "2026-2027" in " ".join(errors)
        with translation.override("en"), pytest.raises(DisclosureRefusedError) as refused:
            _request(brug)

    assert "the school year 2026-2027 cannot be written" in refused.value.message


def test_structure_and_element_files_stay_the_published_ones_with_the_setting(settings, tmp_path):
    """Only the variable-types file is taken from the setting: a copy of the structure file
    next to it (here made invalid) is not used."""
    path = _copy_without(tmp_path, '<xs:enumeration value="2026-2027"/>')
    (tmp_path / "EDEXML.elementen.xsd").write_text("not a schema")
    settings.EDEXML_VARIABLE_TYPES_FILE = path
    example = (SCHEMA_DIR / "EDEXML.Voorbeeld.2.1.xml").read_bytes()
    assert validate(parse_safely(example)) == []


@pytest.mark.parametrize("kind", ["missing", "directory", "not a schema"])
def test_unusable_setting_is_improperly_configured(settings, tmp_path, kind):
    path = tmp_path / "EDEXML.types.variabel.xsd"
    if kind == "directory":
        path.mkdir()
    elif kind == "not a schema":
        path.write_text("<lijst><schooljaar>2031-2032</schooljaar></lijst>")
    settings.EDEXML_VARIABLE_TYPES_FILE = str(path)

    with pytest.raises(ImproperlyConfigured, match="EDEXML_VARIABLE_TYPES_FILE"):
        schema()
    with pytest.raises(ImproperlyConfigured):
        schema_enumeration("EDEXSchooljaarType")
    (error,) = edexml_schema_loads(None)
    assert error.id == "suppliers.E001"
    assert str(path) in error.msg


def test_relative_setting_is_taken_from_the_project_directory(settings):
    settings.EDEXML_VARIABLE_TYPES_FILE = str(SHIPPED.relative_to(django_settings.BASE_DIR))
    assert variable_types_file() == SHIPPED
    assert edexml_schema_loads(None) == []


# -- every export is validated before it leaves ----------------------------------------------


def test_export_that_fails_the_schema_is_refused_and_never_leaves(brug, settings, tmp_path):
    """A newer official file without the combination-group code C: the writer's own checks do
    not know that, the schema check of the finished file does."""
    with freeze_time("2026-10-01 10:00"):
        export = _request(brug)  # the school year is known, so the request is accepted
        code_c = re.search(
            r'\t*<xs:enumeration value="C">.*?</xs:enumeration>\r\n', _read(SHIPPED), re.S
        )
        assert "Combinatiegroep" in code_c.group(0)
        settings.EDEXML_VARIABLE_TYPES_FILE = _copy_without(tmp_path, code_c.group(0))
        disclosures = Disclosure.objects.count()
        with translation.override("en"), pytest.raises(DisclosureRefusedError) as refused:
            export_build(export_id=export.pk)

    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert "does not pass the check against the EDEXML 2.1 schema" in export.error
    assert "jaargroep" in export.error
    assert refused.value.message == export.error
    assert not export.file
    assert Disclosure.objects.count() == disclosures  # nothing was disclosed


def test_original_file_is_kept_for_reference_not_loaded(settings):
    """The original is only the reference; pointing the setting at it works (an operator could),
    and then 2026-2027 is unknown again."""
    settings.EDEXML_VARIABLE_TYPES_FILE = str(ORIGINAL)
    assert schema_enumeration("EDEXSchooljaarType")[-1] == "2024-2025"
    settings.EDEXML_VARIABLE_TYPES_FILE = ""
    assert schema_enumeration("EDEXSchooljaarType")[-1] == "2030-2031"
