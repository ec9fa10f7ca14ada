"""Leaving's items on the start page's to-do list (``students/start_page.py``): a notice to the
attendance officer that the gate produced when a pupil of compulsory-education age left abroad
or to no known school, until the administration marks it sent. For the director and the
administration of the pupil's school; one query however many."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.selectors import school_ids_with
from students.start_page import TodoItem, urgency_for

from .models import Departure

if TYPE_CHECKING:
    from accounts.models import User


def leaving_todos(user: User) -> list[TodoItem]:
    if not user.has_function(Function.MANAGE_PUPILS):
        return []
    departures = (
        Departure.objects.filter(
            attendance_notice__isnull=False,
            attendance_notice_sent_at__isnull=True,
            student__school_id__in=school_ids_with(user, "manage_school_pupils"),
            student__anonymised_at__isnull=True,
        )
        .select_related("student")
        .only(
            "attendance_notice_due_on",
            "student__given_name",
            "student__surname_prefix",
            "student__surname",
        )
        .order_by("attendance_notice_due_on", "pk")
    )
    return [
        TodoItem(
            title=_("Send the notice of a leaving to the attendance officer"),
            detail=departure.student.display_name,
            link=reverse("leaving-detail", args=[departure.student_id]) + "#notice-heading",
            deadline=departure.attendance_notice_due_on,
            urgency=urgency_for(departure.attendance_notice_due_on),
        )
        for departure in departures
    ]
