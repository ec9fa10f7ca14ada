"""Erasure on request (AVG art. 17): remove the categories the director approved, keep what the
law requires, and say which is which.

The erasing itself is done by the retention module's erasure service (retention.erasure), the
one place that removes pupil data. The pupil row itself is never deleted (DESIGN rule 4): basic
and enrolment data stay as long as the school must keep them.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from students.models import Student


def always_kept() -> list[dict]:
    """What an erasure request cannot take away, and why (DOMAIN.md)."""
    return [
        {
            "category": _("Name, date of birth, BSN, enrolment and withdrawal data"),
            "reason": _(
                "The school must keep these for funding, DUO and the attendance rules until "
                "5 years after the pupil leaves."
            ),
        },
        {
            "category": _("Consent decisions"),
            "reason": _("The school must be able to prove what was agreed (AVG art. 7)."),
        },
        {
            "category": _("Record of who looked at the data"),
            "reason": _("Security logging the school board is required to keep."),
        },
        {
            "category": _("Data sent outside the school"),
            "reason": _("The school must be able to account for every disclosure."),
        },
    ]


@transaction.atomic
def erase_categories(
    *, actor: User, student: Student, categories: list[str], request_id: int | None = None
) -> dict[str, int]:
    """Erase the chosen categories of one pupil in one transaction through the retention
    module's erasure service, which leaves a tombstone line per category under the request;
    returns a count per category."""
    from retention.erasure import request_categories_erase

    student = Student.objects.select_for_update().get(pk=student.pk)
    return request_categories_erase(
        actor=actor, student=student, categories=categories, request_id=request_id
    )
