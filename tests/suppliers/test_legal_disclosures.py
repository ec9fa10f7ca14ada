"""Disclosures on a legal obligation (attendance officer, DUO, next school, Veilig Thuis, the
police): never the whole school, only named pupils within the caller's scope, each with its
legal ground, the reference of the request or report and a reason, all on the Disclosure
record. Guardians see such a disclosure about their own child, with the law in words, unless
the director withheld it from them; then it appears nowhere a guardian looks."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audit.constants import Outcome
from audit.models import AccessEvent
from students.selectors import access_log_entries
from suppliers.constants import (
    LEGAL_GROUND_RULES,
    LEGAL_RECIPIENT_KINDS,
    Basis,
    ExportStatus,
    LegalGround,
    RecipientKind,
)
from suppliers.gate import DisclosureRefusedError, LegalRequest, disclose, disclosure_plan
from suppliers.models import DisclosedPupil, Disclosure, Export, Recipient
from suppliers.services import export_build, export_request
from tests.students.factories import StudentFactory

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REFERENCE = "LPA-2025-0042"
REASON = "Zestien uur ongeoorloofd verzuim in vier weken"
VT_REFERENCE = "VT-2025-0117"
VT_REASON = "Stap 5 van de Meldcode na overleg"
VT_WITHHELD = "Informeren van de ouders brengt het kind in gevaar"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def officer(world) -> Recipient:
    return Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.ATTENDANCE_OFFICER,
        name="Leerplicht Gemeente Noord",
        legal_basis="Leerplichtwet",
        attributes=["first_name", "last_name", "address", "bsn", "guardian_name"],
    )


@pytest.fixture
def veilig_thuis(world) -> Recipient:
    return Recipient.objects.create(
        board=world.school.board,
        kind=RecipientKind.VEILIG_THUIS,
        name="Veilig Thuis Noord",
        legal_basis="Meldrecht",
        attributes=["first_name", "last_name", "address"],
    )


def _legal(
    *pupils, ground=LegalGround.ABSENCE_REPORT, withheld="", reference=REFERENCE, reason=REASON
):
    return LegalRequest(
        ground=ground,
        reference=reference,
        reason=reason,
        student_ids=tuple(p.pk for p in pupils),
        withheld_reason=withheld,
    )


def _send(world, recipient, legal, *, user="director") -> Export:
    export = export_request(
        user=world.users[user], school=world.school, format="csv", recipient=recipient, legal=legal
    )
    return export_build(export_id=export.pk)


def _withheld(world, veilig_thuis) -> Disclosure | None:
    """The director's Meldcode report about Tim, withheld from his guardians."""
    legal = _legal(
        world.pupil3,
        ground=LegalGround.MELDCODE,
        reference=VT_REFERENCE,
        reason=VT_REASON,
        withheld=VT_WITHHELD,
    )
    return _send(world, veilig_thuis, legal).disclosure


def _form(world, recipient, *pupils, **fields) -> dict:
    return {
        "school": world.school.pk,
        "recipient": recipient.pk,
        "ground": LegalGround.ABSENCE_REPORT,
        "pupils": [p.pk for p in pupils],
        "reference": REFERENCE,
        "reason": REASON,
        "format": "csv",
        **fields,
    }


def _queued() -> bool:
    """Whether any export to a recipient was asked for (the world holds supplier exports)."""
    return Export.objects.filter(recipient__isnull=False).exists()


def _rows(export: Export) -> list[list[str]]:
    with export.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8"))))


# -- no whole-school legal export ------------------------------------------------------------


def test_export_form_offers_no_legal_recipient_when_director_opens_exports(world, client, officer):
    client.force_login(world.users["director"])

    response = client.get(reverse("export-list"), {"school": world.school.pk})

    offered = {value for value, _label in response.context["form"].fields["target"].choices}
    for recipient in (officer, world.suppliers["recipient"]):  # attendance officer, DUO
        assert f"r{recipient.pk}" not in offered
    assert reverse("legal-disclosure-create") in response.content.decode()


