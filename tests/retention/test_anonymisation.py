"""A pupil who left six years ago becomes a tombstone: nothing that identifies them is left,
the grade lists are archived without any link to them, their guardians are anonymised unless
another child keeps them, and the tombstone lines say what went and why without a word of the
data itself. An approved erasure request uses the same service, under the request."""

from __future__ import annotations

import datetime

import pytest
from django.core import serializers

from audit.models import AccessEvent, RetentionCheckpoint
from consent.models import ConsentDecision, Publication, Takedown
from kernel.crypto import lookup_hash
from privacy_requests import services as request_services
from privacy_requests.constants import ErasureCategory, Kind, Status
from privacy_requests.models import PrivacyRequest, RequestStep
from retention.constants import Category, RuleAction
from retention.models import (
    ArchivedResult,
    ErasureRecord,
    RetentionRun,
)
from retention.services import retention_run
from students.constants import CareVisibility, ReligionStatus, Subject, WithdrawalDestination
from students.models import (
    CareRecord,
    Guardian,
    Guardianship,
    Placement,
    ProgressRecord,
    ReligionRecord,
    Student,
)
from students.selectors import students_visible_to
from students.services import student_enrol, student_withdraw

from ..students.factories import GuardianFactory, link_guardian
from .conftest import ALL_CATEGORIES, years_ago

# Every personal string the pupil's file holds; none may survive anywhere retention writes.
PERSONAL = {
    "first_names": "Zwaantje Hendrika",
    "given_name": "Zwaan",
    "surname_prefix": "van der",
    "surname": "Oosterhuis-Kleinjan",
    "street": "Lindengracht",
    "house_number": "77-Zwart",
    "postal_code": "1015 KK",
    "city": "Zaandijk",
    "bsn": "123456782",
}
CARE_TEXT = "Ernstige voedselallergie (pinda)"
RELIGION_TEXT = "Vrijgemaakt gereformeerd"
PROGRESS_NOTE = "Zwaan leest graag voor in de klas"
REQUEST_TEXT = "Zwaan heet voluit Zwaantje Hendrika Oosterhuis-Kleinjan"
QUESTION_TEXT = "Kunt u de geboorteakte van Zwaan meenemen?"
OUTCOME_TEXT = "Naam van Zwaan Oosterhuis-Kleinjan aangepast in het archief"
GUARDIAN = {"first_name": "Hendrikje", "surname": "Oosterhuis", "email": "hendrikje@thuis.example"}
SOURCE_KEY = "EDEX-ZWAAN-0042"


@pytest.fixture
def tombstone(ret):
    """Zwaan, enrolled in 2014 with a full file, left six years ago; her mother has no other
    child at the school, her stepfather has one (still enrolled)."""
    world = ret.world
    pupil = student_enrol(
        actor=ret.director,
        school=ret.school,
        group=ret.group,
        date_of_birth=datetime.date(2009, 7, 23),
        sex="F",
        year_group=8,
        enrolled_on=datetime.date(2014, 8, 18),
        **PERSONAL,
    )
    Student.objects.filter(pk=pupil.pk).update(source_key=SOURCE_KEY)
    mother = GuardianFactory.create(
        phone="06-99887766", address="Lindengracht 77, Zaandijk", **GUARDIAN
    )
    stepfather = GuardianFactory.create(
        first_name="Gerrit", surname="Bos", email="gerrit@thuis.example"
    )
    link_guardian(mother, pupil)
    link_guardian(stepfather, pupil)
    link_guardian(stepfather, world.pupil5)
    for kind, visibility in (
        ("diagnosis", CareVisibility.TEACHERS),
        ("allergy", CareVisibility.CARE_TEAM),
    ):
        CareRecord.objects.create(
            student=pupil,
            kind=kind,
            content=CARE_TEXT,
            justification="EpiPen in de klas",
            source="guardian",
            review_date=datetime.date(2019, 6, 30),
            visibility=visibility,
        )
    ReligionRecord.objects.create(
        student=pupil, status=ReligionStatus.STATED, religion=RELIGION_TEXT
    )
    grades = [("M7", "7.5"), ("E7", "8.1"), ("M8", "B")]
    for period, result in grades:
        ProgressRecord.objects.create(
            student=pupil,
            group=ret.group,
            subject=Subject.READING,
            period=period,
            result=result,
            note=PROGRESS_NOTE,
        )
    decision = ret.decide(pupil, mother)
    photo = Publication.objects.create(
        school=ret.school,
        title="Schoolreis",
        purpose=decision.purpose,
        publish_on=datetime.date(2019, 6, 1),
        created_by=ret.director,
    )
    photo.pupils.set([pupil])
    Takedown.objects.create(publication=photo, student=pupil, decision=decision)
    request = request_services.request_register(
        user=world.users["administration"],
        student=pupil,
        guardian=mother,
        identity_check="id_document",
        received_on=datetime.date(2026, 3, 10),
        kind=Kind.CORRECTION,
        correction_field="other",
        description=REQUEST_TEXT,
    )
    request_services.request_wait(
        user=world.users["administration"], request=request, question=QUESTION_TEXT
    )
    request_services.request_complete(user=ret.director, request=request, outcome=OUTCOME_TEXT)
    pupil = student_withdraw(
        actor=ret.director,
        student=pupil,
        on=years_ago(6),
        destination=WithdrawalDestination.SECONDARY_SCHOOL,
    )
    old_event = ret.event(datetime.datetime(2019, 9, 2, 8, tzinfo=datetime.UTC), student=pupil)
    return {
        "pupil": pupil,
        "mother": mother,
        "stepfather": stepfather,
        "request": request,
        "grades": grades,
        "photo": photo,
        "old_event": old_event,
    }


