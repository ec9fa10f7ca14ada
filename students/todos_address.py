"""The start-page item of the moves parents reported (``students/start_page.py``), registered
in ``students/apps.py``: for whoever confirms them (``MANAGE_PUPILS`` at the school of a child
who moves), one item with their number, one query however many wait."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import ngettext

from .selectors.self_service import address_changes_pending_count
from .start_page import TodoItem

if TYPE_CHECKING:
    from accounts.models import User


def address_change_todos(user: User) -> list[TodoItem]:
    count = address_changes_pending_count(user)  # 0 without the function, without a query
    if not count:
        return []
    return [
        TodoItem(
            title=ngettext("%(count)d move to confirm", "%(count)d moves to confirm", count)
            % {"count": count},
            detail=ngettext(
                "A parent reported a new address.", "Parents reported a new address.", count
            ),
            link=reverse("address-change-list"),
        )
    ]