@pytest.mark.parametrize("recipient", ["officer", "duo"])
def test_whole_school_refused_and_nothing_queued_when_export_page_names_legal_recipient(
    world, client, officer, recipient
):
    target = officer if recipient == "officer" else world.suppliers["recipient"]
    client.force_login(world.users["director"])

    response = client.post(
        reverse("export-list"),
        {"school": world.school.pk, "target": f"r{target.pk}", "format": "csv"},
    )

    assert response.status_code == 303  # back to the form, which shows why (kernel.prg)
    assert not Export.objects.filter(recipient=target).exists()


@pytest.mark.parametrize("recipient", ["officer", "duo"])
def test_api_refuses_whole_school_when_legal_recipient_named_without_pupils(
    world, api, officer, recipient
):
    target = officer if recipient == "officer" else world.suppliers["recipient"]
    ground = LegalGround.ABSENCE_REPORT if recipient == "officer" else LegalGround.BRON_REGISTRATION
    api.force_login(world.users["director"])

    response = api.post(
        reverse("api:export-create"),
        {
            "recipient": target.pk,
            "format": "csv",
            "ground": ground,
            "reference": REFERENCE,
            "reason": REASON,
        },
        format="json",
        **EN,
    )

    assert response.status_code == 400
    assert "per pupil" in response.json()["detail"]
    assert not _queued()
    assert not Disclosure.objects.filter(recipient__isnull=False).exists()


def test_gate_refuses_legal_recipient_without_ground_pupils_reference_or_reason(world, officer):
    full = _legal(world.pupil3)
    missing = {
        "nothing": None,
        "pupils": _legal(),
        "reference": _legal(world.pupil3, reference=" "),
        "reason": _legal(world.pupil3, reason=""),
        "ground": _legal(world.pupil3, ground="unrecorded"),
        "wrong ground": _legal(world.pupil3, ground=LegalGround.BRON_REGISTRATION),
    }

    for name, legal in missing.items():
        with pytest.raises(DisclosureRefusedError):
            disclosure_plan(school=world.school, recipient=officer, legal=legal)
        assert name  # each case refused
    plan = disclosure_plan(school=world.school, recipient=officer, legal=full)
    assert plan.basis == Basis.LEGAL_OBLIGATION
    assert plan.legal == full


def test_no_ground_allows_the_whole_school():
    # If a law ever asks for the whole school, its rule names that law; none does today.
    assert all(rule.whole_school_law is None for rule in LEGAL_GROUND_RULES.values())
    covered = {kind for rule in LEGAL_GROUND_RULES.values() for kind in rule.recipients}
    assert covered == LEGAL_RECIPIENT_KINDS


def test_gate_sends_only_the_named_pupils_when_passing_a_legal_plan(world, officer):
    absent = StudentFactory.create(group=world.group3)
    plan = disclosure_plan(school=world.school, recipient=officer, legal=_legal(absent))

    run = disclose(actor=world.users["director"], plan=plan)
    rows = list(run.rows())

    assert run.disclosed_ids == [absent.pk]
    assert len(rows) == 1


def test_gate_refuses_a_pupil_of_another_school_in_the_list(world, officer):
    plan = disclosure_plan(
        school=world.school, recipient=officer, legal=_legal(world.pupil3, world.other_pupil)
    )

    with pytest.raises(DisclosureRefusedError):
        list(disclose(actor=world.users["director"], plan=plan).rows())


# -- the page --------------------------------------------------------------------------------


def test_record_holds_pupils_ground_reference_reason_when_director_uses_the_page(
    world, client, officer, django_capture_on_commit_callbacks
):
    client.force_login(world.users["director"])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("legal-disclosure-create"), _form(world, officer, world.pupil3, world.pupil5)
        )

    export = Export.objects.get(recipient=officer)
    assert response.status_code == 302
    assert response.url == reverse("export-detail", args=[export.pk])
    assert export.status == ExportStatus.DONE
    disclosure = export.disclosure
    assert disclosure.basis == Basis.LEGAL_OBLIGATION
    assert disclosure.legal_ground == LegalGround.ABSENCE_REPORT
    assert disclosure.legal_reference == REFERENCE
    assert disclosure.legal_reason == REASON
    assert disclosure.withheld_from_guardians is False
    assert disclosure.withheld_reason == ""
    assert disclosure.created_by == world.users["director"]
    assert sorted(
        DisclosedPupil.objects.filter(disclosure=disclosure).values_list("student_id", flat=True)
    ) == sorted([world.pupil3.pk, world.pupil5.pk])
    assert disclosure.pupil_count == 2
    assert len(_rows(export)) == 3  # the header and the two pupils, not the school
    detail = client.get(reverse("export-detail", args=[export.pk]), **EN).content.decode()
    assert REFERENCE in detail
    assert REASON in detail