def _run(ret):
    run = retention_run(school=ret.school, categories=ALL_CATEGORIES, user=ret.director)
    assert run.status == "done", run.errors
    return run


def test_nothing_identifying_left_when_pupil_left_six_years_ago(ret, tombstone):
    pupil = tombstone["pupil"]
    assert Student.objects.get(pk=pupil.pk).bsn_hash == lookup_hash(PERSONAL["bsn"])
    # What enrolment asks besides (students/services/enrolment.py).
    Student.objects.filter(pk=pupil.pk).update(
        previous_school="Peuterspeelzaal Het Zwaantje",
        born_abroad=True,
        arrived_in_netherlands_on=datetime.date(2011, 4, 1),
    )

    _run(ret)

    row = Student.objects.get(pk=pupil.pk)
    assert (row.first_names, row.given_name, row.surname_prefix, row.surname) == ("", "", "", "")
    assert (row.bsn, row.bsn_hash) == ("", "")
    assert (row.street, row.house_number, row.postal_code, row.city) == ("", "", "", "")
    assert row.address == ""
    assert row.date_of_birth == datetime.date(2009, 1, 1)
    assert row.source_key == ""
    assert (row.previous_school, row.born_abroad, row.arrived_in_netherlands_on) == (
        "",
        False,
        None,
    )
    assert row.sex == "X"
    assert row.anonymised_at is not None
    assert row.school_id == ret.school.pk  # the tombstone stays where its evidence points


def test_free_text_and_special_data_gone_when_pupil_anonymised(ret, tombstone):
    pupil, request = tombstone["pupil"], tombstone["request"]

    _run(ret)

    assert not CareRecord.objects.filter(student=pupil).exists()
    assert not ReligionRecord.objects.filter(student=pupil).exists()
    assert not ProgressRecord.objects.filter(student=pupil).exists()
    assert not Publication.pupils.through.objects.filter(student_id=pupil.pk).exists()
    assert Publication.objects.filter(pk=tombstone["photo"].pk).exists()  # the others' photo
    assert not ConsentDecision.objects.filter(student=pupil).exists()
    assert not Takedown.objects.filter(student=pupil).exists()
    request = PrivacyRequest.objects.get(pk=request.pk)
    assert (request.description, request.outcome, request.correction_value) == ("", "", "")
    assert request.status == Status.COMPLETED  # the on-time record stays
    assert request.received_on == datetime.date(2026, 3, 10)
    assert RequestStep.objects.filter(request=request).count() >= 3
    assert set(RequestStep.objects.filter(request=request).values_list("note", flat=True)) == {""}


def test_grades_archived_without_any_link_to_the_pupil_when_pupil_file_anonymised(ret, tombstone):
    _run(ret)

    archived = ArchivedResult.objects.filter(school=ret.school)
    assert sorted(archived.values_list("year_group", "subject", "period", "result")) == sorted(
        (8, Subject.READING, period, result) for period, result in tombstone["grades"]
    )
    assert {row.school_year for row in archived} == {ret.group.school_year}
    fields = {f.name for f in ArchivedResult._meta.get_fields()}
    assert fields == {
        "id",
        "school",
        "school_year",
        "year_group",
        "subject",
        "period",
        "result",
        "archived_at",
    }


def test_grades_deleted_not_archived_when_the_rule_says_delete(ret, tombstone):
    from retention.services import rule_update

    rule_update(
        user=ret.director,
        rule=ret.rule(Category.PUPIL_FILE),
        period_months=24,
        action=RuleAction.DELETE,
        enabled=False,
    )

    _run(ret)

    assert not ArchivedResult.objects.exists()
    assert not ProgressRecord.objects.filter(student=tombstone["pupil"]).exists()
    (line,) = ErasureRecord.objects.filter(student=tombstone["pupil"], category=Category.PUPIL_FILE)
    assert line.action == RuleAction.DELETE


