"""The access package (AVG art. 15): the sixteen parts, the data of the one child asked about
and nothing of any other pupil, care data without any record withheld from guardians (not even
a trace in the access log), consent history with the text version, a job that is safe to run
twice, a failed build that can be restarted, and a release that is one disclosure."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from accounts.constants import Function, Role
from consent.constants import Channel, Decision
from consent.services import consent_record
from privacy_requests import services
from privacy_requests.constants import PACKAGE_DOWNLOAD_DAYS, Kind, PackageStatus, Status, Step
from privacy_requests.models import AccessPackage
from privacy_requests.package import package_data
from students.constants import (
    CareVisibility,
    ReligionConsentChannel,
    ReligionConsentDecision,
    Subject,
    WithholdStatus,
)
from students.models import CareRecord, Guardianship, ProgressRecord, Student
from students.services import guardian_link, religion_consent_give, religion_consent_withdraw
from students.services.reads import care_record_open_for
from suppliers.constants import Basis
from suppliers.gate import DisclosureRefusedError, disclose, disclosure_plan
from suppliers.models import DisclosedPupil, Disclosure
from tests.students.factories import GuardianFactory, StudentFactory, link_guardian

pytestmark = pytest.mark.usefixtures("english")

HANDLE = Function.HANDLE_REQUESTS

SIXTEEN_KEYS = [
    "student",
    "guardians",
    "groups",
    "progress",
    "care_records",
    "religion",
    "consents",
    "disclosures",
    "access_log",
    "changes",  # the history of the data (issue 24): a seventeenth part
    "purposes",
    "categories",
    "recipients",
    "retention",
    "rights",
    "complaint",
    "sources",
]

PENDING_SIGNAL = "Zorgmelding thuis, besluit directeur volgt"
OWN_PROGRESS_NOTE = "Goed bezig met de tafels"
# Words that belong to other pupils only: none may appear in Tim's package.
OTHERS = {
    "sibling": ("Lotte", "Lotte Quirijntje", "Pinda-allergie Lotte", "Lotte leest vlot"),
    "pupil5": ("Xandra", "Xandra Yvonne", "Xandra rekent snel"),
    "other_pupil": ("Quinten", "Zwartekop"),
    "foreign_pupil": ("Ulrike", "Overgaauw"),
}


@pytest.fixture
def family(world):
    """Tim (pupil3) with his own progress and a pending withholding; a sibling with the same
    guardian; other families' children with their own data."""
    guardian = world.users["guardian"].guardian
    sibling = StudentFactory.create(
        group=world.group5,
        given_name="Lotte",
        first_names="Lotte Quirijntje",
        surname_prefix="de",
        surname="Vries",
    )
    guardian_link(actor=None, guardian=guardian, student=sibling, has_authority=True)
    CareRecord.objects.create(
        student=sibling,
        kind="allergy",
        content="Pinda-allergie Lotte",
        justification="Geen pinda in de klas",
        source="guardian",
        review_date=datetime.date(2027, 6, 30),
        visibility=CareVisibility.TEACHERS,
    )
    ProgressRecord.objects.create(
        student=sibling, subject=Subject.READING, period="M5", result="A", note="Lotte leest vlot"
    )
    Student.objects.filter(pk=world.pupil5.pk).update(
        given_name="Xandra", first_names="Xandra Yvonne", surname="Bakkerszoon"
    )
    ProgressRecord.objects.create(
        student=world.pupil5,
        subject=Subject.MATHS,
        period="M5",
        result="I",
        note="Xandra rekent snel",
    )
    Student.objects.filter(pk=world.other_pupil.pk).update(
        given_name="Quinten", first_names="Quinten", surname="Zwartekop"
    )
    Student.objects.filter(pk=world.foreign_pupil.pk).update(
        given_name="Ulrike", first_names="Ulrike", surname="Overgaauw"
    )
    ProgressRecord.objects.create(
        student=world.pupil3,
        group=world.group3,
        subject=Subject.MATHS,
        period="Midden groep 3",
        result="7.5",
        note=OWN_PROGRESS_NOTE,
    )
    pending = CareRecord.objects.create(
        student=world.pupil3,
        kind="child_protection",
        content=PENDING_SIGNAL,
        justification="Meldcode stap 1",
        source="school",
        review_date=datetime.date(2027, 6, 30),
        visibility=CareVisibility.CARE_TEAM,
        withhold_status=WithholdStatus.REQUESTED,
        withhold_reason="Besluit nodig over melding",
    )
    return {"sibling": sibling, "pending": pending}


