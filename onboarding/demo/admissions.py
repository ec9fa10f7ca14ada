"""The demo's admissions: three applications as a school has them in December (one inside its
6 weeks with a support need the director reads, one whose period the director extended, one
refused with a referral to a school that can offer the support) and the leaving of the demo's
former pupil, who went to special education last school year once that school had confirmed
the enrolment.

An application's history is written as it happened (the parent confirmed weeks ago); the
decisions go through the services, so their timeline, letters and evidence are the real ones,
and are then dated back."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from admissions.constants import (
    DECISION_PERIOD,
    ApplicationStatus,
    Channel,
    LeavingReason,
    TimelineKind,
)
from admissions.models import Application, ApplicationEvent, ApplicationGuardian, Departure
from admissions.services.decisions import application_extend, application_refuse
from students.models import School, Student

from .people import DOMAIN, Demo


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _application(
    school: School,
    *,
    reference: str,
    complete_on: datetime.date,
    child: tuple[str, str, str, str],
    born: datetime.date,
    parent: tuple[str, str, str],
    current_school: str,
    support_needs: str = "",
) -> Application:
    """An online application the parent confirmed on ``complete_on``."""
    first_names, given_name, prefix, surname = child
    parent_first, parent_surname, email = parent
    # Desired start: the month after the 4th birthday (the first day a child may start).
    fourth = born.replace(year=born.year + 4)
    start = (fourth.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    application = Application.objects.create(
        school=school,
        reference=reference,
        status=ApplicationStatus.RECEIVED,
        channel=Channel.ONLINE,
        email=email,
        submitted_at=_at(complete_on, 20),
        complete_on=complete_on,
        decision_due_on=complete_on + DECISION_PERIOD,
        first_names=first_names,
        given_name=given_name,
        surname_prefix=prefix,
        surname=surname,
        date_of_birth=born,
        desired_start_date=start,
        current_school=current_school,
        support_needs=support_needs,
    )
    ApplicationGuardian.objects.create(
        application=application,
        first_name=parent_first,
        surname_prefix=prefix,
        surname=parent_surname,
        email=email,
        phone="06 12345678",
        address="Lindelaan 12, 3512 AB Utrecht",
    )
    ApplicationEvent.objects.bulk_create(
        [
            ApplicationEvent(
                application=application, at=_at(complete_on, 20), kind=TimelineKind.SUBMITTED
            ),
            ApplicationEvent(
                application=application, at=_at(complete_on, 21), kind=TimelineKind.CONFIRMED
            ),
        ]
    )
    return application


def _backdate(application: Application, kind: str, day: datetime.date) -> None:
    ApplicationEvent.objects.filter(application=application, kind=kind).update(at=_at(day, 11))


def applications_load(demo: Demo, school: School) -> None:
    director = User.objects.get(email=f"directeur@{DOMAIN}")
    today, year = demo.today, demo.year
    # Inside its 6 weeks and due within a week (so on the start page): confirmed 37 days ago,
    # with a support need only the director and the care coordinator read.
    _application(
        school,
        reference=f"{year}-DMN4QR",
        complete_on=today - datetime.timedelta(days=37),
        child=("Noor Elisabeth", "Noor", "", "Smit"),
        born=today.replace(day=1) - datetime.timedelta(days=3 * 365 + 200),
        parent=("Sanne", "Smit", f"s.smit@thuis.{DOMAIN}"),
        current_school="Kinderdagverblijf De Boomhut",
        support_needs=(
            "Noor heeft een spraak-taalachterstand; zij gaat sinds de zomer naar de logopedist."
        ),
    )
    # Extended: confirmed 5 weeks and 3 days ago; the director extended it last week.
    extended = _application(
        school,
        reference=f"{year}-EXT7KW",
        complete_on=today - datetime.timedelta(days=38),
        child=("Daan Pieter", "Daan", "de", "Vries"),
        born=today.replace(day=1) - datetime.timedelta(days=3 * 365 + 300),
        parent=("Mirjam", "Vries", f"m.devries@thuis.{DOMAIN}"),
        current_school="Peuteropvang 't Kikkertje",
        support_needs=(
            "Daan heeft een diagnose autisme; het consultatiebureau adviseert een kleine groep."
        ),
    )
    application_extend(
        user=director,
        application=extended,
        reason=(
            "Wij wachten op het advies van het samenwerkingsverband over de ondersteuning die "
            "Daan nodig heeft."
        ),
    )
    extended_on = today - datetime.timedelta(days=6)
    Application.objects.filter(pk=extended.pk).update(extended_on=extended_on)
    _backdate(extended, TimelineKind.EXTENDED, extended_on)
    # Refused with a referral: the school cannot offer the support the child needs.
    refused = _application(
        school,
        reference=f"{year}-REF3HT",
        complete_on=today - datetime.timedelta(days=70),
        child=("Mila Sophie", "Mila", "", "Janssen"),
        born=today.replace(day=1) - datetime.timedelta(days=4 * 365 - 90),
        parent=("Ilse", "Janssen", f"i.janssen@thuis.{DOMAIN}"),
        current_school="Kinderdagverblijf De Boomhut",
        support_needs=(
            "Mila is ernstig slechthorend en heeft een tolk en een aangepast lokaal nodig."
        ),
    )
    application_refuse(
        user=director,
        application=refused,
        reason=(
            "Onze school kan de ondersteuning die Mila nodig heeft (een aangepast lokaal en "
            "begeleiding bij slechthorendheid) niet bieden."
        ),
        referral_school="Auris school De Horizon, Utrecht (BRIN 04XY)",
    )
    decided_on = today - datetime.timedelta(days=35)
    Application.objects.filter(pk=refused.pk).update(decided_on=decided_on)
    _backdate(refused, TimelineKind.REFUSED, decided_on)


def former_pupil_departure_load(student: Student) -> None:
    """The leaving of the former pupil (withdrawn by ``former_pupil_create``): the special
    school confirmed the enrolment first, as the law asks for a pupil of compulsory age."""
    left_on = student.withdrawn_on
    if left_on is None:
        return
    Departure.objects.update_or_create(
        student=student,
        defaults={
            "left_on": left_on,
            "reason": LeavingReason.SPECIAL_EDUCATION,
            "destination_brin": "23XY",
            "destination_name": "SBO De Wegwijzer",
            "enrolment_confirmed_on": left_on - datetime.timedelta(days=4),
            "recorded_at": _at(left_on, 15),
            "recorded_by": User.objects.get(email=f"administratie@{DOMAIN}"),
        },
    )