def test_page_offers_only_the_schools_pupils_in_scope_and_the_laws_recipients(
    world, client, officer
):
    client.force_login(world.users["administration"])

    response = client.get(reverse("legal-disclosure-create"), {"school": world.school.pk}, **EN)

    form = response.context["form"]
    offered = {pk for _group, options in form.fields["pupils"].choices for pk, _n in options}
    assert offered == {world.pupil3.pk, world.pupil5.pk}
    recipients = {pk for pk, _label in form.fields["recipient"].choices if pk}
    assert recipients == {officer.pk, world.suppliers["recipient"].pk}
    assert "withhold" not in form.fields
    assert str(LegalGround.ABSENCE_REPORT.label) in response.content.decode()


@pytest.mark.parametrize("missing", ["reason", "reference"])
def test_page_keeps_typed_input_when_reason_or_reference_missing(world, client, officer, missing):
    client.force_login(world.users["administration"])
    data = _form(world, officer, world.pupil5, **{missing: ""})

    response = client.post(reverse("legal-disclosure-create"), data, follow=True, **EN)

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    form = response.context["form"]
    assert list(form.errors) == [missing]
    kept = "reference" if missing == "reason" else "reason"
    assert form[kept].value() == data[kept]
    assert [int(pk) for pk in form["pupils"].value()] == [world.pupil5.pk]
    html = response.content.decode()
    assert f'id="id_{missing}_error"' in html
    assert data[kept] in html
    assert not _queued()


def test_page_requires_a_pupil_when_none_chosen(world, client, officer):
    client.force_login(world.users["director"])

    response = client.post(
        reverse("legal-disclosure-create"), _form(world, officer), follow=True, **EN
    )

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    assert "pupils" in response.context["form"].errors
    assert response.context["form"]["reason"].value() == REASON
    assert not _queued()


def test_page_refuses_a_ground_that_does_not_fit_the_recipient(world, client, officer):
    client.force_login(world.users["director"])
    data = _form(world, officer, world.pupil3, ground=LegalGround.BRON_REGISTRATION)

    response = client.post(reverse("legal-disclosure-create"), data, follow=True, **EN)

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    assert "ground" in response.context["form"].errors
    assert not _queued()


@pytest.mark.parametrize("pupil", ["other_pupil", "foreign_pupil"])
def test_out_of_scope_pupil_refused_when_named_on_page_or_api(world, client, api, officer, pupil):
    outside = getattr(world, pupil)
    client.force_login(world.users["director"])
    api.force_login(world.users["director"])

    page = client.post(
        reverse("legal-disclosure-create"), _form(world, officer, world.pupil3, outside)
    )
    by_api = api.post(
        reverse("api:export-create"),
        {
            "recipient": officer.pk,
            "format": "csv",
            "students": [world.pupil3.pk, outside.pk],
            "ground": LegalGround.ABSENCE_REPORT,
            "reference": REFERENCE,
            "reason": REASON,
        },
        format="json",
    )

    assert page.status_code == by_api.status_code == 404
    assert not _queued()
    for response in (page, by_api):
        assert AccessEvent.objects.filter(
            request_id=response["X-Request-ID"],
            outcome=Outcome.DENIED,
            object_type="student",
            object_id=str(outside.pk),
        ).exists()


def test_teacher_and_guardian_cannot_open_the_page(world, client):
    for role in ("teacher", "care_coordinator", "guardian", "privacy_officer"):
        client.force_login(world.users[role])
        assert client.get(reverse("legal-disclosure-create")).status_code == 403, role


# -- withholding from guardians: the director only -------------------------------------------