def _package(flow) -> tuple[AccessPackage, dict, str]:
    package = flow.built()
    text = package.json_file.open("rb").read().decode()
    package.json_file.close()
    return package, json.loads(text), text


def _withheld_words(world, family) -> list[str]:
    withheld = world.care["withheld"]
    return [
        withheld.content,
        withheld.withhold_reason,
        PENDING_SIGNAL,
        family["pending"].withhold_reason,
    ]


def test_package_has_the_sixteen_parts_in_order_when_built(world, flow, family):
    package, data, _text = _package(flow)

    assert package.status == PackageStatus.BUILT
    assert package.progress == 100
    assert list(data) == SIXTEEN_KEYS
    assert [section["key"] for section in package.sections] == SIXTEEN_KEYS
    assert package.pdf_file.open("rb").read(5) == b"%PDF-"
    package.pdf_file.close()


def test_package_holds_what_the_school_recorded_at_enrolment(world, flow, family):
    """The enrolment's own data (issue 23): the previous school and, for a child born abroad,
    the date of arrival reach the parents in their access package."""
    world.pupil3.previous_school = "Kinderopvang De Vlinder"
    world.pupil3.born_abroad = True
    world.pupil3.arrived_in_netherlands_on = datetime.date(2023, 8, 14)
    world.pupil3.save(update_fields=["previous_school", "born_abroad", "arrived_in_netherlands_on"])
    _package_obj, data, _text = _package(flow)

    assert data["student"]["previous_school"] == "Kinderopvang De Vlinder"
    assert data["student"]["born_abroad"] is True
    assert data["student"]["arrived_in_netherlands_on"] == "2023-08-14"


def test_package_holds_this_child_only_when_guardian_has_several_children(world, flow, family):
    _package_obj, data, text = _package(flow)

    assert data["student"]["id"] == world.pupil3.pk
    assert data["student"]["given_name"] == "Tim"
    assert data["student"]["bsn"] == "111222333"
    assert [p["note"] for p in data["progress"]] == [OWN_PROGRESS_NOTE]
    for pupil, words in OTHERS.items():
        for word in words:
            assert word not in text, f"{pupil}: {word!r} is in Tim's package"
    assert f'"id": {family["sibling"].pk}' not in text


def test_care_records_included_but_never_one_withheld_from_guardians(world, flow, family):
    package, data, text = _package(flow)

    assert sorted(r["content"] for r in data["care_records"]) == sorted(
        [world.care["teachers"].content, world.care["care_team"].content]
    )
    for word in _withheld_words(world, family):
        assert word not in text
    assert {"key": "care_records", "count": 2} in package.sections
    # The same holds for the data the PDF is made from.
    assembled = json.dumps(package_data(flow.fresh(package.request)), ensure_ascii=False)
    for word in _withheld_words(world, family):
        assert word not in assembled


@pytest.mark.parametrize(("record", "listed"), [("withheld", False), ("teachers", True)])
def test_access_log_leaves_out_reads_of_withheld_record_when_built(
    world, flow, family, record, listed
):
    care_record_open_for(
        user=world.users["care_coordinator"],
        student_id=world.pupil3.pk,
        record_id=world.care[record].pk,
    )

    _package_obj, data, _text = _package(flow)

    care_reads = [e for e in data["access_log"] if e["role"] == str(Role.CARE_COORDINATOR.label)]
    assert len(care_reads) == (1 if listed else 0)
    if listed:
        assert care_reads[0]["special_category"] is True
        assert care_reads[0]["date"].startswith(timezone.now().date().isoformat())


