"""Guardian invitations: a single-use link that expires, is replaced by a resend and ended by
a revoke; accepting it makes a guardian account. A guardian who loses parental authority is
switched to the limited view at once."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.constants import Role
from accounts.models import User
from audit.models import AccessEvent
from consent.selectors.guardians import guardian_for_decision
from students.exceptions import FunctionNotAllowed
from students.models import Guardianship, Invitation
from students.selectors import students_visible_to
from students.services import guardian_authority_set
from students.services.invitations import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
)

from ..students.factories import GuardianFactory, link_guardian
from .conftest import link_in_mail

NEW_PASSWORD = "zonnige-dinsdag-42"
LINK = r"/accounts/invitation/[^/\s]+/"


@pytest.fixture
def family(term_world):
    """A guardian of Sara (Groep 5) without an account yet."""
    guardian = GuardianFactory.create(
        first_name="Ilse", surname="Bakker", email="ilse@home.example"
    )
    link_guardian(guardian, term_world.pupil5)
    return guardian


def _invite(world, django_capture_on_commit_callbacks, send=invitation_create, **kw):
    """Send an invitation (the mail goes after the commit) and return it with its link."""
    with django_capture_on_commit_callbacks(execute=True):
        invitation = send(user=world.users["administration"], **kw)
    return invitation, link_in_mail(LINK)


def _token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_link_works_once_when_accepted(
    term_world, family, client, django_capture_on_commit_callbacks
):
    invitation, link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)
    assert mail.outbox[-1].to == ["ilse@home.example"]
    assert client.get(link).status_code == 200

    response = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    user = User.objects.get(email="ilse@home.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    family.refresh_from_db()
    assert family.user == user
    assert user.has_role(Role.GUARDIAN)
    assert user.check_password(NEW_PASSWORD)
    assert list(students_visible_to(user)) == [term_world.pupil5]
    assert AccessEvent.objects.filter(object_type="account", object_id=str(user.pk)).exists()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    # The link is used up: the page says so and the service refuses.
    other = type(client)()
    again = other.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 404
    assert "This link is no longer valid" in again.content.decode()
    second = other.post(link, {"password1": "x" + NEW_PASSWORD, "password2": "x" + NEW_PASSWORD})
    assert second.status_code == 404
    with pytest.raises(InvitationError):
        invitation_accept(token=_token(link), password="x" + NEW_PASSWORD)
    assert User.objects.filter(email="ilse@home.example").count() == 1
    assert user.check_password(NEW_PASSWORD)


def test_link_stops_working_when_seven_days_and_a_minute_have_passed(
    term_world, family, term_clock, django_capture_on_commit_callbacks
):
    sent_at = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    term_clock.move_to(sent_at)
    _invitation, link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)
    token = _token(link)

    term_clock.move_to(sent_at + datetime.timedelta(days=7, minutes=-1))
    usable_before = invitation_for_token(token) is not None
    term_clock.move_to(sent_at + datetime.timedelta(days=7, minutes=1))

    assert usable_before is True
    assert invitation_for_token(token) is None
    with pytest.raises(InvitationError):
        invitation_accept(token=token, password=NEW_PASSWORD)
    assert not User.objects.filter(email="ilse@home.example").exists()


def test_old_link_stops_working_when_invitation_resent(
    term_world, family, client, django_capture_on_commit_callbacks
):
    first, old_link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)
    _second, new_link = _invite(
        term_world,
        django_capture_on_commit_callbacks,
        send=invitation_resend,
        invitation=first,
    )

    assert old_link != new_link
    assert len(mail.outbox) == 2
    assert invitation_for_token(_token(old_link)) is None
    assert client.get(old_link).status_code == 404
    with pytest.raises(InvitationError):
        invitation_accept(token=_token(old_link), password=NEW_PASSWORD)
    user = invitation_accept(token=_token(new_link), password=NEW_PASSWORD)
    assert user.guardian == family


def test_link_stops_working_when_invitation_revoked(
    term_world, family, client, django_capture_on_commit_callbacks
):
    invitation, link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)

    invitation_revoke(user=term_world.users["administration"], invitation=invitation)

    assert Invitation.objects.get(pk=invitation.pk).status == "revoked"
    assert invitation_for_token(_token(link)) is None
    assert client.get(link).status_code == 404
    with pytest.raises(InvitationError):
        invitation_accept(token=_token(link), password=NEW_PASSWORD)
    assert not User.objects.filter(email="ilse@home.example").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("kort-1", "This password is too short"),
        ("password1234", "This password is too common"),
    ],
)
def test_password_is_refused_with_a_message_when_too_short_or_common(
    term_world, family, client, django_capture_on_commit_callbacks, password, message
):
    _invitation, link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)

    response = client.post(
        link, {"password1": password, "password2": password}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200  # a 4xx would log the path, a link that still works
    assert message in response.content.decode()
    assert not User.objects.filter(email="ilse@home.example").exists()
    # The link still works after a refused password.
    assert invitation_for_token(_token(link)) is not None
    assert client.get(link).status_code == 200


def test_page_is_404_with_a_clear_message_when_token_is_unknown(db, client):
    response = client.get(
        reverse("accounts:invitation", args=["no-such-token"]), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 404
    assert "This link is no longer valid" in response.content.decode()
    assert "Ask the school for a new one" in response.content.decode()


def test_guardian_is_switched_to_the_limited_view_at_once_when_authority_ends(world, api):
    parent = world.users["guardian"]
    api.force_login(parent)
    pupil = world.pupil3
    urls = {
        name: reverse(f"api:{name}", args=[pupil.pk])
        for name in (
            "student-detail",
            "student-progress",
            "student-consents",
            "student-religion",
            "student-care-records",
        )
    }
    before = {name: api.get(url).status_code for name, url in urls.items()}
    link = Guardianship.objects.get(guardian=parent.guardian, student=pupil)

    guardian_authority_set(actor=world.users["director"], link=link, has_authority=False)

    after = {name: api.get(url).status_code for name, url in urls.items()}
    assert before == dict.fromkeys(urls, 200)
    assert after == {
        "student-detail": 200,
        "student-progress": 200,
        "student-consents": 403,
        "student-religion": 403,
        "student-care-records": 403,
    }
    assert not api.get(urls["student-detail"]).json().get("bsn")
    # Giving consent is refused as well.
    with pytest.raises(FunctionNotAllowed):
        guardian_for_decision(user=parent, student_id=pupil.pk)


def test_a_refused_password_leaves_the_working_link_in_no_log_line(
    term_world, family, client, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level("DEBUG")
    _invitation, link = _invite(term_world, django_capture_on_commit_callbacks, guardian=family)

    client.post(link, {"password1": "kort", "password2": "kort"})

    assert _token(link) not in caplog.text