def test_director_withholds_a_meldcode_report_with_its_reason_on_the_page(
    world, client, veilig_thuis, django_capture_on_commit_callbacks
):
    client.force_login(world.users["director"])
    data = _form(
        world,
        veilig_thuis,
        world.pupil3,
        ground=LegalGround.MELDCODE,
        reference=VT_REFERENCE,
        reason=VT_REASON,
        withhold="on",
        withhold_reason=VT_WITHHELD,
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("legal-disclosure-create"), data)

    assert response.status_code == 302
    disclosure = Export.objects.get(recipient=veilig_thuis).disclosure
    assert disclosure.legal_ground == LegalGround.MELDCODE
    assert disclosure.withheld_from_guardians is True
    assert disclosure.withheld_reason == VT_WITHHELD


def test_only_the_director_may_withhold_in_the_service(world, veilig_thuis):
    legal = _legal(world.pupil3, ground=LegalGround.MELDCODE, withheld=VT_WITHHELD)

    with pytest.raises(DisclosureRefusedError):
        _send(world, veilig_thuis, legal, user="administration")

    assert not _queued()
    assert _send(world, veilig_thuis, legal).disclosure.withheld_from_guardians is True


def test_administration_gets_403_when_sending_a_withholding_by_page_or_api(
    world, client, api, veilig_thuis
):
    client.force_login(world.users["administration"])
    api.force_login(world.users["administration"])

    page = client.post(
        reverse("legal-disclosure-create"),
        _form(
            world,
            veilig_thuis,
            world.pupil3,
            ground=LegalGround.MELDCODE,
            withhold="on",
            withhold_reason=VT_WITHHELD,
        ),
    )
    by_api = api.post(
        reverse("api:export-create"),
        {
            "recipient": veilig_thuis.pk,
            "format": "csv",
            "students": [world.pupil3.pk],
            "ground": LegalGround.MELDCODE,
            "reference": VT_REFERENCE,
            "reason": VT_REASON,
            "withhold_reason": VT_WITHHELD,
        },
        format="json",
    )

    assert page.status_code == by_api.status_code == 403
    assert not _queued()


@pytest.mark.parametrize(
    ("ground", "reason", "field"),
    [
        (LegalGround.ABSENCE_REPORT, VT_WITHHELD, "withhold"),  # the law gives no ground
        (LegalGround.MELDCODE, "", "withhold_reason"),  # no reason given
    ],
)
def test_withholding_refused_on_the_page_without_ground_or_reason(
    world, client, officer, veilig_thuis, ground, reason, field
):
    recipient = officer if ground == LegalGround.ABSENCE_REPORT else veilig_thuis
    client.force_login(world.users["director"])
    data = _form(
        world, recipient, world.pupil3, ground=ground, withhold="on", withhold_reason=reason
    )

    response = client.post(reverse("legal-disclosure-create"), data, follow=True, **EN)

    assert response.redirect_chain[0][1] == 303  # post/redirect/get: a refresh sends nothing
    assert field in response.context["form"].errors
    assert not _queued()


def test_gate_refuses_withholding_on_a_ground_that_does_not_allow_it(world, officer):
    with pytest.raises(DisclosureRefusedError):
        disclosure_plan(
            school=world.school, recipient=officer, legal=_legal(world.pupil3, withheld="Geheim")
        )


# -- what the guardians see ------------------------------------------------------------------


def test_guardian_sees_legal_disclosure_about_own_child_with_the_law_in_words(
    world, client, api, officer
):
    _send(world, officer, _legal(world.pupil3))
    _send(world, officer, _legal(world.pupil5, reference="ANDER-KIND"))  # another family's
    client.force_login(world.users["guardian"])
    api.force_login(world.users["guardian"])

    page = client.get(reverse("child-recipients", args=[world.pupil3.pk]), **EN)
    data = api.get(reverse("api:student-recipients", args=[world.pupil3.pk]), **EN).json()

    html = page.content.decode()
    with translation.override("en"):
        ground = str(LegalGround.ABSENCE_REPORT.label)
        bsn = "BSN or education number"
    assert ground in html
    assert "Leerplicht Gemeente Noord" in html
    assert bsn in html  # what data, in words
    assert "guardian_name" not in html  # never a code
    [sent] = data["disclosures"]
    assert sent["recipient"] == "Leerplicht Gemeente Noord"
    assert sent["legal_ground"] == ground
    assert bsn in sent["data"]
    assert sent["created_at"]


