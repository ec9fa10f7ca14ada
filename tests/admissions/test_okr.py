"""The education report (OKR): sent once through the gate on its legal ground; care data only
where the director marked it with a reason, withheld records never; the parents' copy is the
document sent, byte for byte; their view is kept and shown to the school."""

from __future__ import annotations

import hashlib

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from admissions.constants import ReportStatus
from admissions.models import EducationReport
from admissions.services.okr import (
    ReportError,
    education_report_care_mark,
    education_report_copy_open_for,
    education_report_send,
    next_school_recipient_ensure,
)
from audit.constants import Action, DataKind
from audit.models import AccessEvent
from students.constants import WithholdStatus
from suppliers.constants import Basis, LegalGround, RecipientKind
from suppliers.gate import (
    CareRelease,
    DisclosureRefusedError,
    LegalRequest,
    disclose,
    disclosure_plan,
)
from suppliers.models import Disclosure, Recipient
from tests.test_permission_matrix import pdf_texts

from .okr_setup import SUMMARY, pupil_leave, report_prepared, report_sent

REASON = "Rekenkaart en extra tijd zijn nodig om in groep 4 mee te kunnen doen."


def _text(document: bytes) -> str:
    return "".join(pdf_texts(document))


def _squeezed(value: str) -> str:
    return "".join(value.split())


def _document(departure) -> bytes:
    with departure.report.document.open("rb") as handle:
        return handle.read()


def test_disclosure_is_recorded_with_ground_and_reason_when_the_report_is_sent(world):
    departure = report_sent(world, world.pupil3)
    report = departure.report
    disclosure = departure.education_report
    assert report.status == ReportStatus.SENT
    assert report.sent_by == world.users["administration"]
    assert disclosure.basis == Basis.LEGAL_OBLIGATION
    assert disclosure.legal_ground == LegalGround.EDUCATION_REPORT
    assert "OBS De Regenboog" in disclosure.legal_reason
    assert disclosure.legal_reference.startswith(f"OKR-{world.pupil3.pk}-")
    assert disclosure.recipient.kind == RecipientKind.NEXT_SCHOOL
    assert "OBS De Regenboog (56EF)" in disclosure.recipient_label
    assert list(disclosure.pupils.all()) == [world.pupil3]
    assert "progress" in disclosure.attributes
    assert "care_records" not in disclosure.attributes
    document = _document(departure)
    assert document.startswith(b"%PDF-")
    assert disclosure.file_checksum == hashlib.sha256(document).hexdigest()
    text = _text(document)
    assert _squeezed(SUMMARY) in text
    with translation.override("nl"):  # the document is in Dutch, whoever sends it
        title = _("Education report (onderwijskundig rapport)")
    assert _squeezed(title) in text
    # The care file stays home: nothing was marked.
    for record in world.care.values():
        assert _squeezed(record.content) not in text


def test_care_record_goes_only_when_the_director_marked_it_with_a_reason(world):
    teachers, team = world.care["teachers"], world.care["care_team"]
    departure = report_sent(world, world.pupil3, care={teachers: REASON})
    text = _text(_document(departure))
    assert _squeezed(teachers.content) in text
    assert _squeezed(REASON) in text
    assert _squeezed(team.content) not in text
    assert "care_records" in departure.education_report.attributes
    mark = departure.report.care_marks.get()
    assert (mark.care_record, mark.reason, mark.marked_by) == (
        teachers,
        REASON,
        world.users["director"],
    )


def test_marking_is_refused_without_a_reason_and_for_anyone_but_the_director(world):
    departure = report_prepared(world, world.pupil3)
    record = world.care["teachers"]
    with pytest.raises(ReportError):
        education_report_care_mark(
            user=world.users["director"], departure=departure, marks={record.pk: "  "}
        )
    for role in ("administration", "care_coordinator"):
        with pytest.raises(ReportError):
            education_report_care_mark(
                user=world.users[role], departure=departure, marks={record.pk: REASON}
            )
    assert not departure.report.care_marks.exists()


