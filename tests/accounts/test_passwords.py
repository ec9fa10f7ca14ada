"""Password rules (ASVS 2.1): at least 12 characters, at most 128, no composition rules, not a
common password, not only digits and not like the person's own email address; long
passphrases welcome. The same rules, with their messages, on the two forms where a password
is chosen: accepting a guardian's invitation and the password-reset link."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tests.students.factories import PASSWORD

EMAIL = "johanna.vermeulen@school.example"
PASSPHRASE = "zeven gele fietsen staan klaar bij het hek van school op dinsdag"  # 64

# (password, the validator's code, its message); the email is that of the account.
REFUSED = {
    "11 characters": ("Zon-Maan-73", "password_too_short", "This password is too short."),
    "common": ("password1234", "password_too_common", "This password is too common."),
    "all digits": ("839201746352", "password_entirely_numeric", "entirely numeric"),
    "the email": ("{email}", "password_too_similar", "too similar to the email address"),
    "129 characters": ("a-" * 64 + "b", "password_too_long", "This password is too long."),
}
ACCEPTED = {
    "12 characters": "Zon-Maan-731",
    "64-character passphrase": PASSPHRASE,
    "128 characters": "a-" * 64,
}


def _codes(password: str, user: User) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return [str(error.code) for error in exc.error_list]
    return []


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_password_is_refused_when_it_breaks_a_rule(case):
    password, code, _message = REFUSED[case]
    user = User(email=EMAIL, full_name="Johanna Vermeulen")

    assert code in _codes(password.format(email=EMAIL), user)


@pytest.mark.parametrize("case", sorted(ACCEPTED))
def test_password_is_accepted_when_long_enough_and_not_over_128(case):
    assert len(PASSPHRASE) == 64
    assert _codes(ACCEPTED[case], User(email=EMAIL, full_name="Johanna Vermeulen")) == []


def test_password_is_refused_when_it_is_the_persons_own_name():
    user = User(email="j.v@school.example", full_name="Johanna Vermeulen")

    assert "password_too_similar" in _codes("Johanna Vermeulen!", user)


# --- The forms ----------------------------------------------------------------------------


def _invitation(world) -> tuple[str, str]:
    """The link of the pending invitation of operations_world, and its email address."""
    token = world.operations["tokens"]["invitation"]
    return reverse("accounts:invitation", args=[token]), world.operations["invitation"].email


def _reset_form(client: Client, user: User) -> str:
    """Open a password-reset link; the address of the form it forwards to."""
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    response = client.get(link)
    assert response.status_code == 302
    return response["Location"]


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_invitation_form_shows_the_rule_when_password_breaks_it(operations_world, case):
    link, email = _invitation(operations_world)
    password, _code, message = REFUSED[case]
    password = password.format(email=email)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(link, {"password1": password, "password2": password})

    assert response.status_code == 200  # a 4xx would log the path, a link that still works
    assert message in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    assert not User.objects.filter(email=email).exists()


def test_invitation_form_shows_the_rule_when_password_is_the_guardians_name(operations_world):
    link, email = _invitation(operations_world)
    guardian = operations_world.operations["guardian"]
    password = f"{guardian.display_name} 2025!"
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(link, {"password1": password, "password2": password})

    assert response.status_code == 200  # a 4xx would log the path, a link that still works
    assert "too similar to the full name" in response.content.decode()
    assert not User.objects.filter(email=email).exists()


def test_invitation_form_creates_the_account_when_password_is_a_long_passphrase(
    operations_world,
):
    link, email = _invitation(operations_world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    response = client.post(link, {"password1": PASSPHRASE, "password2": PASSPHRASE})

    assert response.status_code == 302
    assert User.objects.get(email=email).check_password(PASSPHRASE)


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_reset_form_shows_the_rule_when_password_breaks_it(operations_world, case):
    user = operations_world.operations["colleague"]
    password, _code, message = REFUSED[case]
    password = password.format(email=user.email)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = _reset_form(client, user)

    response = client.post(form, {"new_password1": password, "new_password2": password})

    assert response.status_code == 200  # the form again, with the rule
    assert message in response.content.decode()
    assert 'class="field-error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_reset_form_sets_the_password_when_it_is_a_long_passphrase(operations_world):
    user = operations_world.operations["colleague"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = _reset_form(client, user)

    response = client.post(form, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(PASSPHRASE)
