"""Staff invitations: the director invites a colleague with roles and groups of her school; the
link works once, for a week, until it is replaced or revoked; accepting it creates the account
with exactly those roles and groups. Never a director or a privacy officer, never a group of
another school, never another school's invitation."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from freezegun import freeze_time

from accounts.constants import Role
from accounts.models import User
from audit.models import AccessEvent
from students.models import GroupTeacher, StaffInvitation
from students.selectors import students_visible_to
from students.services.staff_invitations import (
    StaffInvitationError,
    staff_invitation_accept,
    staff_invitation_create,
    staff_invitation_for_token,
    staff_invitation_resend,
    staff_invitation_revoke,
)

from .factories import GroupFactory, make_staff

NEW_PASSWORD = "herfst-bladeren-73"
LINK = re.compile(r"https?://[^\s]+/accounts/staff-invitation/([^/\s]+)/")


def _form(world, **overrides) -> dict:
    data = {
        "school": world.school.pk,
        "full_name": "Sanne de Wit",
        "email": " Sanne.de.Wit@School.example ",
        "roles": ["teacher"],
        "groups": [world.group3.pk],
    }
    data.update(overrides)
    return data


def _director(world) -> Client:
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(world.users["director"])
    return client


def _token_of(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _invite(world, capture, **kwargs):
    """An invitation by the school's director through the service, and its link's token."""
    details = {
        "email": "sanne.de.wit@school.example",
        "full_name": "Sanne de Wit",
        "roles": [Role.TEACHER],
        "groups": [world.group3],
        **kwargs,
    }
    with capture(execute=True):
        invitation = staff_invitation_create(
            user=world.users["director"], school=world.school, **details
        )
    return invitation, _token_of(mail.outbox[-1])


def test_director_invites_a_teacher_who_activates_her_account(
    world, django_capture_on_commit_callbacks
):
    director = _director(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(reverse("accounts:staff-invitation-create"), _form(world))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff"))
    invitation = StaffInvitation.objects.get()
    assert (invitation.email, invitation.roles) == ("sanne.de.wit@school.example", ["teacher"])
    assert list(invitation.groups.all()) == [world.group3]
    (message,) = mail.outbox
    assert message.to == ["sanne.de.wit@school.example"]
    token = _token_of(message)
    # Only the hash is kept: the token is in no column of the invitation.
    row = StaffInvitation.objects.filter(pk=invitation.pk).values().get()
    assert token not in str(row)
    page = director.get(reverse("accounts:staff")).content.decode()
    assert "Invitations not yet accepted" in page and "Sanne de Wit" in page
    assert "waiting for the colleague" in page

    colleague = Client()
    colleague.cookies["django_language"] = "en"
    link = reverse("accounts:staff-invitation", args=[token])
    shown = colleague.get(link)
    assert shown.status_code == 200
    assert "OBS Samen Een" in shown.content.decode() and "Teacher" in shown.content.decode()
    accepted = colleague.post(
        link, {"name": "Sanne  de Wit", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert accepted.status_code == 302
    user = User.objects.get(email="sanne.de.wit@school.example")
    assert colleague.session["_auth_user_id"] == str(user.pk)
    assert user.full_name == "Sanne de Wit"
    assert user.role_names == {Role.TEACHER}
    assert GroupTeacher.objects.filter(teacher=user, group=world.group3).exists()
    assert set(students_visible_to(user)) == {world.pupil3}
    invitation.refresh_from_db()
    assert invitation.status == "accepted" and invitation.account == user
    events = AccessEvent.objects.filter(object_type="staff_invitation", object_id=invitation.pk)
    assert events.count() == 2  # sent, accepted
    # She logs in again later with her password.
    again = Client()
    assert (
        again.post(
            reverse("accounts:login"), {"email": user.email, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )
    assert again.session["_auth_user_id"] == str(user.pk)
    # The director's list no longer shows her; the accounts do.
    page = director.get(reverse("accounts:staff")).content.decode()
    assert "Every invitation has been accepted." in page


def test_administration_and_care_coordinator_get_their_school_roles(
    world, django_capture_on_commit_callbacks
):
    _invitation, token = _invite(
        world,
        django_capture_on_commit_callbacks,
        roles=[Role.ADMINISTRATION, Role.CARE_COORDINATOR],
        groups=[],
    )

    user = staff_invitation_accept(token=token, password=NEW_PASSWORD)

    assert user.role_names == {Role.ADMINISTRATION, Role.CARE_COORDINATOR}
    assert user.has_perm("students.manage_school_pupils", world.school)
    assert not user.has_perm("students.manage_school_staff", world.school)
    assert not user.has_perm("students.manage_school_pupils", world.other_school)


@override_settings(MFA_REQUIRED=True)
def test_new_staff_account_sets_up_the_second_login_step_first(
    world, django_capture_on_commit_callbacks
):
    _invitation, token = _invite(world, django_capture_on_commit_callbacks)
    assert "authenticator" in mail.outbox[-1].body
    colleague = Client()
    link = reverse("accounts:staff-invitation", args=[token])

    accepted = colleague.post(
        link, {"name": "Sanne de Wit", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    home = colleague.get(accepted["Location"])

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:mfa-setup"))
    assert colleague.get(home["Location"]).status_code == 200


def test_mail_carries_the_link_and_nothing_else_sensitive(
    world, django_capture_on_commit_callbacks
):
    invitation, token = _invite(world, django_capture_on_commit_callbacks)
    (message,) = mail.outbox

    link = f"http://127.0.0.1:8000/accounts/staff-invitation/{token}/"
    assert link in message.body or f"/accounts/staff-invitation/{token}/" in message.body
    assert "OBS Samen Een" in message.subject
    assert "Leerkracht" in message.body  # in the school's language, the role in words
    assert invitation.token_hash not in message.body
    for pupil in (world.pupil3, world.pupil5):
        assert pupil.surname not in message.body
    assert world.group3.name not in message.body  # no groups (hence no pupils) by e-mail
    assert world.users["director"].email not in message.body


def test_token_is_not_in_the_queued_task_description(world, django_capture_on_commit_callbacks):
    from students.tasks import staff_invitation_mail_task

    with (
        mock.patch.object(staff_invitation_mail_task, "apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        staff_invitation_create(
            user=world.users["director"],
            school=world.school,
            email="sanne@school.example",
            full_name="Sanne",
            roles=[Role.ADMINISTRATION],
        )

    call = queued.call_args.kwargs
    token = call["kwargs"]["token"]
    assert token not in call["argsrepr"] + call["kwargsrepr"]
    assert not AccessEvent.objects.filter(object_id__contains=token[:10]).exists()


def test_link_works_once(world, django_capture_on_commit_callbacks):
    _invitation, token = _invite(world, django_capture_on_commit_callbacks)
    staff_invitation_accept(token=token, password=NEW_PASSWORD)

    with translation.override("en"), pytest.raises(StaffInvitationError) as refused:
        staff_invitation_accept(token=token, password="ander-wachtwoord-99")

    assert "already been used" in str(refused.value.message)
    assert User.objects.filter(email="sanne.de.wit@school.example").count() == 1
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:staff-invitation", args=[token]))
    assert page.status_code == 404
    assert "already been used" in page.content.decode()


def test_link_expires_after_seven_days(world, django_capture_on_commit_callbacks):
    start = timezone.now()
    with freeze_time(start):
        _invitation, token = _invite(world, django_capture_on_commit_callbacks)
    with freeze_time(start + datetime.timedelta(days=7, minutes=-1)):
        assert staff_invitation_for_token(token) is not None
    with (
        freeze_time(start + datetime.timedelta(days=7, minutes=1)),
        translation.override("en"),
        pytest.raises(StaffInvitationError) as refused,
    ):
        staff_invitation_accept(token=token, password=NEW_PASSWORD)
    assert "expired" in str(refused.value.message)
    assert not User.objects.filter(email="sanne.de.wit@school.example").exists()


def test_revoked_link_no_longer_works(world, django_capture_on_commit_callbacks):
    invitation, token = _invite(world, django_capture_on_commit_callbacks)
    director = _director(world)

    response = director.post(reverse("accounts:staff-invitation-revoke", args=[invitation.pk]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    client = Client()
    client.cookies["django_language"] = "en"
    page = client.get(reverse("accounts:staff-invitation", args=[token]))
    assert page.status_code == 404
    assert "withdrawn" in page.content.decode()
    posted = client.post(
        reverse("accounts:staff-invitation", args=[token]),
        {"name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert posted.status_code == 404
    assert not User.objects.filter(email=invitation.email).exists()


def test_resend_gives_a_new_link_and_a_new_week_and_voids_the_old(
    world, django_capture_on_commit_callbacks
):
    start = timezone.now()
    with freeze_time(start):
        invitation, old = _invite(world, django_capture_on_commit_callbacks)
    with freeze_time(start + datetime.timedelta(days=10)):
        assert invitation.__class__.objects.get(pk=invitation.pk).status == "expired"
        director = _director(world)
        with django_capture_on_commit_callbacks(execute=True):
            response = director.post(
                reverse("accounts:staff-invitation-resend", args=[invitation.pk])
            )
        assert response.status_code == 302
        new = _token_of(mail.outbox[-1])
        assert new != old
        assert staff_invitation_for_token(old) is None
        invitation.refresh_from_db()
        assert invitation.expires_at == timezone.now() + datetime.timedelta(days=7)
        user = staff_invitation_accept(token=new, password=NEW_PASSWORD)
    assert user.email == invitation.email


@pytest.mark.parametrize("role", ["director", "privacy_officer", "guardian"])
def test_director_cannot_invite_a_director_or_privacy_officer_even_by_a_crafted_post(
    world, django_capture_on_commit_callbacks, role
):
    director = _director(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            reverse("accounts:staff-invitation-create"), _form(world, roles=[role], groups=[])
        )
    shown = director.get(response["Location"])

    assert response.status_code == 303
    assert not StaffInvitation.objects.exists() and not mail.outbox
    assert 'id="id_roles_error"' in shown.content.decode()
    assert 'value="Sanne de Wit"' in shown.content.decode()  # what she typed is kept
    # The service refuses it too, whoever calls it.
    with pytest.raises(StaffInvitationError) as refused:
        staff_invitation_create(
            user=world.users["director"],
            school=world.school,
            email="x@school.example",
            full_name="X",
            roles=[role],
        )
    assert "roles" in refused.value.field_errors


def test_groups_only_of_her_school(world, django_capture_on_commit_callbacks):
    director = _director(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = director.post(
            reverse("accounts:staff-invitation-create"),
            _form(world, groups=[world.other_group.pk]),
        )
    shown = director.get(response["Location"]).content.decode()

    assert response.status_code == 303
    assert not StaffInvitation.objects.exists() and not mail.outbox
    assert 'id="id_groups_error"' in shown
    with pytest.raises(StaffInvitationError) as refused:
        staff_invitation_create(
            user=world.users["director"],
            school=world.school,
            email="x@school.example",
            full_name="X",
            roles=[Role.TEACHER],
            groups=[world.other_group],
        )
    assert "groups" in refused.value.field_errors
    # A group of a past school year neither.
    old = GroupFactory.create(school=world.school, school_year=world.group3.school_year - 1)
    with pytest.raises(StaffInvitationError):
        staff_invitation_create(
            user=world.users["director"],
            school=world.school,
            email="x@school.example",
            full_name="X",
            roles=[Role.TEACHER],
            groups=[old],
        )


def test_groups_go_with_the_teacher_role(world):
    def invite(roles, groups):
        with pytest.raises(StaffInvitationError) as refused:
            staff_invitation_create(
                user=world.users["director"],
                school=world.school,
                email="x@school.example",
                full_name="X",
                roles=roles,
                groups=groups,
            )
        return refused.value.field_errors

    assert "groups" in invite([Role.TEACHER], [])
    assert "groups" in invite([Role.ADMINISTRATION], [world.group3])
    assert "roles" in invite([], [])


def test_address_with_an_account_or_an_open_invitation_is_refused(
    world, django_capture_on_commit_callbacks
):
    director = _director(world)
    taken = _form(world, email=world.users["teacher"].email.upper())
    response = director.post(reverse("accounts:staff-invitation-create"), taken)
    shown = director.get(response["Location"]).content.decode()
    assert "already an account with this email address" in shown
    assert 'id="id_email_error"' in shown

    _invite(world, django_capture_on_commit_callbacks)
    with translation.override("en"), pytest.raises(StaffInvitationError) as refused:
        staff_invitation_create(
            user=world.users["director"],
            school=world.school,
            email="SANNE.de.wit@school.example",
            full_name="Sanne",
            roles=[Role.ADMINISTRATION],
        )
    assert "send that one again" in str(refused.value.field_errors["email"][0])
    assert StaffInvitation.objects.count() == 1


def test_another_schools_director_cannot_resend_or_revoke(
    world, django_capture_on_commit_callbacks
):
    other_director = make_staff(Role.DIRECTOR, school=world.other_school, email="dir2@t.example")
    with django_capture_on_commit_callbacks(execute=True):
        invitation = staff_invitation_create(
            user=other_director,
            school=world.other_school,
            email="new@brug.example",
            full_name="Nieuw",
            roles=[Role.TEACHER],
            groups=[world.other_group],
        )
    mail.outbox.clear()
    director = _director(world)

    for name in ("accounts:staff-invitation-resend", "accounts:staff-invitation-revoke"):
        assert director.post(reverse(name, args=[invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending" and not mail.outbox
    assert "new@brug.example" not in director.get(reverse("accounts:staff")).content.decode()
    # The services refuse as well.
    with pytest.raises(PermissionDenied):
        staff_invitation_revoke(user=world.users["director"], invitation=invitation)
    with pytest.raises(PermissionDenied):
        staff_invitation_resend(user=world.users["director"], invitation=invitation)


def test_accepted_invitation_cannot_be_resent_or_revoked(world, django_capture_on_commit_callbacks):
    invitation, token = _invite(world, django_capture_on_commit_callbacks)
    staff_invitation_accept(token=token, password=NEW_PASSWORD)

    for service in (staff_invitation_resend, staff_invitation_revoke):
        with pytest.raises(StaffInvitationError):
            service(user=world.users["director"], invitation=invitation)


def test_invitation_of_a_director_who_left_no_longer_works(
    world, django_capture_on_commit_callbacks
):
    from students.services.staff import staff_deactivate

    second = make_staff(Role.DIRECTOR, school=world.school, email="dir-b@t.example")
    with django_capture_on_commit_callbacks(execute=True):
        staff_invitation_create(
            user=second,
            school=world.school,
            email="late@school.example",
            full_name="Laat",
            roles=[Role.ADMINISTRATION],
        )
    token = _token_of(mail.outbox[-1])
    staff_deactivate(user=world.users["director"], staff=second, school=world.school)

    with pytest.raises(StaffInvitationError):
        staff_invitation_accept(token=token, password=NEW_PASSWORD)
    assert not User.objects.filter(email="late@school.example").exists()


def test_staff_page_queries_do_not_grow_with_invitations(world):
    director = _director(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert director.get(reverse("accounts:staff")).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            invitation = StaffInvitation.objects.create(
                school=world.school,
                email=f"c{i}-{StaffInvitation.objects.count()}@school.example",
                full_name=f"Collega {i}",
                roles=["teacher"],
                token_hash=f"{StaffInvitation.objects.count():064d}",
                created_by=world.users["director"],
                expires_at=timezone.now() + datetime.timedelta(days=7),
            )
            invitation.groups.set([world.group3, world.group5])

    add(1)
    one = count()
    add(20)
    twenty_one = count()
    assert one == twenty_one, f"{one} queries for one invitation, {twenty_one} for 21"


def test_link_is_in_no_log_line(world, django_capture_on_commit_callbacks, caplog):
    caplog.set_level("DEBUG")
    _invitation, token = _invite(world, django_capture_on_commit_callbacks)
    client = Client()
    link = reverse("accounts:staff-invitation", args=[token])

    client.get(link)
    refused = client.post(
        link, {"name": "Sanne", "password1": NEW_PASSWORD, "password2": "iets-anders-123"}
    )

    assert refused.status_code == 200  # a 4xx would be logged with the path (the link)
    assert 'id="id_password2_error"' in refused.content.decode()
    assert token not in caplog.text


def test_api_lists_and_creates_invitations_as_the_page_does(
    world, django_capture_on_commit_callbacks
):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(world.users["director"])
    url = reverse("api:staff-invitation-list")
    body = {
        "school": world.school.pk,
        "full_name": "Sanne de Wit",
        "email": "sanne@school.example",
        "roles": ["teacher"],
        "groups": [world.group3.pk],
    }

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, body, format="json")
    director_role = api.post(url, {**body, "roles": ["director"]}, format="json")
    other_group = api.post(
        url, {**body, "email": "b@school.example", "groups": [world.other_group.pk]}, format="json"
    )
    listed = api.get(url)

    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "pending" and len(mail.outbox) == 1
    assert director_role.status_code == 400 and "roles" in director_role.json()
    assert other_group.status_code == 400 and "groups" in other_group.json()["errors"]
    assert [i["email"] for i in listed.json()] == ["sanne@school.example"]
    assert "token" not in str(listed.json()) and StaffInvitation.objects.count() == 1
    teacher = APIClient()
    teacher.force_login(world.users["teacher"])
    assert teacher.post(url, body, format="json").status_code == 403


def test_invitation_of_a_director_who_no_longer_runs_the_school_no_longer_works(
    world, django_capture_on_commit_callbacks
):
    """Her account is still active (she went to another school of the board), but she no
    longer manages this school's staff: her open invitations give no roles here."""
    from students.models import SchoolUserObjectPermission

    second = make_staff(Role.DIRECTOR, school=world.school, email="dir-c@t.example")
    with django_capture_on_commit_callbacks(execute=True):
        staff_invitation_create(
            user=second,
            school=world.school,
            email="later@school.example",
            full_name="Later",
            roles=[Role.ADMINISTRATION],
        )
    token = _token_of(mail.outbox[-1])
    SchoolUserObjectPermission.objects.filter(user=second, content_object=world.school).delete()
    assert second.is_active

    with pytest.raises(StaffInvitationError):
        staff_invitation_accept(token=token, password=NEW_PASSWORD)
    assert not User.objects.filter(email="later@school.example").exists()


@pytest.mark.parametrize("body", [{"groups": [10**30]}, {"school": 10**30}, {"groups": [0]}])
def test_api_refuses_out_of_range_ids_with_400(world, body):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world.users["director"])
    data = {
        "school": world.school.pk,
        "email": "range@school.example",
        "full_name": "Bereik",
        "roles": [Role.TEACHER],
        "groups": [world.group3.pk],
        **body,
    }

    response = client.post(reverse("api:staff-invitation-list"), data, format="json")

    assert response.status_code == 400