def test_access_log_gives_role_and_date_of_each_staff_read_when_built(world, flow, family):
    _package_obj, data, _text = _package(flow)

    assert data["access_log"]
    for entry in data["access_log"]:
        assert set(entry) == {"date", "role", "data", "special_category"}
        datetime.datetime.fromisoformat(entry["date"])
        assert entry["role"]
    assert str(Role.ADMINISTRATION.label) in {e["role"] for e in data["access_log"]}
    # Names of the staff who looked are not part of it.
    assert world.users["administration"].full_name not in json.dumps(data["access_log"])


def test_consent_history_with_text_version_and_dates_when_built(world, flow, family):
    newsletter = world.school.purposes.get(code="newsletter")
    consent_record(
        student=world.pupil3,
        purpose=newsletter,
        guardian_id=world.users["guardian"].guardian.pk,
        decision=Decision.REFUSED,
        channel=Channel.PAPER,
        recorded_by=world.users["administration"],
    )

    _package_obj, data, _text = _package(flow)

    by_purpose = {c["purpose"]: c for c in data["consents"]}
    assert set(by_purpose) == {"website", "newsletter"}
    website = by_purpose["website"]
    version = world.school.purposes.get(code="website").current_version
    assert website["text_version"] == version.number
    assert website["text"] == version.text
    assert website["decision"] == str(Decision.GRANTED.label)
    assert website["guardian"] == world.users["guardian"].guardian.display_name
    datetime.datetime.fromisoformat(website["recorded_at"])
    assert by_purpose["newsletter"]["decision"] == str(Decision.REFUSED.label)


def test_religion_consent_history_is_in_the_package_after_the_entry_is_gone(world, flow, family):
    parent = world.users["guardian"]
    for change in (religion_consent_give, religion_consent_withdraw):
        change(
            user=parent,
            student=world.pupil3,
            guardian_id=parent.guardian.pk,
            channel=ReligionConsentChannel.PORTAL,
        )

    _package_obj, data, _text = _package(flow)

    assert data["religion"] is None  # the withdrawal erased the entry
    religion = [c for c in data["consents"] if c["purpose"] == "religion"]
    assert [(c["decision"], c["channel"], c["guardian"]) for c in religion] == [
        (str(label), str(ReligionConsentChannel.PORTAL.label), parent.guardian.display_name)
        for label in (
            ReligionConsentDecision.GRANTED.label,
            ReligionConsentDecision.WITHDRAWN.label,
        )
    ]
    assert {"website"} <= {c["purpose"] for c in data["consents"]}


def test_legal_parts_present_when_built(world, flow, family):
    _package_obj, data, _text = _package(flow)

    assert data["complaint"]["authority"] == "Autoriteit Persoonsgegevens"
    assert len(data["rights"]) >= 5
    assert data["retention"] and data["sources"] and data["purposes"]
    assert data["religion"]["religion"] == "Rooms-katholiek"
    assert "Rekenwijs / Rekenwijs app" in {r["recipient"] for r in data["recipients"]}
    assert {"DUO"} <= {r["recipient"] for r in data["recipients"]}


def test_disclosures_of_this_child_listed_when_built(world, flow, family):
    plan = disclosure_plan(school=world.school, agreement=world.suppliers["agreement"])
    run = disclose(actor=world.users["director"], plan=plan)
    list(run.rows())
    run.record()

    _package_obj, data, _text = _package(flow)

    (sent,) = data["disclosures"]
    assert sent["recipient"] == "Rekenwijs"
    assert sent["basis"] == str(Basis.AGREEMENT.label)


def test_confidential_contact_of_other_guardian_left_out_when_built(world, flow, family):
    hidden = GuardianFactory.create(
        first_name="Kim",
        email="kim-geheim@home.example",
        phone="06-99999999",
        address="Geheime Laan 7, Zwolle",
        contact_confidential=True,
    )
    link_guardian(hidden, world.pupil3)

    _package_obj, data, text = _package(flow)

    (entry,) = [g for g in data["guardians"] if g["name"].startswith("Kim")]
    assert entry["contact_confidential"] is True
    for secret in ("kim-geheim@home.example", "06-99999999", "Geheime Laan"):
        assert secret not in text


