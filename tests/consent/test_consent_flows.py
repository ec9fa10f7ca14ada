"""Consent end to end: guardians decide through the API and their page, the lock date, a
withdrawal that flags published items for takedown and tells the people involved, publishing
only with consent, the photo list, the dashboard, campaigns with reminders and new texts."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from freezegun import freeze_time

from audit.constants import DataKind, Outcome
from audit.models import AccessEvent
from consent.constants import Channel, Decision, PublicationStatus, Status
from consent.models import (
    CampaignReminder,
    ConsentCampaign,
    ConsentDecision,
    ConsentPurpose,
    Publication,
    PurposeVersion,
    Takedown,
)
from consent.selectors.status import current_school_year, purposes_active
from consent.services import (
    ConsentError,
    campaign_reminders_send,
    consent_record,
    publication_create,
    publication_publish,
)
from students.models import Student

from ..students.factories import GuardianFactory, StudentFactory, link_guardian


def _login(http, world, role):
    http.force_login(world.users[role])
    return http


def _purpose(world, code: str = "website", school=None) -> ConsentPurpose:
    return ConsentPurpose.objects.select_related("current_version").get(
        school=school or world.school, code=code
    )


def _consents_url(world, student=None) -> str:
    return reverse("api:student-consents", args=[(student or world.pupil3).pk])


def _item(items: list[dict], code: str) -> dict:
    (item,) = [i for i in items if i["purpose"]["code"] == code]
    return item


def _recipients() -> list[str]:
    return [address for message in mail.outbox for address in message.to]


def _second_guardian(world, email: str = "second-parent@home.example"):
    guardian = GuardianFactory.create(email=email)
    link_guardian(guardian, world.pupil3)
    return guardian


# --- the guardian API -------------------------------------------------------------------------


def test_guardian_api_lists_every_active_purpose_when_guardian_reads(world, api):
    _login(api, world, "guardian")
    response = api.get(_consents_url(world))
    assert response.status_code == 200
    items = response.json()
    active = purposes_active(world.school.pk)
    assert [i["purpose"]["id"] for i in items] == [p.pk for p in active]
    for item in items:
        assert {"purpose", "status", "my_decision", "history"} <= set(item)
        assert set(item["purpose"]) == {"id", "code", "title"}
    website = _item(items, "website")
    assert website["status"] == Status.GRANTED
    assert website["my_decision"] == Decision.GRANTED
    assert [h["decision"] for h in website["history"]] == [Decision.GRANTED]
    assert _item(items, "school_guide")["status"] == Status.UNKNOWN
    assert _item(items, "school_guide")["my_decision"] is None


def test_guardian_api_omits_purpose_when_it_is_inactive(world, api):
    ConsentPurpose.objects.filter(school=world.school, code="research").update(is_active=False)
    _login(api, world, "guardian")
    codes = [i["purpose"]["code"] for i in api.get(_consents_url(world)).json()]
    assert "research" not in codes
    assert len(codes) == len(purposes_active(world.school.pk))


@pytest.mark.parametrize("purpose_ref", ["code", "id"])
def test_withdrawal_shows_at_once_when_guardian_posts_by_code_or_id(world, api, purpose_ref):
    website = _purpose(world)
    _login(api, world, "guardian")
    reference = website.code if purpose_ref == "code" else website.pk
    response = api.post(
        _consents_url(world), {"purpose": reference, "decision": "withdrawn"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == Status.REFUSED
    item = _item(api.get(_consents_url(world)).json(), "website")
    assert item["status"] == Status.REFUSED
    assert item["my_decision"] == Decision.WITHDRAWN
    assert [h["decision"] for h in item["history"]] == [Decision.WITHDRAWN, Decision.GRANTED]
    row = ConsentDecision.objects.filter(student=world.pupil3).first()
    assert row.channel == Channel.PORTAL
    assert row.guardian_id == world.users["guardian"].guardian.pk
    assert row.recorded_by_id == world.users["guardian"].pk


def test_guardian_api_answers_404_with_one_denied_event_when_pupil_is_not_their_child(world, api):
    _login(api, world, "guardian")
    before = ConsentDecision.objects.count()
    response = api.post(
        _consents_url(world, world.pupil5),
        {"purpose": "website", "decision": "granted"},
        format="json",
    )
    assert response.status_code == 404
    (event,) = AccessEvent.objects.filter(outcome=Outcome.DENIED)
    assert event.data_kind == DataKind.CONSENT
    assert event.student_id == world.pupil5.pk
    assert event.actor_id == world.users["guardian"].pk
    assert ConsentDecision.objects.count() == before


def test_guardian_api_answers_403_when_guardian_has_no_parental_authority(world, api):
    _login(api, world, "guardian_limited")
    before = ConsentDecision.objects.count()
    response = api.post(
        _consents_url(world), {"purpose": "website", "decision": "refused"}, format="json"
    )
    assert response.status_code == 403
    (event,) = AccessEvent.objects.filter(outcome=Outcome.DENIED)
    assert event.data_kind == DataKind.CONSENT and event.student_id == world.pupil3.pk
    assert ConsentDecision.objects.count() == before


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"purpose": "website", "decision": "maybe"}, "decision"),
        ({"purpose": "website"}, "decision"),
        ({"purpose": "no_such_purpose", "decision": "granted"}, "purpose"),
        ({"purpose": "999999", "decision": "granted"}, "purpose"),
    ],
)
def test_guardian_api_answers_400_when_input_is_invalid(world, api, payload, field):
    _login(api, world, "guardian")
    before = ConsentDecision.objects.count()
    response = api.post(_consents_url(world), payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert ConsentDecision.objects.count() == before


def test_guardian_api_answers_400_when_purpose_belongs_to_another_school(world, api):
    _login(api, world, "guardian")
    other = _purpose(world, school=world.other_school)
    response = api.post(
        _consents_url(world), {"purpose": other.pk, "decision": "granted"}, format="json"
    )
    assert response.status_code == 400
    assert not ConsentDecision.objects.filter(student=world.pupil3, purpose=other).exists()


# --- the lock date ----------------------------------------------------------------------------


@pytest.fixture
def locked(world) -> ConsentCampaign:
    return ConsentCampaign.objects.create(
        school=world.school,
        school_year=current_school_year(),
        lock_after=timezone.localdate() - datetime.timedelta(days=1),
        started_by=world.users["director"],
    )


def test_grant_is_refused_with_409_when_guardian_gives_consent_after_the_lock_date(
    world, api, locked
):
    _login(api, world, "guardian")
    before = ConsentDecision.objects.count()
    response = api.post(
        _consents_url(world), {"purpose": "newsletter", "decision": "granted"}, format="json"
    )
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    with translation.override("nl"):
        assert date_format(locked.lock_after, "DATE_FORMAT") in detail
    assert ConsentDecision.objects.count() == before


def test_withdrawal_still_works_when_the_lock_date_has_passed(world, api, locked):
    _login(api, world, "guardian")
    response = api.post(
        _consents_url(world), {"purpose": "website", "decision": "withdrawn"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["status"] == Status.REFUSED


def test_grant_is_accepted_when_today_is_the_lock_date(world, api, locked):
    ConsentCampaign.objects.filter(pk=locked.pk).update(lock_after=timezone.localdate())
    _login(api, world, "guardian")
    response = api.post(
        _consents_url(world), {"purpose": "newsletter", "decision": "granted"}, format="json"
    )
    assert response.status_code == 201


def test_paper_form_is_recorded_when_administration_enters_it_after_the_lock_date(
    world, client, locked
):
    _login(client, world, "administration")
    guardian = world.users["guardian"].guardian
    newsletter = _purpose(world, "newsletter")
    response = client.post(
        reverse("student-consent", args=[world.pupil3.pk]),
        {"guardian": guardian.pk, "purpose": newsletter.pk, "decision": "granted"},
    )
    assert response.status_code == 302
    row = ConsentDecision.objects.get(student=world.pupil3, purpose=newsletter)
    assert (row.decision, row.channel, row.guardian_id, row.recorded_by_id) == (
        Decision.GRANTED,
        Channel.PAPER,
        guardian.pk,
        world.users["administration"].pk,
    )


def test_paper_form_is_refused_when_guardian_has_no_parental_authority(world, client):
    _login(client, world, "administration")
    limited = world.users["guardian_limited"].guardian
    response = client.post(
        reverse("student-consent", args=[world.pupil3.pk]),
        {"guardian": limited.pk, "purpose": _purpose(world).pk, "decision": "refused"},
    )
    assert response.status_code == 303  # back to the page, which shows why (kernel.prg)
    assert not ConsentDecision.objects.filter(guardian=limited).exists()


# --- withdrawal flags publications for takedown -----------------------------------------------


def _published(world, pupils=None, code: str = "website") -> Publication:
    publication = publication_create(
        user=world.users["director"],
        school=world.school,
        title="Schoolreisje",
        purpose=_purpose(world, code),
        publish_on=timezone.localdate(),
        pupils=pupils or [world.pupil3],
    )
    return publication_publish(user=world.users["director"], publication=publication, weighed=True)


def test_withdrawal_flags_takedown_and_emails_when_guardian_withdraws_on_the_page(
    world, client, django_capture_on_commit_callbacks
):
    publication = _published(world)
    assert publication.status == PublicationStatus.PUBLISHED
    second = _second_guardian(world)
    _login(client, world, "guardian")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("child-consent", args=[world.pupil3.pk]),
            {"purpose": _purpose(world).pk, "decision": "withdrawn"},
        )
    assert response.status_code == 302
    withdrawal = ConsentDecision.objects.filter(student=world.pupil3).first()
    assert withdrawal.decision == Decision.WITHDRAWN
    (takedown,) = Takedown.objects.filter(publication=publication, resolved_at__isnull=True)
    assert takedown.student_id == world.pupil3.pk
    assert takedown.decision_id == withdrawal.pk
    recipients = _recipients()
    assert "director@t.example" in recipients
    assert second.email in recipients
    assert "parent@t.example" not in recipients
    assert "parent-limited@t.example" not in recipients
    (choice_mail,) = [m for m in mail.outbox if second.email in m.to]
    assert world.pupil3.given_name not in choice_mail.body


def test_no_takedown_when_the_publication_is_only_a_draft(
    world, client, django_capture_on_commit_callbacks
):
    # A draft (not published) showing the pupil is not flagged by a withdrawal.
    draft = publication_create(
        user=world.users["director"],
        school=world.school,
        title="Concept",
        purpose=_purpose(world),
        publish_on=timezone.localdate(),
        pupils=[world.pupil3],
    )
    _login(client, world, "guardian")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("child-consent", args=[world.pupil3.pk]),
            {"purpose": _purpose(world).pk, "decision": "withdrawn"},
        )
    assert not Takedown.objects.filter(publication=draft).exists()
    assert "director@t.example" not in _recipients()


def test_no_takedown_when_the_refusal_is_for_another_purpose(
    world, client, django_capture_on_commit_callbacks
):
    publication = _published(world)
    _login(client, world, "guardian")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("child-consent", args=[world.pupil3.pk]),
            {"purpose": _purpose(world, "newsletter").pk, "decision": "refused"},
        )
    assert not Takedown.objects.filter(publication=publication).exists()
    assert "director@t.example" not in _recipients()


# --- publishing needs consent -----------------------------------------------------------------


def test_publication_publish_refuses_when_a_pupil_shown_has_no_consent(world):
    publication = publication_create(
        user=world.users["director"],
        school=world.school,
        title="Sportdag",
        purpose=_purpose(world),
        publish_on=timezone.localdate(),
        pupils=[world.pupil3, world.pupil5],
    )
    with pytest.raises(ConsentError):
        publication_publish(user=world.users["director"], publication=publication, weighed=True)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DRAFT
    assert publication.weighed_by is None


def test_publication_publish_refuses_when_not_weighed(world):
    publication = publication_create(
        user=world.users["director"],
        school=world.school,
        title="Sportdag",
        purpose=_purpose(world),
        publish_on=timezone.localdate(),
        pupils=[world.pupil3],
    )
    with pytest.raises(ConsentError):
        publication_publish(user=world.users["director"], publication=publication, weighed=False)
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DRAFT


def test_publication_page_answers_400_when_weighed_box_is_not_ticked(world, client):
    publication = world.publications["school"]
    _login(client, world, "director")
    url = reverse("consent-publication", args=[publication.pk])
    response = client.post(url, {})
    assert response.status_code == 400
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.DRAFT
    response = client.post(url, {"weighed": "on"})
    assert response.status_code == 302
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PUBLISHED
    assert publication.weighed_by_id == world.users["director"].pk


# --- the photo list ---------------------------------------------------------------------------


def _photo_status(client, world, code: str = "website") -> str:
    response = client.get(reverse("consent-photo-list", args=[world.group3.pk]))
    assert response.status_code == 200
    column = [p.code for p in response.context["purposes"]].index(code)
    (row,) = [r for r in response.context["rows"] if r["student"].pk == world.pupil3.pk]
    return row["statuses"][column]


def test_photo_list_marks_pupil_may_and_then_may_not_when_guardian_withdraws(world, client):
    _login(client, world, "teacher")
    assert _photo_status(client, world) == Status.GRANTED
    assert _photo_status(client, world, "newsletter") == Status.UNKNOWN
    consent_record(
        student=world.pupil3,
        purpose=_purpose(world),
        guardian_id=world.users["guardian"].guardian.pk,
        decision=Decision.WITHDRAWN,
        channel=Channel.PORTAL,
        recorded_by=world.users["guardian"],
    )
    assert _photo_status(client, world) == Status.REFUSED
    content = client.get(reverse("consent-photo-list", args=[world.group3.pk])).content.decode()
    assert "may-granted" not in content


def test_photo_list_answers_404_when_teacher_asks_another_group(world, client):
    _login(client, world, "teacher")
    response = client.get(reverse("consent-photo-list", args=[world.group5.pk]))
    assert response.status_code == 404


# --- the dashboard ----------------------------------------------------------------------------


def _dashboard(api, **params) -> dict:
    response = api.get(reverse("api:consent-dashboard"), params)
    assert response.status_code == 200
    return response.json()


def _cell(data: dict, group, code: str) -> dict:
    (group_data,) = [g for g in data["groups"] if g["id"] == group.pk]
    (cell,) = [p for p in group_data["purposes"] if p["code"] == code]
    return cell


def test_dashboard_counts_add_up_to_the_enrolled_pupils_when_director_reads(world, api):
    for _ in range(3):
        StudentFactory.create(group=world.group3)
    StudentFactory.create(withdrawn=True, school=world.school)
    _login(api, world, "director")
    data = _dashboard(api)
    assert data["school"]["id"] == world.school.pk
    assert {g["id"] for g in data["groups"]} == {world.group3.pk, world.group5.pk}
    for group in data["groups"]:
        enrolled = Student.objects.filter(group_id=group["id"], withdrawn_on__isnull=True).count()
        assert len(group["purposes"]) == len(purposes_active(world.school.pk))
        for cell in group["purposes"]:
            assert cell["granted"] + cell["refused"] + cell["unknown"] == enrolled, cell
    assert _cell(data, world.group3, "website")["granted"] == 1


def test_dashboard_moves_one_pupil_from_granted_to_refused_when_guardian_withdraws(world, api):
    _login(api, world, "director")
    before_data = _dashboard(api)
    before = _cell(before_data, world.group3, "website")
    _login(api, world, "guardian")
    response = api.post(
        _consents_url(world), {"purpose": "website", "decision": "withdrawn"}, format="json"
    )
    assert response.status_code == 201
    _login(api, world, "director")
    data = _dashboard(api)
    after = _cell(data, world.group3, "website")
    assert after["granted"] == before["granted"] - 1
    assert after["refused"] == before["refused"] + 1
    assert after["unknown"] == before["unknown"]
    assert _cell(data, world.group5, "website") == _cell(before_data, world.group5, "website")


def test_privacy_officer_reads_dashboard_when_school_is_in_the_board(world, api):
    _login(api, world, "privacy_officer")
    data = _dashboard(api, school=world.other_school.pk)
    assert data["school"]["id"] == world.other_school.pk
    assert {g["id"] for g in data["groups"]} == {world.other_group.pk}
    response = api.get(reverse("api:consent-dashboard"), {"school": world.foreign_school.pk})
    assert response.status_code == 404


def test_director_gets_404_when_asking_the_dashboard_of_another_school(world, api):
    _login(api, world, "director")
    response = api.get(reverse("api:consent-dashboard"), {"school": world.other_school.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["teacher", "guardian", "administration"])
def test_dashboard_answers_403_when_role_has_no_dashboard(world, api, role):
    _login(api, world, role)
    assert api.get(reverse("api:consent-dashboard")).status_code == 403


# --- campaigns and reminders ------------------------------------------------------------------


def test_campaign_invites_and_reminds_only_unanswered_guardians_when_director_starts_it(
    world, client, django_capture_on_commit_callbacks
):
    year = current_school_year()
    start = datetime.date(year, 9, 14)
    website = _purpose(world)
    with_authority = [_second_guardian(world, "second-parent@home.example")]
    # A guardian of pupil 5 who answers this school year, one who answered only last year.
    answering = GuardianFactory.create(email="answers@home.example")
    link_guardian(answering, world.pupil5)
    last_year = GuardianFactory.create(email="last-year@home.example")
    link_guardian(last_year, world.pupil5)
    ConsentDecision.objects.create(
        student=world.pupil5,
        purpose=website,
        version=website.current_version,
        guardian=last_year,
        decision=Decision.GRANTED,
        channel=Channel.PAPER,
        school_year=year - 1,
    )
    link_guardian(GuardianFactory.create(email=""), world.pupil5)  # no email: cannot be invited
    with_authority += [answering, last_year, world.users["guardian"].guardian]

    with freeze_time(f"{start.isoformat()} 09:00"):
        _login(client, world, "director")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("consent-campaigns"),
                {"school_year": year, "reminder_days": 7, "lock_after": ""},
            )
        assert response.status_code == 302
        campaign = ConsentCampaign.objects.get(school=world.school, school_year=year)
        assert campaign.invitations_sent_at is not None
        assert sorted(_recipients()) == sorted(g.email for g in with_authority)
        assert all(len(m.to) == 1 for m in mail.outbox)
        consent_record(
            student=world.pupil5,
            purpose=website,
            guardian_id=answering.pk,
            decision=Decision.REFUSED,
            channel=Channel.PORTAL,
            recorded_by=world.users["director"],
        )
    mail.outbox.clear()

    with freeze_time(f"{(start + datetime.timedelta(days=3)).isoformat()} 09:00"):
        assert campaign_reminders_send(today=start + datetime.timedelta(days=3)) == 0
    reminder_day = start + datetime.timedelta(days=7)
    with freeze_time(f"{reminder_day.isoformat()} 09:00"):
        # parent@t.example answered (the website grant), answers@ refused this year.
        assert campaign_reminders_send(today=reminder_day) == 2
        assert sorted(_recipients()) == ["last-year@home.example", "second-parent@home.example"]
        assert campaign_reminders_send(today=reminder_day) == 0
    assert len(mail.outbox) == 2
    assert CampaignReminder.objects.filter(campaign=campaign, day=reminder_day).count() == 2

    ConsentCampaign.objects.filter(pk=campaign.pk).update(
        lock_after=start + datetime.timedelta(days=10)
    )
    after_lock = start + datetime.timedelta(days=14)
    with freeze_time(f"{after_lock.isoformat()} 09:00"):
        assert campaign_reminders_send(today=after_lock) == 0
    assert len(mail.outbox) == 2


def test_campaign_is_refused_when_one_exists_for_the_school_year(world, client):
    year = current_school_year()
    ConsentCampaign.objects.create(
        school=world.school, school_year=year, started_by=world.users["director"]
    )
    _login(client, world, "director")
    response = client.post(
        reverse("consent-campaigns"), {"school_year": year, "reminder_days": 7, "lock_after": ""}
    )
    assert response.status_code == 303  # back to the page, which shows why (kernel.prg)
    assert ConsentCampaign.objects.filter(school=world.school).count() == 1


# --- purpose texts ----------------------------------------------------------------------------


def test_guardian_page_shows_the_new_text_when_director_changes_it(world, client):
    website = _purpose(world)
    _login(client, world, "director")
    response = client.post(
        reverse("consent-purpose-edit", args=[website.pk]),
        {
            "title_nl": "Beeld op de website",
            "title_en": "Images on the website",
            "text_nl": "Nieuwe tekst: ook video's van schoolreisjes op de website.",
            "text_en": "New text: videos of school trips on the website too.",
            "requires_new_consent": "on",
        },
    )
    assert response.status_code == 302
    version = PurposeVersion.objects.get(purpose=website, number=2)
    assert version.requires_new_consent
    website.refresh_from_db()
    assert website.current_version_id == version.pk
    _login(client, world, "guardian")
    response = client.get(reverse("child-consent", args=[world.pupil3.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Nieuwe tekst: ook video&#x27;s van schoolreisjes op de website." in content
    assert website.current_version.text_nl.startswith("Nieuwe tekst")
    (item,) = [i for i in response.context["consents"].items if i["purpose"].pk == website.pk]
    assert item["status"] == Status.UNKNOWN  # the earlier grant answered version 1


def test_purpose_edit_answers_404_when_director_edits_another_schools_purpose(world, client):
    _login(client, world, "director")
    other = _purpose(world, school=world.other_school)
    response = client.post(
        reverse("consent-purpose-edit", args=[other.pk]),
        {"title_nl": "x", "title_en": "x", "text_nl": "x", "text_en": "x"},
    )
    assert response.status_code == 404
    assert not PurposeVersion.objects.filter(purpose=other, number=2).exists()
