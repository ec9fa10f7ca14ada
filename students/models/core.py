from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from kernel.crypto import SealedTextField

if TYPE_CHECKING:
    from accounts.models import User

from ..constants import Sex, WithdrawalDestination


def school_year_of(day: datetime.date) -> int:
    """The school year runs 1 August to 31 July; it is named by the calendar year it starts in."""
    return day.year if day.month >= 8 else day.year - 1


class Board(models.Model):
    """The school board (stichting): the controller under the AVG."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("school board")
        verbose_name_plural = _("school boards")

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    board = models.ForeignKey(
        Board, verbose_name=_("school board"), on_delete=models.PROTECT, related_name="schools"
    )
    name = models.CharField(_("name"), max_length=200)
    brin = models.CharField(_("BRIN code"), max_length=4, unique=True)
    # A public school's decisions on admission are formal decisions (Awb) open to objection.
    is_public = models.BooleanField(_("public school (openbaar)"), default=True, db_default=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]
        # Its object permissions are registered in students.permissions, not here.

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    """A class (groep) in one school year: a base group (one year group) or a combination."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=50)
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The calendar year in which the school year starts.")
    )
    source_key = models.CharField(_("key in the previous system"), max_length=100, blank=True)
    year_group_low = models.PositiveSmallIntegerField(_("lowest year group"))
    year_group_high = models.PositiveSmallIntegerField(_("highest year group"))
    teachers: models.ManyToManyField[User, GroupTeacher] = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("teachers"),
        through="GroupTeacher",
        related_name="taught_groups",
        blank=True,
    )

    class Meta:
        verbose_name = _("group")
        verbose_name_plural = _("groups")
        ordering = ["school_year", "year_group_low", "name"]
        # Its object permissions are registered in students.permissions, not here.
        constraints = [
            models.UniqueConstraint(
                fields=["school", "school_year", "name"], name="group_unique_name_per_year"
            ),
            models.CheckConstraint(
                condition=Q(year_group_low__gte=1, year_group_high__lte=8)
                & Q(year_group_low__lte=F("year_group_high")),
                name="group_year_groups_1_to_8",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_combination(self) -> bool:
        return self.year_group_low != self.year_group_high

    @property
    def school_year_label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}"


class GroupTeacherQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Assignments in force on this day: a substitute's only within its period."""
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        )


class GroupTeacher(models.Model):
    """A teacher of a group, for good or for a period (a substitute, or until the year
    turns). Access follows the dates: the selectors check them, and a daily job grants and
    withdraws the object permissions as periods start and end."""

    group = models.ForeignKey(Group, verbose_name=_("group"), on_delete=models.CASCADE)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("teacher"), on_delete=models.PROTECT
    )
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_substitute = models.BooleanField(_("substitute"), default=False)
    access_started_at = models.DateTimeField(_("access started"), null=True, blank=True)
    access_ended_at = models.DateTimeField(_("access ended"), null=True, blank=True)

    objects = GroupTeacherQuerySet.as_manager()

    class Meta:
        verbose_name = _("group teacher")
        verbose_name_plural = _("group teachers")
        constraints = [
            models.UniqueConstraint(fields=["group", "teacher"], name="group_teacher_unique"),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True)
                | Q(ends_on__isnull=True)
                | Q(ends_on__gte=F("starts_on")),
                name="group_teacher_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} / {self.teacher_id}"


