"""EDEXML 2.1: the writer carries only agreed attributes and always validates; the importer
plans, imports exactly that, idempotently, and refuses invalid, malformed and hostile files."""

from __future__ import annotations

import datetime
import io
import time
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation

from accounts.constants import Role
from audit.models import AccessEvent
from students.constants import PLACEHOLDER_DATE_OF_BIRTH, Sex
from students.edexml.applying import edexml_import
from students.edexml.planning import edexml_preview
from students.edexml.validation import EdexmlError, parse_safely, schema, validate
from students.models import Group, GroupTeacher, Placement, Student
from suppliers.edexml.writer import (
    CARRIED_ATTRIBUTES,
    check_attributes,
    required_attributes,
    split_last_name,
    write_edexml,
)
from tests.students.factories import (
    BoardFactory,
    GroupFactory,
    SchoolFactory,
    StudentFactory,
    make_staff,
)

EXAMPLE_PATH = settings.BASE_DIR / "students" / "edexml" / "schema" / "EDEXML.Voorbeeld.2.1.xml"
EXAMPLE = EXAMPLE_PATH.read_bytes()

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<EDEX><school><schooljaar>&lol9;</schooljaar></school></EDEX>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE EDEX [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<EDEX><school><schooljaar>&xxe;</schooljaar></school></EDEX>"""


# -- writer ----------------------------------------------------------------------------------
SCHOOL = SimpleNamespace(brin="12AB", name="OBS Samen Een")
GROUPS = [
    {"key": "g-3", "name": "Groep 3", "year_group_low": 3, "year_group_high": 3},
    {"key": "g-56", "name": "Groep 5/6", "year_group_low": 5, "year_group_high": 6},
]
TEACHERS = [
    {
        "key": "t-1",
        "name": "Julia van Bemmel",
        "email": "julia@school.example",
        "group_keys": ["g-3", "g-elsewhere"],
    },
    {"key": "t-2", "name": "Uilke", "email": "", "group_keys": ["g-56"]},
]
ALL_CODES = [
    "first_name",
    "last_name",
    "initials",
    "date_of_birth",
    "sex",
    "year_group",
    "group_name",
    "school_brin",
    "teacher_name",
    "teacher_email",
    "address",
    "guardian_name",
    "guardian_email",
    "guardian_phone",
    "bsn",
    "enrolled_on",
    "withdrawn_on",
    "progress",
]


def _rows() -> list[dict]:
    return [
        {
            "pseudonym": "a" * 32,
            "first_name": "Tim",
            "last_name": "van der Berg",
            "initials": "T.J.",
            "date_of_birth": "2018-03-04",
            "sex": "M",
            "year_group": "3",
            "group_name": "Groep 3",
            "school_brin": "12AB",
            "teacher_name": "Julia van Bemmel",
            "teacher_email": "julia@school.example",
            "address": "Schoolstraat 1, 1234 AB Amsterdam",
            "guardian_name": "Karin van der Berg",
            "guardian_email": "karin@home.example",
            "guardian_phone": "06-12345678",
            "bsn": "111222333",
            "enrolled_on": "2022-08-22",
            "withdrawn_on": "",
            "progress": "Rekenen M4: A",
        },
        {
            "pseudonym": "b" * 32,
            "first_name": "Sara",
            "last_name": "Bakker",
            "initials": "S.",
            "date_of_birth": "2016-01-09",
            "sex": "X",
            "year_group": "6",
            "group_name": "Groep 5/6",
            "school_brin": "12AB",
            "teacher_name": "Uilke",
            "teacher_email": "",
            "address": "Dorpsweg 2, 1234 AC Amsterdam",
            "guardian_name": "Piet Bakker",
            "guardian_email": "piet@home.example",
            "guardian_phone": "06-87654321",
            "bsn": "123456782",
            "enrolled_on": "2020-08-24",
            "withdrawn_on": "",
            "progress": "",
        },
    ]


def _only(codes: list[str]) -> list[dict]:
    return [{k: v for k, v in row.items() if k == "pseudonym" or k in codes} for row in _rows()]


def _write(codes, *, groups=None, teachers=None, rows=None, school_year=2024) -> bytes:
    out = io.BytesIO()
    write_edexml(
        out,
        school=SCHOOL,
        school_year=school_year,
        attributes=codes,
        rows=rows if rows is not None else _only(codes),
        groups=groups if groups is not None else [],
        teachers=teachers if teachers is not None else [],
    )
    return out.getvalue()


WRITER_CASES = {
    "first name only": (["first_name"], False),
    "last name only": (["last_name"], False),
    "names and birth": (["first_name", "last_name", "initials", "date_of_birth", "sex"], False),
    "groups": (["first_name", "year_group", "group_name"], True),
    "full": (ALL_CODES, True),
}


@pytest.mark.parametrize("case", WRITER_CASES)
def test_writer_output_is_valid_edexml(case):
    codes, with_groups = WRITER_CASES[case]
    data = _write(
        codes,
        groups=GROUPS if with_groups else [],
        teachers=TEACHERS if with_groups else [],
        rows=(row for row in _only(codes)),  # a generator: written as it comes
    )
    assert validate(parse_safely(data)) == []


def test_writer_carries_only_the_agreed_attributes():
    rows = _rows()
    data = _write(["first_name"], groups=GROUPS, teachers=TEACHERS, rows=rows).decode()
    assert "<roepnaam>Tim</roepnaam>" in data
    assert f'<leerling key="{"a" * 32}">' in data
    for row in rows:
        for code, value in row.items():
            if code not in ("pseudonym", "first_name") and value and len(value) > 1:
                assert value not in data, (code, value)
    for absent in ("achternaam", "geboortedatum", "geslacht", "jaargroep", "groep", "bsn"):
        assert f"<{absent}" not in data
    assert "leerkracht" not in data
    assert "julia@school.example" not in data
    assert "Groep 3" not in data
    assert "brincode" not in data


def test_writer_without_last_name_has_no_surname_and_no_bsn_even_if_rows_carry_them():
    codes = ["first_name", "date_of_birth", "year_group"]
    data = _write(codes, rows=_rows()).decode()  # rows with everything: the writer filters
    assert validate(parse_safely(data.encode())) == []
    for value in ("Berg", "Bakker", "111222333", "123456782", "Schoolstraat", "karin@"):
        assert value not in data
    assert "<geboortedatum>2018-03-04</geboortedatum>" in data


def test_writer_full_mapping():
    data = _write(ALL_CODES, groups=GROUPS, teachers=TEACHERS, rows=_rows()).decode()
    assert "<achternaam>Berg</achternaam>" in data
    assert "<voorvoegsel>van der</voorvoegsel>" in data
    assert "<voorletters-1>TJ</voorletters-1>" in data
    assert "<geslacht>1</geslacht>" in data  # M
    assert "<geslacht>9</geslacht>" in data  # X: not specified
    assert "<brincode>12AB</brincode>" in data
    assert "<jaargroep>C</jaargroep>" in data  # the combination group 5/6
    assert '<groep key="g-56"/>' in data
    assert "<instroomdatum>2022-08-22</instroomdatum>" in data
    assert "<emailadres>julia@school.example</emailadres>" in data
    assert "g-elsewhere" not in data  # a teacher's group outside the export stays out
    # Agreed, but without a place in EDEXML: never written.
    for value in ("111222333", "Schoolstraat", "karin@home.example", "06-12345678", "M4"):
        assert value not in data


def test_split_last_name():
    assert split_last_name("van der Berg") == ("van der", "Berg")
    assert split_last_name("van 't Hof") == ("van 't", "Hof")
    assert split_last_name("Bakker") == ("", "Bakker")
    assert split_last_name("De Vries") == ("", "De Vries")  # capitalised: part of the name
    assert split_last_name("van") == ("", "van")


def test_required_attributes():
    assert required_attributes() == [("first_name", "last_name")]
    assert set(required_attributes()[0]) <= set(CARRIED_ATTRIBUTES)
    check_attributes(["last_name"])
    check_attributes(["first_name", "group_name", "year_group"])


@pytest.mark.parametrize(
    ("codes", "lacking"),
    [
        (["date_of_birth", "sex", "bsn"], "first_name"),
        (["first_name", "group_name"], "year_group"),
        (["first_name", "teacher_email"], "teacher_name"),
    ],
)
def test_writer_refuses_when_the_schema_needs_an_unagreed_attribute(codes, lacking):
    out = io.BytesIO()
    with pytest.raises(EdexmlError) as exc:
        write_edexml(
            out,
            school=SCHOOL,
            school_year=2024,
            attributes=codes,
            rows=_only(codes),
            groups=GROUPS,
            teachers=TEACHERS,
        )
    assert lacking in exc.value.message
    assert out.getvalue() == b""  # refused before a single byte


def test_writer_refuses_a_school_year_the_schema_does_not_know():
    with pytest.raises(EdexmlError, match="2031-2032") as exc:
        _write(["first_name"], school_year=2031)
    assert "2030-2031" in exc.value.message  # the last year the shipped schema knows


def test_writer_refuses_an_empty_export():
    with pytest.raises(EdexmlError, match="at least one pupil"):
        _write(["first_name"], rows=[])


def test_writer_refuses_a_pupil_without_a_name_rather_than_inventing_one():
    rows = [{"pseudonym": "c" * 32, "first_name": "", "last_name": ""}]
    with pytest.raises(EdexmlError, match="no name"):
        _write(["first_name", "last_name"], rows=rows)


# -- parsing and validation ------------------------------------------------------------------
def test_example_is_valid_and_schema_is_cached():
    assert schema() is schema()
    assert validate(parse_safely(EXAMPLE)) == []


@pytest.mark.parametrize(
    "data", [b"", b"   ", b"<EDEX><school>", b"not xml at all", b"<a></b>"], ids=repr
)
def test_malformed_xml_is_refused_cleanly(data):
    with pytest.raises(EdexmlError) as exc:
        parse_safely(data)
    assert exc.value.message


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "xxe"])
def test_entities_are_refused(data):
    started = time.monotonic()
    with pytest.raises(EdexmlError, match="DOCTYPE"):
        parse_safely(data)
    assert time.monotonic() - started < 2


def test_a_doctype_in_another_encoding_is_refused_after_parsing():
    data = EXTERNAL_ENTITY.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
    with pytest.raises(EdexmlError, match="DOCTYPE"):
        parse_safely(data.decode().encode("utf-16"))


def test_schema_errors_are_readable():
    broken = EXAMPLE.replace(b"<schooljaar>2014-2015</schooljaar>", b"")
    errors = validate(parse_safely(broken))
    assert errors
    assert errors[0].startswith("Line ")
    assert "schooljaar" in " ".join(errors)


# -- importer --------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _english():
    """The assertions below read the English messages; other tests cover the Dutch ones."""
    with translation.override("en"):
        yield


@pytest.fixture
def school(db):
    board = BoardFactory.create(name="Stichting Import")
    return SchoolFactory.create(board=board, name="OBS Import", brin="12AB")


@pytest.fixture
def actor(school):
    return make_staff(Role.ADMINISTRATION, school=school, email="admin@import.example")


def _by_key(records):
    return {record.key: record for record in records}


def _row_counts() -> dict[str, int]:
    from accounts.models import User

    return {
        model.__name__: model.objects.count()
        for model in (Student, Group, Placement, GroupTeacher, User, AccessEvent)
    }


def _actions(preview) -> list[tuple[str, str, str]]:
    return [(r.kind, r.key, r.action) for r in preview.records()]


def test_preview_of_the_example(school):
    before = _row_counts()
    preview = edexml_preview(EXAMPLE, school=school)
    assert _row_counts() == before  # a preview writes nothing
    assert preview.is_valid
    assert preview.school_year == 2014
    assert preview.brin == "99ZZ"
    joined = " ".join(preview.warnings)
    assert "99ZZ" in joined and "12AB" in joined  # BRIN differs: a warning, not a blocker
    assert "2014-2015" in joined

    groups = _by_key(preview.groups)
    assert groups["001"].action == "skip"  # jaargroep 0: pre-school
    assert "0" in groups["001"].errors[0]
    for key in ("002", "003", "GRP4A", "GRP4B", "sg1", "sg2", "sg3"):
        assert groups[key].action == "create", key
    assert groups["sg1"].detail["low"] == groups["sg1"].detail["high"] == 4  # from its member
    assert (groups["sg3"].detail["low"], groups["sg3"].detail["high"]) == (1, 8)  # no members
    assert groups["sg3"].warnings

    pupils = _by_key(preview.pupils)
    assert pupils["00001"].action == "create"
    assert pupils["00001"].detail["group"].key == "GRP4B"
    assert not pupils["00001"].errors
    missing = pupils["00002"]
    assert missing.action == "create"
    assert missing.detail["group"] is None
    assert missing.detail["values"]["date_of_birth"] == PLACEHOLDER_DATE_OF_BIRTH
    text = " ".join(missing.warnings)
    assert "date of birth" in text and "group" in text
    historic = pupils["12345"]
    assert historic.action == "skip"
    assert "H" in historic.warnings[0]

    teachers = _by_key(preview.teachers)
    assert {r.action for r in teachers.values()} == {"skip"}  # no email addresses in the file
    assert all("email" in r.warnings[0] for r in teachers.values())

    assert preview.counts()["pupils"] == {
        "create": 2,
        "update": 0,
        "unchanged": 0,
        "withdraw": 0,
        "skip": 1,
    }


def test_import_of_the_example_does_what_the_preview_said(school, actor):
    preview = edexml_preview(EXAMPLE, school=school)
    events_before = AccessEvent.objects.count()
    result = edexml_import(EXAMPLE, school=school, actor=actor)
    assert _actions(result.preview) == _actions(preview)
    assert result.counts() == preview.counts()

    grp4b = Group.objects.get(school=school, source_key="GRP4B")
    assert (grp4b.name, grp4b.school_year, grp4b.year_group_low) == ("4B", 2014, 4)
    assert not Group.objects.filter(source_key="001").exists()
    sg3 = Group.objects.get(school=school, source_key="sg3")
    assert (sg3.year_group_low, sg3.year_group_high) == (1, 8)
    assert Group.objects.filter(school=school).count() == 7

    wimpie = Student.objects.get(school=school, source_key="00001")
    assert wimpie.group == grp4b
    assert (wimpie.given_name, wimpie.surname_prefix, wimpie.surname) == ("Wimpie", "imp", "ie")
    assert wimpie.date_of_birth == datetime.date(2006, 6, 21)
    assert wimpie.sex == Sex.MALE
    assert wimpie.year_group == 4
    assert wimpie.enrolled_on == datetime.date(2014, 8, 1)
    assert wimpie.placements.get().group == grp4b

    ismael = Student.objects.get(school=school, source_key="00002")
    assert ismael.group is None
    assert ismael.is_enrolled
    assert ismael.date_of_birth == PLACEHOLDER_DATE_OF_BIRTH
    assert (ismael.given_name, ismael.first_names) == ("Ismaël", "Ismaël Hassan")
    assert ismael.sex == Sex.OTHER
    assert ismael.enrolled_on == datetime.date(2013, 8, 25)

    assert not Student.objects.filter(source_key="12345").exists()  # historic: skipped
    assert set(result.student_ids) == {"00001", "00002"}
    # Every change is in the audit trail (services and their groupless twin).
    created = AccessEvent.objects.count() - events_before
    assert created == 7 + 2  # seven groups, two pupils
    assert set(
        AccessEvent.objects.filter(object_type="student", action="create").values_list(
            "student_id", flat=True
        )
    ) == {wimpie.pk, ismael.pk}


def test_second_import_changes_nothing(school, actor):
    edexml_import(EXAMPLE, school=school, actor=actor)
    before = _row_counts()
    second = edexml_import(EXAMPLE, school=school, actor=actor)
    assert _row_counts() == before
    for record in second.preview.records():
        # Skipped records are skipped again for the same reason; everything else is as it was.
        assert record.action in ("unchanged", "skip"), (record.kind, record.key, record.changes)
    counts = second.counts()
    assert counts["groups"]["unchanged"] == 7 and counts["groups"]["skip"] == 1
    assert counts["pupils"]["unchanged"] == 2 and counts["pupils"]["skip"] == 1
    missing = _by_key(second.preview.pupils)["00002"]
    assert any("placeholder" in warning for warning in missing.warnings)  # still to fix


def _with_emails(data: bytes) -> bytes:
    data = data.replace(
        b"<roepnaam>Julia</roepnaam>",
        b"<roepnaam>Julia</roepnaam><emailadres>J.vanBemmel@School.example</emailadres>",
    )
    return data.replace(
        b"<roepnaam>Uilke</roepnaam>",
        b"<roepnaam>Uilke</roepnaam><emailadres>uilke@school.example</emailadres>",
    )


def test_teachers_with_an_email_get_no_account_and_no_group_when_imported(school, actor):
    """An import creates no accounts: unknown addresses get nothing,
    and a teacher of the school is only proposed groups of the current school year (the
    example's 2014-2015 has passed). tests/suppliers/test_edexml_teachers.py has the rest."""
    from accounts.models import User
    from students.models import TeacherProposal

    julia = make_staff(
        Role.TEACHER,
        group=GroupFactory.create(school=school, year_group_low=4),
        email="j.vanbemmel@school.example",
    )
    data = _with_emails(EXAMPLE)
    preview = edexml_preview(data, school=school)
    teachers = _by_key(preview.teachers)
    assert {key: record.action for key, record in teachers.items()} == {
        "LK1": "skip",
        "LK2": "skip",
        "LK3": "skip",
    }
    assert "school year has passed" in teachers["LK1"].warnings[0]
    assert any("Kabouters" in w for w in teachers["LK2"].warnings)  # its group 001 is skipped
    assert "No teacher of OBS Import" in teachers["LK2"].warnings[-1]
    assert "No email address" in teachers["LK3"].warnings[0]
    before = _row_counts()

    result = edexml_import(data, school=school, actor=actor)

    after = _row_counts()
    assert after["User"] == before["User"]
    assert after["GroupTeacher"] == before["GroupTeacher"]
    assert not User.objects.filter(email="uilke@school.example").exists()
    assert [g.source_key for g in julia.taught_groups.all()] == [""]
    assert not TeacherProposal.objects.exists()
    assert result.teacher_ids == {"LK1": julia.pk}
    assert result.counts()["teachers"] == {"propose": 0, "unchanged": 0, "skip": 3}


def test_existing_pupils_are_updated_moved_and_withdrawn(school, actor):
    edexml_import(EXAMPLE, school=school, actor=actor)
    wimpie = Student.objects.get(source_key="00001")
    other = GroupFactory.create(school=school, school_year=2014, name="Elders", year_group_low=4)
    wimpie.surname = "Iee"
    wimpie.save(update_fields=["surname"])
    from students.services import student_move

    student_move(actor=None, student=wimpie, group=other)
    gradje = StudentFactory.create(
        group=GroupFactory.create(school=school, year_group_low=8),
        source_key="12345",
        enrolled_on=datetime.date(2010, 8, 19),
    )

    preview = edexml_preview(EXAMPLE, school=school)
    pupils = _by_key(preview.pupils)
    assert pupils["00001"].action == "update"
    assert len(pupils["00001"].changes) == 2  # surname and group
    assert pupils["12345"].action == "withdraw"

    edexml_import(EXAMPLE, school=school, actor=actor)
    wimpie.refresh_from_db()
    assert wimpie.surname == "ie"
    assert wimpie.group.source_key == "GRP4B"
    gradje.refresh_from_db()
    assert gradje.withdrawn_on == datetime.date(2014, 7, 18)
    assert gradje.group is None
    assert gradje.withdrawal_destination == "other"

    again = edexml_preview(EXAMPLE, school=school)
    assert {r.action for r in again.pupils} == {"unchanged"}


def test_manual_group_with_the_same_name_is_linked_not_duplicated(school, actor):
    manual = GroupFactory.create(school=school, school_year=2014, name="4B", year_group_low=4)
    preview = edexml_preview(EXAMPLE, school=school)
    record = _by_key(preview.groups)["GRP4B"]
    assert record.action == "update"
    edexml_import(EXAMPLE, school=school, actor=actor)
    manual.refresh_from_db()
    assert manual.source_key == "GRP4B"
    assert Student.objects.get(source_key="00001").group == manual


def test_invalid_file_gives_schema_errors_and_imports_nothing(school, actor):
    broken = EXAMPLE.replace(b"<naam>4B</naam>", b"")  # a group's required name removed
    preview = edexml_preview(broken, school=school)
    assert not preview.is_valid
    assert len(preview.errors) >= 2
    assert any("naam" in error for error in preview.errors)
    assert preview.groups == preview.pupils == preview.teachers == []
    before = _row_counts()
    with pytest.raises(EdexmlError) as exc:
        edexml_import(broken, school=school, actor=actor)
    assert exc.value.errors == preview.errors
    assert _row_counts() == before


@pytest.mark.parametrize(
    "data",
    [b"<EDEX><school>", b"\x00\x01binary", BILLION_LAUGHS, EXTERNAL_ENTITY],
    ids=["truncated", "binary", "bomb", "xxe"],
)
def test_malformed_and_hostile_files_are_refused_by_preview_and_import(school, actor, data):
    preview = edexml_preview(data, school=school)
    assert not preview.is_valid
    assert preview.records() == []
    before = _row_counts()
    with pytest.raises(EdexmlError):
        edexml_import(data, school=school, actor=actor)
    assert _row_counts() == before


def test_writer_output_can_be_imported(school, actor):
    """Round trip: the portal's own export reads back, the combination group included."""
    data = _write(ALL_CODES, groups=GROUPS, teachers=TEACHERS, rows=_rows())
    preview = edexml_preview(data, school=school)
    assert preview.is_valid
    groups = _by_key(preview.groups)
    assert (groups["g-56"].detail["low"], groups["g-56"].detail["high"]) == (6, 6)
    pupils = _by_key(preview.pupils)
    assert pupils["a" * 32].detail["values"]["surname_prefix"] == "van der"
    assert pupils["b" * 32].detail["group"].key == "g-56"
    assert not any("BRIN" in warning for warning in preview.warnings)  # same BRIN


def test_two_groups_with_one_name_in_the_file_keep_the_first(school, actor):
    data = EXAMPLE.replace(b"<naam>Samgroep 2</naam>", b"<naam>Samgroep 1</naam>")
    groups = _by_key(edexml_preview(data, school=school).groups)
    assert groups["sg1"].action == "create"
    assert groups["sg2"].action == "skip"
    assert "Samgroep 1" in groups["sg2"].errors[0]
    edexml_import(data, school=school, actor=actor)
    assert Group.objects.filter(school=school, name="Samgroep 1").count() == 1


def test_messages_follow_the_active_language(school):
    from django.utils import translation

    with translation.override("en"):
        preview = edexml_preview(EXAMPLE, school=school)
    historic = _by_key(preview.pupils)["12345"]
    assert "July 18, 2014" in historic.warnings[0]