def test_withheld_record_is_never_marked(world):
    departure = report_prepared(world, world.pupil3)
    withheld = world.care["withheld"]
    with pytest.raises(ReportError):
        education_report_care_mark(
            user=world.users["director"], departure=departure, marks={withheld.pk: REASON}
        )
    assert not departure.report.care_marks.exists()


def test_record_withheld_after_marking_never_leaves(world):
    record = world.care["care_team"]
    departure = report_prepared(world, world.pupil3, care={record: REASON})
    record.withhold_status = WithholdStatus.REQUESTED
    record.withhold_reason = "Signaal, besluit directeur nodig"
    record.save(update_fields=["withhold_status", "withhold_reason"])
    education_report_send(user=world.users["director"], departure=departure)
    departure.refresh_from_db()
    text = _text(_document(departure))
    assert _squeezed(record.content) not in text
    assert _squeezed(REASON) not in text
    assert "care_records" not in departure.education_report.attributes


def _legal(world, records, *, ground=LegalGround.EDUCATION_REPORT, by="director"):
    return LegalRequest(
        ground=ground,
        reference="OKR-1",
        reason="Onderwijskundig rapport",
        student_ids=(world.pupil3.pk,),
        care_records=tuple(
            CareRelease(record_id=r.pk, reason=REASON, decided_by_id=world.users[by].pk)
            for r in records
        ),
    )


def test_gate_refuses_a_withheld_record_whatever_is_marked(world):
    recipient = next_school_recipient_ensure(board=world.school.board)
    with pytest.raises(DisclosureRefusedError):
        disclosure_plan(
            school=world.school,
            recipient=recipient,
            legal=_legal(world, [world.care["teachers"], world.care["withheld"]]),
        )


def test_gate_refuses_care_records_on_any_other_ground(world):
    duo = Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.DUO,
        name="DUO",
        legal_basis="WRO",
        attributes=["bsn"],
    )
    with pytest.raises(DisclosureRefusedError):
        disclosure_plan(
            school=world.school,
            recipient=duo,
            legal=_legal(world, [world.care["teachers"]], ground=LegalGround.BRON_REGISTRATION),
        )


def test_gate_refuses_care_records_not_marked_by_the_director(world):
    recipient = next_school_recipient_ensure(board=world.school.board)
    plan = disclosure_plan(
        school=world.school,
        recipient=recipient,
        legal=_legal(world, [world.care["teachers"]], by="administration"),
    )
    with pytest.raises(DisclosureRefusedError):
        disclose(actor=world.users["director"], plan=plan)


def test_gate_refuses_a_care_record_without_a_reason(world):
    recipient = next_school_recipient_ensure(board=world.school.board)
    legal = LegalRequest(
        ground=LegalGround.EDUCATION_REPORT,
        reference="OKR-1",
        reason="Onderwijskundig rapport",
        student_ids=(world.pupil3.pk,),
        care_records=(
            CareRelease(
                record_id=world.care["teachers"].pk,
                reason=" ",
                decided_by_id=world.users["director"].pk,
            ),
        ),
    )
    with pytest.raises(DisclosureRefusedError):
        disclosure_plan(school=world.school, recipient=recipient, legal=legal)


def test_sending_twice_is_refused(world):
    departure = report_sent(world, world.pupil3)
    with pytest.raises(ReportError):
        education_report_send(user=world.users["director"], departure=departure)
    assert Disclosure.objects.filter(legal_ground=LegalGround.EDUCATION_REPORT).count() == 1


def test_report_is_not_sent_without_a_new_school(world):
    departure = pupil_leave(world.pupil3, destination=None)
    EducationReport.objects.create(departure=departure)
    with pytest.raises(ReportError):
        education_report_send(user=world.users["administration"], departure=departure)
    assert not Disclosure.objects.filter(legal_ground=LegalGround.EDUCATION_REPORT).exists()


