"""The legal deadline (AVG art. 12(3)) under a frozen clock: one month from receipt with the
month-end rule, at most two more months counted from receipt, decided within the first month
and with a reason; and which open requests are due soon or overdue."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from accounts.constants import Function
from privacy_requests import services
from privacy_requests.constants import Kind, Status, Step
from privacy_requests.deadlines import due_date_for, months_add
from privacy_requests.models import PrivacyRequest
from privacy_requests.selectors import requests_filter
from privacy_requests.services import RequestError

pytestmark = pytest.mark.usefixtures("english")

HANDLE = Function.HANDLE_REQUESTS
D = datetime.date


@pytest.mark.parametrize(
    ("received", "extension", "due"),
    [
        (D(2027, 3, 10), 0, D(2027, 4, 10)),
        (D(2027, 1, 31), 0, D(2027, 2, 28)),
        (D(2028, 1, 31), 0, D(2028, 2, 29)),  # leap year
        (D(2027, 1, 29), 0, D(2027, 2, 28)),
        (D(2027, 3, 31), 0, D(2027, 4, 30)),
        (D(2027, 12, 15), 0, D(2028, 1, 15)),  # over the turn of the year
        (D(2027, 1, 31), 1, D(2027, 3, 31)),
        (D(2027, 1, 31), 2, D(2027, 4, 30)),
        (D(2027, 12, 31), 2, D(2028, 3, 31)),
        (D(2026, 11, 30), 2, D(2027, 2, 28)),
    ],
)
def test_due_date_follows_month_end_rule_when_computed(received, extension, due):
    assert due_date_for(received, extension) == due


@pytest.mark.parametrize("extension", [-1, 3])
def test_value_error_when_extension_outside_two_months(extension):
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        due_date_for(D(2027, 1, 31), extension)


def test_extension_counted_from_receipt_not_from_the_shortened_due_date():
    # 31 Jan + 1 month = 28 Feb; adding one more month to 28 Feb would give 28 Mar.
    assert months_add(due_date_for(D(2027, 1, 31)), 1) == D(2027, 3, 28)
    assert due_date_for(D(2027, 1, 31), 1) == D(2027, 3, 31)


@pytest.mark.parametrize(
    ("now", "due"),
    [
        ("2027-01-31 10:00", D(2027, 2, 28)),
        ("2028-01-31 10:00", D(2028, 2, 29)),
        # 23:30 UTC on 30 January is already 31 January in Amsterdam.
        ("2027-01-30 23:30", D(2027, 2, 28)),
    ],
)
def test_request_due_on_last_day_of_february_when_received_on_31_january(world, flow, now, due):
    with freeze_time(now):
        request = flow.submit(Kind.ACCESS)

    assert request.due_date == due
    assert request.original_due_date == due


# --- extension ------------------------------------------------------------------------------


def _received_31_january(flow) -> PrivacyRequest:
    with freeze_time("2027-01-31 10:00"):
        return flow.submit(Kind.ACCESS)


def _extend(flow, request, months, reason="Veel gegevens in het oude systeem", role="director"):
    return flow.act(role, request, HANDLE, services.request_extend, months=months, reason=reason)


def test_due_date_one_and_two_months_after_receipt_when_extended(world, flow):
    request = _received_31_january(flow)

    with freeze_time("2027-02-10 10:00"):
        _extend(flow, request, 1, role="administration")
    assert flow.fresh(request).due_date == D(2027, 3, 31)
    with freeze_time("2027-02-20 10:00"):
        _extend(flow, request, 2, reason="Ook de oude zorgdossiers", role="administration")

    request = flow.fresh(request)
    assert request.due_date == D(2027, 4, 30)
    assert request.extension_months == 2
    assert request.extension_reason == "Ook de oude zorgdossiers"
    assert request.original_due_date == D(2027, 2, 28)
    assert list(request.steps.filter(step=Step.EXTENDED).values_list("note", flat=True)) == [
        "Veel gegevens in het oude systeem",
        "Ook de oude zorgdossiers",
    ]


@pytest.mark.parametrize("months", [3, 0, -1])
def test_extension_refused_when_outside_one_or_two_months(world, flow, months):
    request = _received_31_january(flow)

    with freeze_time("2027-02-10 10:00"), pytest.raises(RequestError) as refused:
        _extend(flow, request, months)

    assert "at most two months" in str(refused.value.message)
    assert flow.fresh(request).due_date == D(2027, 2, 28)


def test_third_month_refused_when_already_extended_by_two(world, flow):
    request = _received_31_january(flow)
    with freeze_time("2027-02-10 10:00"):
        _extend(flow, request, 2)

    with freeze_time("2027-02-11 10:00"):
        for months in (1, 2, 3):
            with pytest.raises(RequestError):
                _extend(flow, request, months)

    request = flow.fresh(request)
    assert (request.extension_months, request.due_date) == (2, D(2027, 4, 30))


def test_extension_refused_when_it_would_not_add_time(world, flow):
    request = _received_31_january(flow)
    with freeze_time("2027-02-10 10:00"):
        _extend(flow, request, 1)

    with freeze_time("2027-02-11 10:00"), pytest.raises(RequestError) as refused:
        _extend(flow, request, 1)

    assert "already extended by 1 month" in str(refused.value.message)


@pytest.mark.parametrize(
    ("now", "allowed"),
    [("2027-02-28 21:00", True), ("2027-03-01 08:00", False), ("2027-04-15 08:00", False)],
)
def test_extension_allowed_only_until_original_due_date_when_requested(world, flow, now, allowed):
    request = _received_31_january(flow)

    with freeze_time(now):
        if allowed:
            _extend(flow, request, 1)
        else:
            with pytest.raises(RequestError) as refused:
                _extend(flow, request, 1)
            assert "within the first month" in str(refused.value.message)

    assert flow.fresh(request).due_date == (D(2027, 3, 31) if allowed else D(2027, 2, 28))


@pytest.mark.parametrize("reason", ["", "   \n"])
def test_extension_refused_when_reason_missing(world, flow, reason):
    request = _received_31_january(flow)

    with freeze_time("2027-02-10 10:00"), pytest.raises(RequestError) as refused:
        _extend(flow, request, 1, reason=reason)

    assert "needs a reason" in str(refused.value.message)
    assert flow.fresh(request).extension_months == 0


def test_database_refuses_an_extension_beyond_two_months(world, flow):
    request = _received_31_january(flow)

    with pytest.raises(IntegrityError), transaction.atomic():
        PrivacyRequest.objects.filter(pk=request.pk).update(extension_months=3)


# --- urgency --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "urgency"),
    [
        ("2027-02-20 10:00", ""),  # eight days left
        ("2027-02-21 10:00", "due_soon"),  # seven days left
        ("2027-02-28 20:00", "due_soon"),  # the last day
        ("2027-03-01 08:00", "overdue"),
        ("2027-06-01 08:00", "overdue"),
    ],
)
def test_urgency_follows_the_clock_when_request_is_open(world, flow, now, urgency):
    request = _received_31_january(flow)

    with freeze_time(now):
        assert flow.fresh(request).urgency() == urgency
        qs = PrivacyRequest.objects.all()
        assert list(requests_filter(qs, urgency="overdue")) == (
            [request] if urgency == "overdue" else []
        )
        assert list(requests_filter(qs, urgency="due_soon")) == (
            [request] if urgency == "due_soon" else []
        )


def test_extended_request_no_longer_overdue_when_past_original_due_date(world, flow):
    request = _received_31_january(flow)
    with freeze_time("2027-02-27 10:00"):
        _extend(flow, request, 1)

    with freeze_time("2027-03-05 10:00"):
        assert flow.fresh(request).urgency() == ""


def test_no_urgency_and_closed_late_when_rejected_after_due_date(world, flow):
    request = _received_31_january(flow)

    with freeze_time("2027-03-02 10:00"):
        flow.act(
            "director",
            request,
            Function.DECIDE_REQUESTS,
            services.request_reject,
            reason="Niet van deze school",
        )
        request = flow.fresh(request)
        assert request.status == Status.REJECTED
        assert request.urgency() == ""
        assert list(requests_filter(PrivacyRequest.objects.all(), urgency="overdue")) == []

    assert request.closed_on_time() is False


def test_closed_on_time_when_answered_on_the_due_date(world, flow):
    request = _received_31_january(flow)

    with freeze_time("2027-02-28 22:30"):  # 23:30 in Amsterdam, still the due date
        flow.act(
            "director",
            request,
            Function.DECIDE_REQUESTS,
            services.request_reject,
            reason="Niet van deze school",
        )

    assert flow.fresh(request).closed_on_time() is True
