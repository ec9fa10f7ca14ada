"""Staff MFA: TOTP from an authenticator app, with single-use backup codes (django-otp).

The app's secret is sealed at rest (``accounts.models.AuthenticatorDevice``).

Required for every staff account when ``MFA_REQUIRED`` is on (production); a staff member who
enrolled is asked for a code anyway. A code is accepted once: TOTP devices remember the last
time step used and backup codes (kept only as keyed digests) are deleted when used; repeated
wrong codes slow down (django-otp's throttling). Every enrolment, failure and reset is an
access event.
"""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.html import escape
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken

from audit.constants import Action, DataKind, Outcome
from audit.services import event_record

from .models import AuthenticatorDevice, BackupCode, BackupCodeDevice, User, backup_code_digest
from .services import api_tokens_revoke, sessions_end

SESSION_ENROLLED = "mfa_enrolled"
SESSION_BACKUP_CODES = "mfa_new_backup_codes"
APP_DEVICE = "app"
BACKUP_DEVICE = "backup"


def is_enrolled(user: User) -> bool:
    return AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()


def needed_for(user: User, *, enrolled: bool | None = None) -> bool:
    """Does this account need a second factor? Staff only; guardians never."""
    if not user.is_authenticated or not user.is_school_staff:
        return False
    if settings.MFA_REQUIRED:
        return True
    return is_enrolled(user) if enrolled is None else enrolled


def needed_for_session(request: HttpRequest) -> bool:
    """The same answer as ``needed_for`` without a query when MFA is off (the enrolment is
    read once at login and kept in the session)."""
    user = request.user
    if not user.is_authenticated:
        return False
    if settings.MFA_REQUIRED:
        return user.is_school_staff
    return bool(request.session.get(SESSION_ENROLLED)) and user.is_school_staff


def session_start(request: HttpRequest, user: User) -> None:
    """At login: remember whether this account enrolled (for ``needed_for_session``)."""
    request.session[SESSION_ENROLLED] = user.is_school_staff and is_enrolled(user)


def pending_device(user: User) -> AuthenticatorDevice:
    """The authenticator being set up: one unconfirmed device per account, kept until
    confirmed, so reloading the page shows the same key."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or AuthenticatorDevice.objects.create(user=user, name=APP_DEVICE, confirmed=False)


def secret_of(device: AuthenticatorDevice) -> str:
    """The key in base32, as authenticator apps take it when typed, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: AuthenticatorDevice) -> str:
    """The otpauth:// link as an SVG QR code (no inline style, no script: fits the CSP)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    svg = svg[svg.index("<svg") :]
    label = escape(_("QR code to scan with your authenticator app"))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


def backup_codes_new(user: User) -> list[str]:
    """Replace the account's backup codes with a fresh set: shown once, stored only as keyed
    digests (``accounts.models.BackupCode``)."""
    device, _created = BackupCodeDevice.objects.get_or_create(
        user=user, name=BACKUP_DEVICE, defaults={"confirmed": True}
    )
    device.codes.all().delete()
    codes: list[str] = []
    while len(codes) < settings.MFA_BACKUP_CODES:
        code = StaticToken.random_token()  # django-otp's: 8 lower-case base32 characters
        if code not in codes:
            codes.append(code)
    BackupCode.objects.bulk_create(
        [BackupCode(device=device, digest=backup_code_digest(code)) for code in codes]
    )
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="backup_codes",
        object_id=user.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return codes


def _account(request: HttpRequest) -> User:
    """The account logged in on the request: the second-factor pages require a login."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def _clean(code: str) -> str:
    return "".join((code or "").split()).lower()


@transaction.atomic
def enrolment_confirm(
    *, request: HttpRequest, device: AuthenticatorDevice, code: str
) -> list[str] | None:
    """Confirm the authenticator with a first code; the session counts as verified and the
    account gets its backup codes. None when the code is wrong."""
    user = _account(request)
    device = AuthenticatorDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if not device.verify_token(_clean(code)):
        _failure(user, "second_factor_setup")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    otp_login(request, device)
    request.session[SESSION_ENROLLED] = True
    request.session.cycle_key()  # the login is complete now: a new session id
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="second_factor",
        object_id=user.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return backup_codes_new(user)


def code_check(*, user: User, code: str):
    """The device that accepts this code (once), or None; a failure is recorded."""
    code = _clean(code)
    device = match_token(user, code) if code else None
    if device is None:
        _failure(user, "second_factor")
        return None
    event_record(user=user, action=Action.LOGIN, object_type="second_factor", object_id=user.pk)
    return device


def session_verify(*, request: HttpRequest, code: str) -> bool:
    device = code_check(user=_account(request), code=code)
    if device is None:
        return False
    otp_login(request, device)
    return True


def backup_codes_left(user: User) -> int:
    return BackupCode.objects.filter(device__user=user, device__name=BACKUP_DEVICE).count()


@transaction.atomic
def reset(*, user: User, by: User | None = None) -> int:
    """Remove an account's second factor (lost phone and backup codes): at the next login the
    person sets up a new one. Every session and API token of the account ends too, so that only
    someone who logs in with the password afterwards can set up the new app. Used by
    ``manage.py mfa_reset``."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    api_tokens_revoke(user=user)
    sessions_end(user)
    event_record(
        user=by,
        action=Action.DELETE,
        object_type="second_factor",
        object_id=user.pk,
        data_kind=DataKind.ACCOUNT,
    )
    return removed


def _failure(user: User, what: str) -> None:
    event_record(
        user=user,
        action=Action.LOGIN_FAILED,
        outcome=Outcome.DENIED,
        object_type=what,
        object_id=user.pk,
    )