def test_links_gone_and_only_the_lone_guardian_anonymised_when_pupil_anonymised(ret, tombstone):
    pupil = tombstone["pupil"]
    assert Placement.objects.filter(student=pupil).exists()

    _run(ret)

    assert not Placement.objects.filter(student=pupil).exists()
    assert not Guardianship.objects.filter(student=pupil).exists()
    mother = Guardian.objects.get(pk=tombstone["mother"].pk)
    assert (mother.first_name, mother.surname, mother.email, mother.phone, mother.address) == (
        "",
        "",
        "",
        "",
        "",
    )
    stepfather = Guardian.objects.get(pk=tombstone["stepfather"].pk)
    assert (stepfather.first_name, stepfather.surname, stepfather.email) == (
        "Gerrit",
        "Bos",
        "gerrit@thuis.example",
    )
    assert Guardianship.objects.filter(guardian=stepfather, student=ret.world.pupil5).exists()


def test_tombstone_in_no_list_when_director_looks_for_former_pupils(ret, tombstone):
    pupil = tombstone["pupil"]
    director = ret.director
    assert students_visible_to(director, only_former=True).filter(pk=pupil.pk).exists()

    _run(ret)

    assert not students_visible_to(director, include_former=True).filter(pk=pupil.pk).exists()
    assert not students_visible_to(director, only_former=True).filter(pk=pupil.pk).exists()


def test_tombstone_lines_say_what_went_and_why_without_the_data_when_anonymised(ret, tombstone):
    pupil = tombstone["pupil"]

    run = _run(ret)

    lines = ErasureRecord.objects.filter(student=pupil).order_by("id")
    assert [(line.category, line.action) for line in lines] == [
        (Category.PUPIL_FILE, RuleAction.ANONYMISE),
        (Category.CONSENT_EVIDENCE, RuleAction.DELETE),
        (Category.ENROLMENT, RuleAction.ANONYMISE),
    ]
    for line in lines:
        assert line.run == run
        assert line.rule == ret.rule(line.category)
        assert line.actor == ret.director
        assert line.request_id is None
    counts = {line.category: line.count for line in lines}
    # 2 care + 1 religion + 3 grades + 1 photo; 1 decision; 1 placement + 2 guardian links + 1
    assert counts == {
        Category.PUPIL_FILE: 7,
        Category.CONSENT_EVIDENCE: 1,
        Category.ENROLMENT: 4,
    }
    assert not AccessEvent.objects.filter(pk=tombstone["old_event"].pk).exists()

    written = serializers.serialize(
        "json",
        [
            *ErasureRecord.objects.all(),
            *RetentionRun.objects.all(),
            *RetentionCheckpoint.objects.all(),
            *ArchivedResult.objects.all(),
            Student.objects.get(pk=pupil.pk),
            Guardian.objects.get(pk=tombstone["mother"].pk),
            *PrivacyRequest.objects.filter(student=pupil),
            *RequestStep.objects.filter(request__student=pupil),
            *AccessEvent.objects.filter(student_id=pupil.pk),
        ],
    )
    secrets = [
        *PERSONAL.values(),
        lookup_hash(PERSONAL["bsn"]),
        "Zwaan",
        "Oosterhuis",
        "Hendrikje",
        "hendrikje@thuis.example",
        "06-99887766",
        SOURCE_KEY,
        CARE_TEXT,
        RELIGION_TEXT,
        PROGRESS_NOTE,
        REQUEST_TEXT,
        QUESTION_TEXT,
        OUTCOME_TEXT,
        "2009-07-23",
    ]
    for secret in secrets:
        assert secret not in written, secret


def test_erasure_lines_under_the_request_when_director_approves_an_erasure_request(ret):
    world = ret.world
    parent = world.users["guardian"]
    request = request_services.request_submit(
        user=parent,
        student=world.pupil3,
        guardian=parent.guardian,
        kind=Kind.ERASURE,
        description="Wis de zorggegevens en de religie van Tim",
        categories=["religion", "care"],
    )
    request_services.erasure_assess(
        user=world.users["administration"],
        request=request,
        erase=["religion", "care"],
        keep={
            "progress": "Nodig voor het onderwijskundig rapport",
            "publications": "Met toestemming gepubliceerd",
            "contact": "Nodig voor de leerplicht",
        },
    )

    request_services.erasure_decide(user=ret.director, request=request, approve=True)

    lines = ErasureRecord.objects.filter(student=world.pupil3).order_by("id")
    assert [(line.category, line.action, line.count) for line in lines] == [
        ("religion", RuleAction.DELETE, 1),
        ("care", RuleAction.DELETE, 2),  # the withheld record stays, unmentioned
    ]
    for line in lines:
        assert line.request_id == request.pk
        assert (line.run, line.rule) == (None, None)
        assert line.actor == ret.director
    assert CareRecord.objects.filter(student=world.pupil3).get() == world.care["withheld"]
    pupil = Student.objects.get(pk=world.pupil3.pk)
    assert pupil.anonymised_at is None and pupil.given_name == "Tim"


