"""Reads for the funding registrations: the schools where the user handles them (director,
administration: ``handle_school_funding_registrations``). No function 403, another school
404; every refusal is an access event. The board's privacy officer sees the registrations in
the disclosure register only (each is a Disclosure), not here."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from accounts.constants import Function
from audit.constants import DataKind
from students.selectors import function_require, school_ids_with, scoped_get

from ..models import FundingRegistration

PERMISSION = "handle_school_funding_registrations"


def _scoped(user) -> QuerySet[FundingRegistration]:
    return FundingRegistration.objects.filter(school_id__in=school_ids_with(user, PERMISSION))


def _with_relations(qs: QuerySet[FundingRegistration]) -> QuerySet[FundingRegistration]:
    return qs.select_related("student", "student__group", "school", "disclosure", "sent_by")


def registrations_for(*, user) -> QuerySet[FundingRegistration]:
    """Every registration of the user's schools (403 without the function)."""
    function_require(
        user=user,
        function=Function.HANDLE_FUNDING_REGISTRATIONS,
        object_type="funding_registration",
        data_kind=DataKind.BASICS,
    )
    return _with_relations(_scoped(user))


def registrations_due(qs: QuerySet[FundingRegistration]) -> QuerySet[FundingRegistration]:
    """Not yet marked sent, most urgent first."""
    return qs.filter(sent_at__isnull=True).order_by("due_on", "event_on", "pk")


def registrations_done(qs: QuerySet[FundingRegistration]) -> QuerySet[FundingRegistration]:
    """Marked sent, the latest first."""
    return qs.filter(sent_at__isnull=False).order_by("-sent_at", "-pk")


def registration_for(*, user, registration_id) -> FundingRegistration:
    """One registration of the user's schools: 403 without the function, 404 otherwise."""
    return scoped_get(
        user=user,
        queryset=_with_relations(_scoped(user)),
        raw_id=registration_id,
        object_type="funding_registration",
        function=Function.HANDLE_FUNDING_REGISTRATIONS,
        data_kind=DataKind.BASICS,
    )


def registrations_pressing(*, user, within_days: int) -> list[FundingRegistration]:
    """For the start page: not sent, due within ``within_days`` or overdue, in the user's
    schools; empty for a role without the function (never refuses). One query."""
    if not user.has_function(Function.HANDLE_FUNDING_REGISTRATIONS):
        return []
    limit = timezone.localdate() + datetime.timedelta(days=within_days)
    return list(
        _scoped(user)
        .filter(sent_at__isnull=True, due_on__lte=limit)
        .select_related("student", "school")
        .order_by("due_on", "pk")
    )
