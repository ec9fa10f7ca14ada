"""Retention's items on the start page's to-do list (``students/start_page.py``), registered in
``retention/apps.py``: for the director, each of their schools whose retention rules wait to be
set up (until then nothing is deleted on time)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.models import School
from students.selectors import school_ids_with
from students.start_page import TodoItem

from .constants import DEFAULTS
from .models import RetentionRule

if TYPE_CHECKING:
    from accounts.models import User


def retention_todos(user: User) -> list[TodoItem]:
    if not user.has_function(Function.MANAGE_RETENTION):
        return []
    schools = list(
        School.objects.filter(pk__in=school_ids_with(user, "manage_school_retention")).order_by(
            "name"
        )
    )
    saved = Counter(
        RetentionRule.objects.filter(school_id__in=[s.pk for s in schools]).values_list(
            "school_id", flat=True
        )
    )
    page = reverse("retention")
    return [
        TodoItem(
            title=_("Set up the retention rules of %(school)s") % {"school": school.name},
            detail=_("The standard periods apply only once you set them up."),
            link=f"{page}?school={school.pk}#rules-set-up",
        )
        for school in schools
        if saved[school.pk] < len(DEFAULTS)
    ]