def test_reasons_typed_for_an_erasure_request_gone_when_pupil_anonymised(ret):
    pupil = ret.leaver(left_on=years_ago(6), given_name="Wubbo", surname="Ockels")
    keep = {
        "care": "Wubbo's allergie blijft nodig voor het overdrachtsdossier",
        "progress": "Wubbo's cijfers gaan mee in het onderwijskundig rapport",
        "publications": "Foto van Wubbo Ockels staat in de schoolgids",
        "contact": "Adres van Wubbo nodig voor de leerplicht",
    }
    request = request_services.request_register(
        user=ret.world.users["administration"],
        student=pupil,
        guardian=ret.guardian_of[pupil.pk],
        identity_check="id_document",
        received_on=datetime.date(2026, 3, 10),
        kind=Kind.ERASURE,
        categories=["religion"],
        description="Wis het geloof van Wubbo",
    )
    request_services.erasure_assess(
        user=ret.world.users["administration"], request=request, erase=["religion"], keep=keep
    )
    request_services.erasure_decide(user=ret.director, request=request, approve=True)
    assert "Wubbo" in str(PrivacyRequest.objects.get(pk=request.pk).erasure_result)

    _run(ret)

    request = PrivacyRequest.objects.get(pk=request.pk)
    assert request.status == Status.COMPLETED
    assert request.erasure_assessment["erase"] == ["religion"]
    assert [item["category"] for item in request.erasure_result["erased"]] == [
        str(ErasureCategory.RELIGION.label)
    ]
    written = serializers.serialize("json", [request])
    assert "Wubbo" not in written
    assert "Ockels" not in written


def test_lone_parents_account_anonymised_and_closed_when_pupil_anonymised(ret, tombstone):
    from accounts.models import ApiToken
    from accounts.services import api_token_issue
    from tests.students.factories import make_guardian_user

    pupil = tombstone["pupil"]
    parent = make_guardian_user(pupil, email="ouder.account@thuis.example", full_name="An Account")
    api_token_issue(user=parent)
    colleague = make_guardian_user(pupil, ret.world.pupil5, email="twee@thuis.example")

    _run(ret)

    parent.refresh_from_db()
    assert parent.email == f"anonymised-{parent.pk}@invalid"
    assert parent.full_name == ""
    assert not parent.is_active
    assert not parent.has_usable_password()
    assert not ApiToken.objects.filter(user=parent, revoked_at__isnull=True).exists()
    # A parent with another child keeps their account.
    colleague.refresh_from_db()
    assert (colleague.email, colleague.is_active) == ("twee@thuis.example", True)


def test_stored_export_files_holding_the_pupil_removed_when_pupil_anonymised(
    ret, tombstone, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile

    from suppliers.constants import Basis, ExportStatus
    from suppliers.models import DisclosedPupil, Disclosure, Export

    pupil = tombstone["pupil"]
    disclosure = Disclosure.objects.create(
        school=ret.school,
        basis=Basis.ACCESS_RIGHT,
        recipient_label="De ouder zelf",
        attributes=["first_name"],
        pupil_count=1,
        created_by=ret.director,
    )
    DisclosedPupil.objects.create(disclosure=disclosure, student=pupil, pseudonym="p-1")
    export = Export.objects.create(
        school=ret.school,
        requested_by=ret.director,
        format="csv",
        status=ExportStatus.DONE,
        attributes=["first_name"],
        disclosure=disclosure,
    )
    export.file.save("anonymise-export.csv", ContentFile(b"pseudonym,first_name\np-1,Zwaan\n"))
    storage, name = export.file.storage, export.file.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        _run(ret)

    # The file that held her name is gone; the disclosure evidence (without her) stays.
    assert Export.objects.get(pk=export.pk).file.name == ""
    assert not storage.exists(name)
    assert Disclosure.objects.filter(pk=disclosure.pk).exists()
    assert not DisclosedPupil.objects.filter(student=pupil).exists()
