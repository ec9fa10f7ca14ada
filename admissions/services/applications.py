"""The online application (aanmelding) without an account: submit, confirm the e-mail
address, follow.

An application counts only once the applicant confirmed their e-mail address with the link
sent to it (DOMAIN, "Pupil administration": applying is in writing; the duty of care runs from
a complete application). Until then it is ``UNCONFIRMED``: no inbox shows it, its clock has not
started, and ``applications_unconfirmed_delete`` (a beat task) deletes it once its link expired.
Only a hash of the confirmation link is stored.

No e-mail carries the child's data: the school, the reference and a link, nothing more (a
mailbox is read on shared devices, forwarded and kept for years). Every e-mail is a task
(admissions.tasks) queued when the transaction commits, never sent inside the request.

The rules are the service's, so a page and an API answer alike: ``application_errors`` checks
everything (``ApplicationError.field_errors`` names each refused input: the child's field, a
guardian's as ``guardians.<index>.<field>``, ``email``), ``application_submit`` writes nothing
unless it passes.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import email_normalise
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.dates import months_add
from kernel.exceptions import DomainError
from students.models import School
from students.services.enrolment import (
    START_AGE_YEARS,
    GuardianDetails,
    _guardian_errors,
    guardian_field,
)

from ..constants import CONFIRMATION_HOURS, DECISION_PERIOD, ApplicationStatus, TimelineKind
from ..follow import follow_path
from ..models import Application, ApplicationEvent, ApplicationGuardian
from ..tasks import (
    application_confirm_mail_task,
    application_confirmed_mail_task,
    follow_link_mail_task,
)

logger = logging.getLogger(__name__)

# Parents may apply from the child's third birthday (DOMAIN, "Pupil administration").
APPLY_AGE_YEARS = 3
# The form has room for two parents; a third is added at enrolment.
MAX_GUARDIANS = 2
# A reference is read out on the phone: no 0/O, 1/I/L.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_REFERENCE_LENGTH = 6


class ApplicationError(DomainError):
    default_message = gettext_lazy("The application was not sent; check the fields marked.")


@dataclass(frozen=True)
class ChildDetails:
    """What the school needs to decide on a place (no BSN: that is asked at enrolment). A date
    that was not given is None; ``application_errors`` says so at its field."""

    first_names: str
    given_name: str
    surname: str
    date_of_birth: datetime.date | None
    desired_start_date: datetime.date | None
    surname_prefix: str = ""
    current_school: str = ""
    born_abroad: bool = False
    arrived_in_netherlands_on: datetime.date | None = None


@dataclass(frozen=True)
class ApplicationDetails:
    """One application as the applicant sends it. ``support_needs`` and ``religion`` are
    optional and sealed: only the director and the care coordinator read them."""

    child: ChildDetails
    guardians: Sequence[GuardianDetails]
    email: str
    support_needs: str = ""
    religion: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _child_errors(child: ChildDetails, today: datetime.date) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("first_names", "given_name", "surname"):
        if not getattr(child, field).strip():
            add(field, _("This field is required."))
    born = child.date_of_birth
    if born is None:
        add("date_of_birth", _("Enter the date of birth."))
    elif born > today:
        add("date_of_birth", _("The date of birth cannot be in the future."))
    elif months_add(born, 12 * APPLY_AGE_YEARS) > today:
        add(
            "date_of_birth",
            _("You can apply from the child's third birthday, on %(date)s.")
            % {"date": months_add(born, 12 * APPLY_AGE_YEARS).strftime("%d-%m-%Y")},
        )
    start = child.desired_start_date
    if start is None:
        add("desired_start_date", _("Enter the date on which you would like your child to start."))
    elif start < today:
        add("desired_start_date", _("The desired start date cannot be in the past."))
    elif born is not None and born <= today and start < months_add(born, 12 * START_AGE_YEARS):
        add(
            "desired_start_date",
            _("A child may start school from the age of 4: on %(date)s at the earliest.")
            % {"date": months_add(born, 12 * START_AGE_YEARS).strftime("%d-%m-%Y")},
        )
    arrived = child.arrived_in_netherlands_on
    if child.born_abroad and arrived is None:
        add(
            "arrived_in_netherlands_on",
            _("Enter the date of arrival in the Netherlands for a child born abroad."),
        )
    if arrived is not None:
        if arrived > today:
            add("arrived_in_netherlands_on", _("The date of arrival cannot be in the future."))
        elif born is not None and arrived < born:
            add(
                "arrived_in_netherlands_on",
                _("The date of arrival cannot be before the date of birth."),
            )
    return errors


def application_errors(
    details: ApplicationDetails, *, today: datetime.date | None = None
) -> dict[str, list[str]]:
    """Every reason to refuse this application, per field (empty: it may be sent). The
    guardians follow the enrolment's rules (``students.services.enrolment``), since they are
    enrolled as given here."""
    today = today or timezone.localdate()
    errors = _child_errors(details.child, today)
    if len(details.guardians) > MAX_GUARDIANS:
        errors["guardians"] = [_("Enter at most two parents or guardians.")]
    for field, messages in _guardian_errors(details.guardians, today).items():
        errors.setdefault(field, []).extend(messages)
    if details.guardians:
        if not details.guardians[0].address.strip():
            errors.setdefault(guardian_field(0, "address"), []).append(
                _("Enter the address where the child lives with this parent.")
            )
        if not any(guardian.has_authority for guardian in details.guardians):
            errors.setdefault(guardian_field(0, "has_authority"), []).append(
                _("At least one parent or guardian must have parental authority: they apply.")
            )
    email = details.email.strip()
    if not email:
        errors["email"] = [_("Enter your email address: the confirmation link is sent there.")]
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    return errors


def _reference() -> str:
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _n in range(_REFERENCE_LENGTH))
    return f"{timezone.localdate().year}-{code}"


def _mail(*, subject: str, template: str, context: dict, to: str) -> None:
    body = render_to_string(f"admissions/public/{template}", context)
    send_mail(subject, body, None, [to])


def _site(site_url: str) -> str:
    return site_url or settings.SITE_URL


def _queue(task, **kwargs) -> None:
    """Queue a mail task once the transaction commits, in the language of the page it came
    from (nothing is sent for a transaction that rolls back)."""
    kwargs["language"] = translation.get_language() or settings.LANGUAGE_CODE
    transaction.on_commit(partial(task.delay, **kwargs))


def _create(details: ApplicationDetails, *, school: School, token: str) -> Application:
    """Write the application, its guardians and its first timeline row."""
    child = details.child
    born, start = child.date_of_birth, child.desired_start_date
    if born is None or start is None:  # refused by application_errors before
        raise ApplicationError
    now = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                application = Application.objects.create(
                    school=school,
                    reference=_reference(),
                    status=ApplicationStatus.UNCONFIRMED,
                    email=email_normalise(details.email),
                    confirmation_hash=token_hash(token),
                    confirmation_expires_at=now + datetime.timedelta(hours=CONFIRMATION_HOURS),
                    submitted_at=now,
                    first_names=child.first_names.strip(),
                    given_name=child.given_name.strip(),
                    surname_prefix=child.surname_prefix.strip(),
                    surname=child.surname.strip(),
                    date_of_birth=born,
                    desired_start_date=start,
                    current_school=child.current_school.strip(),
                    born_abroad=child.born_abroad,
                    arrived_in_netherlands_on=child.arrived_in_netherlands_on,
                    support_needs=details.support_needs.strip(),
                    religion=details.religion.strip(),
                )
            break
        except IntegrityError:  # the reference was taken (1 in 887 million): draw another
            continue
    else:
        raise ApplicationError(_("The application could not be stored. Please try again."))
    ApplicationGuardian.objects.bulk_create(
        ApplicationGuardian(
            application=application,
            position=index,
            first_name=guardian.first_name.strip(),
            surname_prefix=guardian.surname_prefix.strip(),
            surname=guardian.surname.strip(),
            email=email_normalise(guardian.email),
            phone=guardian.phone.strip(),
            address=guardian.address.strip(),
            has_authority=guardian.has_authority,
            authority_decided_on=None if guardian.has_authority else guardian.authority_decided_on,
            authority_reference=""
            if guardian.has_authority
            else guardian.authority_reference.strip(),
        )
        for index, guardian in enumerate(details.guardians)
    )
    ApplicationEvent.objects.create(application=application, at=now, kind=TimelineKind.SUBMITTED)
    event_record(
        user=None,
        action=Action.CREATE,
        object_type="application",
        object_id=application.pk,
        data_kind=DataKind.BASICS,
        school_id=school.pk,
    )
    return application


def application_submit(
    *, school: School, details: ApplicationDetails, site_url: str = ""
) -> Application:
    """Store an application, unconfirmed, and queue the e-mail to the applicant with the link
    that confirms it (valid ``CONFIRMATION_HOURS``; sent by a task once this commits).
    Refuses with an ``ApplicationError`` carrying field errors; nothing is stored or sent
    then. The e-mail names the school and the reference only."""
    errors = application_errors(details)
    if errors:
        raise ApplicationError(field_errors=errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        application = _create(details, school=school, token=token)
        # The link carries the token itself: only its hash is stored, so the task gets it.
        _queue(
            application_confirm_mail_task,
            application_id=application.pk,
            token=token,
            site_url=site_url,
        )
    return application


def application_confirm_mail(
    *, application_id: int, token: str, site_url: str = "", language: str = ""
) -> int:
    """E-mail the link that confirms the application (the task of ``application_submit``).
    Nothing once it was confirmed, deleted or the token replaced; returns the mails sent."""
    application = (
        Application.objects.select_related("school")
        .filter(
            pk=application_id,
            status=ApplicationStatus.UNCONFIRMED,
            confirmation_hash=token_hash(token),
        )
        .first()
    )
    if application is None:
        return 0
    school = application.school
    with translation.override(language or settings.LANGUAGE_CODE):
        _mail(
            subject=_("Confirm your application at %(school)s") % {"school": school.name},
            template="email_confirm.txt",
            context={
                "school": school,
                "reference": application.reference,
                "link": f"{_site(site_url)}{reverse('application-confirm', args=[token])}",
                "hours": CONFIRMATION_HOURS,
            },
            to=application.email,
        )
    return 1


class ConfirmationError(DomainError):
    """The link does not confirm anything (any more)."""

    def __init__(self, *, expired: bool):
        self.expired = expired
        super().__init__(
            _("This link has expired.") if expired else _("This link does not work (any more).")
        )


def application_for_confirmation(token: str) -> Application:
    """The unconfirmed application this link confirms; ``ConfirmationError`` for a link that
    is unknown, already used (the hash is cleared on use) or expired. Reads only."""
    application = (
        Application.objects.select_related("school")
        .filter(confirmation_hash=token_hash(token), status=ApplicationStatus.UNCONFIRMED)
        .first()
        if token
        else None
    )
    if application is None:
        raise ConfirmationError(expired=False)
    expires = application.confirmation_expires_at
    if expires is None or expires <= timezone.now():
        raise ConfirmationError(expired=True)
    return application


def application_confirm(*, token: str, site_url: str = "") -> Application:
    """Confirm the applicant's e-mail address: the application counts from today and the
    school decides within ``DECISION_PERIOD``. The link works once. Recorded on the timeline
    and in the audit trail; the applicant gets an e-mail with the link to follow it (a task,
    queued once this commits)."""
    with transaction.atomic():
        found = application_for_confirmation(token)
        # Two clicks at once: the second finds the hash gone and is refused.
        application = (
            Application.objects.select_for_update()
            .select_related("school")
            .filter(pk=found.pk, confirmation_hash=token_hash(token))
            .first()
        )
        if application is None:
            raise ConfirmationError(expired=False)
        today = timezone.localdate()
        application.status = ApplicationStatus.RECEIVED
        application.complete_on = today
        application.decision_due_on = today + DECISION_PERIOD
        application.confirmation_hash = ""
        application.confirmation_expires_at = None
        application.save(
            update_fields=[
                "status",
                "complete_on",
                "decision_due_on",
                "confirmation_hash",
                "confirmation_expires_at",
            ]
        )
        ApplicationEvent.objects.create(application=application, kind=TimelineKind.CONFIRMED)
        event_record(
            user=None,
            action=Action.UPDATE,
            object_type="application",
            object_id=application.pk,
            data_kind=DataKind.BASICS,
            school_id=application.school_id,
        )
        _queue(application_confirmed_mail_task, application_id=application.pk, site_url=site_url)
    return application


def application_confirmed_mail(
    *, application_id: int, site_url: str = "", language: str = ""
) -> int:
    """E-mail that the application counts, with the follow link (the task of
    ``application_confirm``). Nothing once it is gone; returns the mails sent."""
    application = (
        Application.objects.select_related("school")
        .filter(pk=application_id)
        .exclude(status=ApplicationStatus.UNCONFIRMED)
        .first()
    )
    if application is None:
        return 0
    with translation.override(language or settings.LANGUAGE_CODE):
        _mail(
            subject=_("Your application at %(school)s is received")
            % {"school": application.school},
            template="email_confirmed.txt",
            context={
                "school": application.school,
                "reference": application.reference,
                "decision_due_on": application.decision_due_on,
                "link": f"{_site(site_url)}{follow_path(application)}",
            },
            to=application.email,
        )
    return 1


def follow_link_send(*, reference: str, email: str, site_url: str = "") -> None:
    """Queue the e-mail with a fresh link to follow the application with this reference. The
    task looks the application up itself, so this request does the same whether or not the
    reference and the address match: neither its answer nor its timing tells."""
    _queue(follow_link_mail_task, reference=reference, email=email, site_url=site_url)


def follow_link_mail(*, reference: str, email: str, site_url: str = "", language: str = "") -> bool:
    """E-mail a fresh link to follow the application with this reference, when it was sent
    from this address and counts (confirmed); True when a mail went."""
    reference = reference.strip().upper()
    email = email_normalise(email)
    application = (
        Application.objects.select_related("school")
        .filter(reference=reference, email=email)
        .exclude(status=ApplicationStatus.UNCONFIRMED)
        .first()
        if reference and email
        else None
    )
    if application is None:
        return False
    with translation.override(language or settings.LANGUAGE_CODE):
        _mail(
            subject=_("The link to follow your application at %(school)s")
            % {"school": application.school},
            template="email_follow.txt",
            context={
                "school": application.school,
                "reference": application.reference,
                "link": f"{_site(site_url)}{follow_path(application)}",
            },
            to=application.email,
        )
    return True


def applications_unconfirmed_delete(*, now: datetime.datetime | None = None) -> int:
    """Delete the applications whose confirmation link expired unused: they never counted,
    and the school keeps no data it was not asked to decide on. Safe to run twice."""
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(
            Application.objects.select_for_update()
            .filter(status=ApplicationStatus.UNCONFIRMED, confirmation_expires_at__lte=now)
            .values_list("pk", flat=True)
        )
        # Its guardians and timeline go with it (on_delete CASCADE).
        Application.objects.filter(pk__in=ids, status=ApplicationStatus.UNCONFIRMED).delete()
    logger.info("deleted %s unconfirmed applications past their link", len(ids))
    return len(ids)
