from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import hex_validator, random_hex

from kernel.crypto import SealedTextField, lookup_hash

from .constants import ROLE_FUNCTIONS, STAFF_ROLES
from .user_agents import client_describe

if TYPE_CHECKING:
    pass


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(**{self.model.USERNAME_FIELD: (username or "").strip().lower()})


# The plugin cannot build the reverse managers of the django-otp devices below (django-otp
# ships no types, so it does not see them as models); nothing reads those managers.
class User(AbstractBaseUser, PermissionsMixin):  # type: ignore[django-manager-missing]
    """A person who logs in: staff member or guardian. Never hard-deleted (DESIGN rule 4)."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the admin tools"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def role_names(self) -> frozenset[str]:
        """The user's roles, cached on the instance (one query per request)."""
        if not hasattr(self, "_role_names"):
            # Plain SQL over the two tables: on every request, the ORM's compiling of this join
            # cost more than the query itself (0.32 ms against 0.13 ms, bench).
            links = User.groups.through._meta
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT g.name FROM {Group._meta.db_table} g"  # noqa: S608 - model tables
                    f" JOIN {links.db_table} l ON l.{links.get_field('group').column} = g.id"
                    f" WHERE l.{links.get_field('user').column} = %s",
                    [self.pk],
                )
                self._role_names = frozenset(name for (name,) in cursor.fetchall())
        return self._role_names

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names.intersection(roles))

    def has_function(self, function: str) -> bool:
        return any(function in ROLE_FUNCTIONS.get(role, ()) for role in self.role_names)

    @property
    def is_school_staff(self) -> bool:
        return bool(self.role_names & STAFF_ROLES)


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token …``), issued at each login on the token
    endpoint. Only a SHA-256 digest of the key is stored, never the key itself; ``key_prefix``
    (its first characters, not enough to use it) finds the row. A token expires, ends when its
    owner revokes it, and ends with the password (``password_stamp``), a reset of the second
    factor, deactivation and erasure of the account."""

    user = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_prefix = models.CharField(_("key prefix"), max_length=12, db_index=True)
    digest = models.CharField(_("digest"), max_length=64, unique=True)
    # A hash of the password hash at issue: a token stops working when the password changes,
    # whichever way it changed (reset link, manage.py changepassword, deactivation).
    password_stamp = models.CharField(_("password stamp"), max_length=64)
    label = models.CharField(_("label"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"API token {self.pk} ({self.key_prefix}…)"

    @property
    def client(self) -> str:
        """The program that logged in, in words ("Firefox on Windows")."""
        return client_describe(self.label)


def _authenticator_key() -> str:
    return random_hex(20)


def _authenticator_key_valid(value: str) -> None:
    hex_validator()(value)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's authenticator app (TOTP, django-otp): django-otp's ``TOTPDevice`` with
    the shared secret sealed at rest (``SealedTextField``, rotated by
    ``rotate_encryption_keys`` like the BSN), so a copy of the database or a backup alone does
    not give the codes. Same fields and the same checking: a code is accepted once (``last_t``),
    the clock drift is followed and wrong codes slow down (``ThrottlingMixin``)."""

    key = SealedTextField(
        _("secret"),
        default=_authenticator_key,
        validators=[_authenticator_key_valid],
        help_text="The shared secret, hex-encoded (20 random bytes), stored sealed.",
    )
    # Spelled out: django-otp ships no types, so the plugin does not see a model here.
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    t0: models.BigIntegerField[int, int] = models.BigIntegerField(default=0)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        choices=[(6, 6), (8, 8)], default=6
    )
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        default=1
    )
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)

    # django-otp's own TOTP logic, unchanged: it only reads ``key`` (unsealed when loaded).
    bin_key = TOTPDevice.bin_key
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")


def backup_code_digest(code: str) -> str:
    """A backup code as the database keeps it: an HMAC with ``FIELD_HASH_KEY``. A code has
    only about 40 bits, so an unkeyed hash of it could be reversed by trying them all; without
    the key a copy of the database gives nothing to try against."""
    return lookup_hash(f"backup-code:{code}")


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A staff member's backup codes (single use, for when the phone is not at hand). Replaces
    django-otp's static device, which keeps the codes in plain text: here only their keyed
    digests are stored (``BackupCode``). A code is accepted once, then deleted; wrong codes slow
    down (``ThrottlingMixin``)."""

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = self.codes.filter(digest=backup_code_digest(str(token))).delete()[0]
        if used:
            self.throttle_reset()
        else:
            self.throttle_increment()
        return bool(used)


class BackupCode(models.Model):
    """One unused backup code, kept only as its keyed digest."""

    device = models.ForeignKey(
        BackupCodeDevice,
        verbose_name=_("backup codes"),
        on_delete=models.CASCADE,
        related_name="codes",
    )
    digest = models.CharField(_("digest"), max_length=64)

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")
        constraints = [
            models.UniqueConstraint(fields=["device", "digest"], name="backup_code_once_per_device")
        ]

    def __str__(self) -> str:
        return f"backup code {self.pk}"