def test_guardians_with_authority_are_told_without_child_data(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report_sent(world, world.pupil3)
    assert [m.to for m in mail.outbox] == [[world.users["guardian"].email]]
    body = mail.outbox[0].body
    assert reverse("okr-parent", args=[world.pupil3.pk]) in body
    for value in (world.pupil3.given_name, world.pupil3.surname, "Regenboog", SUMMARY[:20]):
        assert value not in body
        assert value not in mail.outbox[0].subject


def test_parents_copy_is_byte_identical_to_what_was_sent(world):
    departure = report_sent(world, world.pupil3, care={world.care["teachers"]: REASON})
    client = Client()
    client.force_login(world.users["guardian"])
    response = client.get(reverse("okr-parent-download", args=[world.pupil3.pk]))
    assert response.status_code == 200
    assert response.content == _document(departure)
    assert hashlib.sha256(response.content).hexdigest() == (
        departure.education_report.file_checksum
    )
    assert AccessEvent.objects.filter(
        actor_id=world.users["guardian"].pk,
        object_type="education_report",
        action=Action.EXPORT,
        data_kind=DataKind.CARE,
        special_category=True,
    ).exists()


def test_parents_view_is_saved_audited_and_shown_to_the_school(world):
    departure = report_sent(world, world.pupil3)
    parent = Client(HTTP_ACCEPT_LANGUAGE="en")
    parent.cookies["django_language"] = "en"
    parent.force_login(world.users["guardian"])
    url = reverse("okr-parent", args=[world.pupil3.pk])
    view = "Thuis leest hij vooral strips;\r\nhij heeft meer tijd nodig bij rekenen."
    response = parent.post(url, {"text": view})
    assert response.status_code == 302
    departure.refresh_from_db()
    assert departure.parents_view == view.replace("\r\n", "\n")
    updates = AccessEvent.objects.filter(object_type="education_report", action=Action.UPDATE)
    count = updates.count()
    # Saved again unchanged: nothing is written.
    response = parent.post(url, {"text": view}, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert updates.count() == count
    school = Client()
    school.force_login(world.users["administration"])
    page = school.get(reverse("okr-edit", args=[world.pupil3.pk]))
    assert "Thuis leest hij vooral strips;" in page.content.decode()


def test_parent_without_authority_and_other_families_get_no_copy(world):
    report_sent(world, world.pupil3)
    limited = Client()
    limited.force_login(world.users["guardian_limited"])
    for name in ("okr-parent", "okr-parent-download"):
        assert limited.get(reverse(name, args=[world.pupil3.pk])).status_code == 403
    parent = Client()
    parent.force_login(world.users["guardian"])
    pupil_leave(world.pupil5)  # a leaving without a report sent: nothing to see
    for name in ("okr-parent", "okr-parent-download"):
        assert parent.get(reverse(name, args=[world.pupil5.pk])).status_code == 404


def test_administration_never_downloads_a_report_with_care_records(world):
    report_sent(world, world.pupil3, care={world.care["teachers"]: REASON})
    client = Client()
    client.force_login(world.users["administration"])
    url = reverse("okr-download", args=[world.pupil3.pk])
    assert client.get(url).status_code == 403
    client.force_login(world.users["director"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_send_page_refuses_without_confirmation_then_sends_once(world):
    report_prepared(world, world.pupil3)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(world.users["administration"])
    url = reverse("okr-send", args=[world.pupil3.pk])
    refused = client.post(url, {})
    assert refused.status_code == 303
    shown = client.get(refused["Location"])
    assert "Confirm that you have checked what leaves the school." in shown.content.decode()
    assert not Disclosure.objects.filter(legal_ground=LegalGround.EDUCATION_REPORT).exists()
    assert client.post(url, {"confirm": "on"}).status_code == 302
    again = client.post(url, {"confirm": "on"})
    assert again.status_code == 303
    assert "can no longer be changed" in client.get(again["Location"]).content.decode()
    assert Disclosure.objects.filter(legal_ground=LegalGround.EDUCATION_REPORT).count() == 1


def test_administration_page_never_shows_care_content(world):
    report_prepared(world, world.pupil3, care={world.care["teachers"]: REASON})
    client = Client()
    client.force_login(world.users["administration"])
    for name in ("okr-edit", "okr-send"):
        body = client.get(reverse(name, args=[world.pupil3.pk])).content.decode()
        for record in world.care.values():
            assert record.content not in body
        assert REASON not in body


def test_director_page_offers_no_withheld_record(world):
    pupil_leave(world.pupil3)
    client = Client()
    client.force_login(world.users["director"])
    body = client.get(reverse("okr-edit", args=[world.pupil3.pk])).content.decode()
    assert world.care["teachers"].content in body
    assert world.care["withheld"].content not in body
    assert f'name="mark_{world.care["withheld"].pk}"' not in body


def test_every_board_gets_one_next_school_recipient(world):
    from onboarding.services import school_provision

    school_provision(board=world.school.board, name=world.school.name, brin=world.school.brin)
    school_provision(board=world.school.board, name="OBS De Brug", brin="34CD")
    recipients = Recipient.objects.filter(board=world.school.board, kind=RecipientKind.NEXT_SCHOOL)
    assert recipients.count() == 1
    assert next_school_recipient_ensure(board=world.school.board) == recipients.get()


def test_retention_removes_the_report_and_its_document_with_the_pupil_file(
    world, django_capture_on_commit_callbacks
):
    from students import erasure

    departure = report_sent(world, world.pupil3, care={world.care["teachers"]: REASON})
    departure.parents_view = "Onze kijk op het rapport"
    departure.save(update_fields=["parents_view"])
    name = departure.report.document.name
    storage = departure.report.document.storage
    with django_capture_on_commit_callbacks(execute=True):
        counts = erasure.erase(
            category=erasure.PUPIL_FILE,
            students=[world.pupil3],
            action=erasure.DELETE,
            why=erasure.Why(),
        )
    assert counts[world.pupil3.pk]["education_report"] == 1
    assert not EducationReport.objects.filter(departure=departure).exists()
    assert not storage.exists(name)
    departure.refresh_from_db()
    assert departure.parents_view == ""
    # The evidence of what left stays.
    assert departure.education_report.file_checksum


def test_parents_copy_is_held_back_once_a_record_in_it_is_withheld(world):
    record = world.care["teachers"]
    departure = report_sent(world, world.pupil3, care={record: REASON})
    record.withhold_status = WithholdStatus.REQUESTED
    record.withhold_reason = "Signaal, besluit directeur nodig"
    record.save(update_fields=["withhold_status", "withhold_reason"])
    parent = Client()
    parent.cookies["django_language"] = "en"
    parent.force_login(world.users["guardian"])
    assert parent.get(reverse("okr-parent-download", args=[world.pupil3.pk])).status_code == 404
    page = parent.get(reverse("okr-parent", args=[world.pupil3.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert reverse("okr-parent-download", args=[world.pupil3.pk]) not in body
    assert "The copy of the report is not available." in body
    assert "director" in body
    with pytest.raises(ReportError):
        education_report_copy_open_for(user=world.users["guardian"], report=departure.report)
    school = Client()
    school.cookies["django_language"] = "en"
    school.force_login(world.users["director"])
    page = school.get(reverse("okr-edit", args=[world.pupil3.pk])).content.decode()
    assert "copy is held back" in page


def test_administration_never_downloads_the_results_it_does_not_read(world):
    report_sent(world, world.pupil3)  # results, no care records
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.users["administration"])
    assert client.get(reverse("okr-download", args=[world.pupil3.pk])).status_code == 403
    page = client.get(reverse("okr-edit", args=[world.pupil3.pk])).content.decode()
    assert reverse("okr-download", args=[world.pupil3.pk]) not in page
    client.force_login(world.users["director"])
    assert client.get(reverse("okr-download", args=[world.pupil3.pk])).status_code == 200