def test_staff_see_only_part_names_and_counts_when_package_built(world, flow, family):
    package, _data, _text = _package(flow)

    assert all(set(section) == {"key", "count"} for section in package.sections)
    assert OWN_PROGRESS_NOTE not in json.dumps(package.sections)


# --- the job and its idempotence ------------------------------------------------------------


def test_same_package_and_one_start_when_started_twice(world, flow, family):
    request = flow.submit(Kind.ACCESS)

    first = flow.act("administration", request, HANDLE, services.package_start)
    second = flow.act("director", request, HANDLE, services.package_start)

    assert second.pk == first.pk
    assert AccessPackage.objects.filter(request=request).count() == 1
    assert flow.fresh(request).steps.filter(step=Step.PACKAGE_STARTED).count() == 1
    assert flow.fresh(request).status == Status.IN_PROGRESS


def test_same_files_and_no_disclosure_when_job_runs_twice(world, flow, family):
    package = flow.built()
    before = (package.json_file.name, package.pdf_file.name, package.checksum, package.built_at)

    again = services.package_build(package_id=package.pk)

    assert (again.json_file.name, again.pdf_file.name, again.checksum, again.built_at) == before
    assert AccessPackage.objects.filter(request=package.request).count() == 1
    assert package.request.steps.filter(step=Step.PACKAGE_BUILT).count() == 1
    assert not Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT).exists()


def test_one_access_disclosure_when_released(world, flow, family):
    package = flow.built()

    flow.release("care_coordinator", package.request)
    services.package_build(package_id=package.pk)  # a late duplicate of the job

    package.refresh_from_db()
    (disclosure,) = Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT)
    assert package.disclosure == disclosure
    assert package.status == PackageStatus.RELEASED
    assert disclosure.file_checksum == package.checksum
    assert disclosure.pupil_count == 1
    assert {"care_records", "religion", "first_name", "bsn"} <= set(disclosure.attributes)
    assert list(DisclosedPupil.objects.values_list("student_id", flat=True)) == [world.pupil3.pk]
    assert package.released_by == world.users["care_coordinator"]
    assert package.expires_at == package.released_at + datetime.timedelta(
        days=PACKAGE_DOWNLOAD_DAYS
    )
    assert package.downloadable
    request = flow.fresh(package.request)
    assert request.status == Status.COMPLETED
    assert request.closed_at is not None


def test_failed_build_can_be_restarted_when_cause_is_gone(world, flow, family):
    request = flow.submit(Kind.ACCESS)
    link = Guardianship.objects.get(student=world.pupil3, guardian__user=world.users["guardian"])
    # The requester loses parental authority before the job runs: the gate refuses the package.
    Guardianship.objects.filter(pk=link.pk).update(has_authority=False)
    with pytest.raises(DisclosureRefusedError, match="parental authority"):
        flow.act("administration", request, HANDLE, services.package_start)

    package = AccessPackage.objects.get(request=request)
    assert package.status == PackageStatus.FAILED
    assert package.error
    assert not package.json_file
    assert request.steps.filter(step=Step.PACKAGE_FAILED).count() == 1

    Guardianship.objects.filter(pk=link.pk).update(has_authority=True)
    restarted = flow.act("director", request, HANDLE, services.package_start)
    restarted.refresh_from_db()

    assert restarted.pk == package.pk
    assert restarted.status == PackageStatus.BUILT
    assert restarted.error == ""
    assert restarted.started_by == world.users["director"]
    assert request.steps.filter(step=Step.PACKAGE_STARTED).count() == 2


def test_release_refused_readably_when_requester_lost_authority_after_build(world, flow, family):
    package = flow.built()
    Guardianship.objects.filter(
        student=world.pupil3, guardian__user=world.users["guardian"]
    ).update(has_authority=False)

    with pytest.raises(services.RequestError) as refused:
        flow.release("director", package.request)

    assert "parental authority" in str(refused.value.message)
    package.refresh_from_db()
    assert package.status == PackageStatus.BUILT
    assert not Disclosure.objects.filter(basis=Basis.ACCESS_RIGHT).exists()
    assert flow.fresh(package.request).is_open
