"""Edit forms of existing objects: saved without a change, they write nothing.

A view that edits an existing object with a form says so with ``edits_object = True`` and is
registered in ``tests/test_edit_forms_unchanged.py``, which opens each such form, sends it
back unchanged in Dutch and in English, and checks that no field, version, history entry or
audit event was written. Such a view compares the submitted form with the object's current
values (``form.has_changed()`` against the initial values its page showed) and, when nothing
differs, calls no service and tells the person so.
"""

from django.contrib import messages
from django.utils.translation import gettext_lazy as _

NOTHING_CHANGED = _("Nothing was changed.")


def nothing_changed(request) -> None:
    """Tell the person calmly that the form was saved as it was, so nothing was written."""
    messages.info(request, NOTHING_CHANGED)