def test_withheld_disclosure_appears_nowhere_on_the_guardians_page_api_or_access_log(
    world, client, api, officer, veilig_thuis
):
    _send(world, officer, _legal(world.pupil3))  # one they do see
    log_before = access_log_entries(student=world.pupil3, for_guardians=True)
    withheld = _withheld(world, veilig_thuis)
    assert withheld.withheld_from_guardians
    with translation.override("en"):
        meldcode = str(LegalGround.MELDCODE.label)
    hidden = (VT_REFERENCE, VT_REASON, VT_WITHHELD, meldcode)

    for role in ("guardian", "guardian_limited"):
        client.force_login(world.users[role])
        api.force_login(world.users[role])
        page = client.get(reverse("child-recipients", args=[world.pupil3.pk]), **EN)
        response = api.get(reverse("api:student-recipients", args=[world.pupil3.pk]), **EN)

        html = page.content.decode()
        body = response.content.decode()
        for word in hidden:
            assert word not in html, (role, word)
            assert word not in body, (role, word)
        assert [d["recipient"] for d in response.json()["disclosures"]] == [
            "Leerplicht Gemeente Noord"
        ]
    assert access_log_entries(student=world.pupil3, for_guardians=True) == log_before


def test_register_shows_the_withholding_to_the_director(world, client, veilig_thuis):
    _withheld(world, veilig_thuis)
    client.force_login(world.users["director"])

    html = client.get(reverse("disclosure-list"), **EN).content.decode()

    for word in (VT_REFERENCE, VT_REASON, VT_WITHHELD, "Withheld from the guardians"):
        assert word in html


def test_register_csv_carries_ground_reference_reason_and_withholding(world, client, veilig_thuis):
    disclosure = _withheld(world, veilig_thuis)
    client.force_login(world.users["director"])

    response = client.get(reverse("disclosure-export"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    [row] = [r for r in csv.DictReader(io.StringIO(text)) if r["id"] == str(disclosure.pk)]
    assert row["legal_ground"] == LegalGround.MELDCODE
    assert row["legal_reference"] == VT_REFERENCE
    assert row["legal_reason"] == VT_REASON
    assert row["withheld_from_guardians"] == "True"
    assert row["withheld_reason"] == VT_WITHHELD


# -- existing disclosures --------------------------------------------------------------------

BEFORE = [("suppliers", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_migration_marks_earlier_legal_disclosures_as_sent_without_a_recorded_ground():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    board = old.get_model("students", "Board").objects.create(name="Bestuur M")
    school = old.get_model("students", "School").objects.create(
        board=board, name="School M", brin="99MM"
    )
    recipient = old.get_model("suppliers", "Recipient").objects.create(
        board=board, kind="duo", name="DUO", legal_basis="WPO", attributes=["bsn"]
    )
    made = old.get_model("suppliers", "Disclosure").objects
    legal = made.create(
        school=school, basis="legal_obligation", recipient=recipient, recipient_label="DUO"
    )
    board_row = made.create(
        school=school, basis="same_controller", recipient=recipient, recipient_label="Bestuur"
    )

    executor.loader.build_graph()
    executor.migrate(latest)

    migrated = Disclosure.objects.get(pk=legal.pk)
    assert migrated.legal_ground == LegalGround.UNRECORDED
    assert migrated.withheld_from_guardians is False
    assert Disclosure.objects.get(pk=board_row.pk).legal_ground == ""


# -- query counts ----------------------------------------------------------------------------


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_guardians_page_queries_same_when_one_or_thirty_legal_disclosures(world, client, officer):
    client.force_login(world.users["guardian"])
    url = reverse("child-recipients", args=[world.pupil3.pk])
    _send(world, officer, _legal(world.pupil3))
    one = _queries(client, url)
    for index in range(29):
        _send(world, officer, _legal(world.pupil3, reference=f"LPA-{index}"))

    thirty = _queries(client, url)

    assert one == thirty


def test_form_queries_same_when_one_or_fifty_pupils_offered(world, client, officer):
    client.force_login(world.users["director"])
    url = reverse("legal-disclosure-create")
    params = {"school": world.school.pk}
    one = _queries(client, url, params)
    for index in range(48):
        StudentFactory.create(group=world.group3 if index % 2 else world.group5)

    fifty = _queries(client, url, params)

    assert one == fifty