class Student(models.Model):
    """A pupil. Never hard-deleted: erasure anonymises the row in place (DESIGN rule 4)."""

    school = models.ForeignKey(
        School, verbose_name=_("school"), on_delete=models.PROTECT, related_name="students"
    )
    group = models.ForeignKey(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="students",
        null=True,
        blank=True,
    )
    first_names = models.CharField(_("first names"), max_length=200)
    given_name = models.CharField(_("name they go by"), max_length=100)
    surname_prefix = models.CharField(_("surname prefix"), max_length=30, blank=True)
    surname = models.CharField(_("surname"), max_length=150)
    date_of_birth = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    bsn = SealedTextField(_("BSN or education number"), blank=True)
    bsn_hash = models.CharField(_("BSN lookup hash"), max_length=64, blank=True, db_index=True)
    # What the school needs at enrolment besides the basics (DOMAIN, "Pupil administration"):
    # the previous school or day care for the handover, and for a pupil born abroad the date
    # of arrival in the Netherlands (newcomer funding).
    previous_school = models.CharField(_("previous school or day care"), max_length=200, blank=True)
    born_abroad = models.BooleanField(_("born abroad"), default=False)
    arrived_in_netherlands_on = models.DateField(
        _("date of arrival in the Netherlands"), null=True, blank=True
    )
    year_group = models.PositiveSmallIntegerField(_("year group"))
    enrolled_on = models.DateField(_("enrolment date"))
    withdrawn_on = models.DateField(_("withdrawal date"), null=True, blank=True)
    source_key = models.CharField(
        _("key in the previous system"),
        max_length=100,
        blank=True,
        help_text=_("The pupil's key in an imported EDEXML file; makes re-imports idempotent."),
    )
    processing_restricted = models.BooleanField(
        _("processing restricted"),
        default=False,
        help_text=_(
            "Set when a restriction or objection (AVG art. 18, 21) is accepted: the pupil's data "
            "is not disclosed and counts as without consent."
        ),
    )
    withdrawal_destination = models.CharField(
        _("withdrawal destination"),
        max_length=30,
        choices=WithdrawalDestination.choices,
        blank=True,
    )
    anonymised_at = models.DateTimeField(
        _("anonymised at"),
        null=True,
        blank=True,
        help_text=_(
            "Set when retention anonymised the pupil: the row stays as a tombstone so ids in "
            "the evidence stay valid, and points at nobody."
        ),
    )

    class Meta:
        verbose_name = _("pupil")
        verbose_name_plural = _("pupils")
        ordering = ["surname", "given_name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year_group__gte=1, year_group__lte=8), name="student_year_group_1_to_8"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=F("enrolled_on")),
                name="student_withdrawal_after_enrolment",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(group__isnull=True),
                name="student_withdrawn_has_no_group",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=False) | Q(withdrawal_destination=""),
                name="student_destination_only_when_withdrawn",
            ),
        ]
        indexes = [models.Index(fields=["school", "surname"]), models.Index(fields=["group"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def last_name(self) -> str:
        return f"{self.surname_prefix} {self.surname}".strip()

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.last_name}"

    @property
    def address(self) -> str:
        line1 = f"{self.street} {self.house_number}".strip()
        line2 = f"{self.postal_code} {self.city}".strip()
        return ", ".join(part for part in (line1, line2) if part)

    @property
    def is_enrolled(self) -> bool:
        return self.withdrawn_on is None


class Placement(models.Model):
    """Group history: which group a pupil was in, from when until when."""

    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="placements"
    )
    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.PROTECT, related_name="placements"
    )
    school_year = models.PositiveSmallIntegerField(_("school year"))
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-started_on", "-id"]
        constraints = [
            # One base group per pupil per school year: a move within the year closes the
            # earlier placement first, so at most one is open.
            models.UniqueConstraint(
                fields=["student", "school_year"],
                condition=Q(ended_on__isnull=True),
                name="placement_one_open_group_per_year",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="placement_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student_id} in {self.group} from {self.started_on}"


class Guardian(models.Model):
    """A parent or carer. Linked to pupils through Guardianship, to a login through user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="guardian",
        null=True,
        blank=True,
    )
    first_name = models.CharField(_("first name"), max_length=100)
    surname_prefix = models.CharField(_("surname prefix"), max_length=30, blank=True)
    surname = models.CharField(_("surname"), max_length=150)
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_confidential = models.BooleanField(
        _("contact data confidential"),
        default=False,
        help_text=_("The other guardians never see this guardian's contact data."),
    )
    language = models.CharField(
        _("language for letters and email"),
        max_length=5,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    students: models.ManyToManyField[Student, Guardianship] = models.ManyToManyField(
        Student, through="Guardianship", related_name="guardians", verbose_name=_("pupils")
    )

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["surname", "first_name", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.surname_prefix, self.surname) if p)


class Guardianship(models.Model):
    guardian = models.ForeignKey(
        Guardian, verbose_name=_("guardian"), on_delete=models.CASCADE, related_name="links"
    )
    student = models.ForeignKey(
        Student, verbose_name=_("pupil"), on_delete=models.CASCADE, related_name="guardian_links"
    )
    has_authority = models.BooleanField(_("has parental authority"), default=True)
    # The court decision (or register extract) behind the last change of authority recorded
    # by the school: its date and reference, as staff entered them (students.views.pupils).
    authority_decided_on = models.DateField(
        _("date of the authority decision"), null=True, blank=True
    )
    authority_reference = models.CharField(
        _("reference of the authority decision"), max_length=100, blank=True
    )

    class Meta:
        verbose_name = _("guardianship")
        verbose_name_plural = _("guardianships")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "student"], name="guardianship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.guardian_id} -> {self.student_id}"


class SealCanary(models.Model):
    """One sealed known value: lets start-up prove the configured keys open the stored data."""

    token = SealedTextField()

    class Meta:
        verbose_name = _("seal check")

    def __str__(self) -> str:
        return "seal check"


# django-guardian direct foreign-key permission tables (no generic relations).
class SchoolUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class SchoolGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(School, on_delete=models.CASCADE)


class GroupUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Group, on_delete=models.CASCADE)


class GroupGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Group, on_delete=models.CASCADE)
