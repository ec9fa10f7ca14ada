"""Post/redirect/get for every form that starts work.

A POST that starts work (an export, an access package, a retention run, invitations, a new
school year, a privacy request, ...) answers with a redirect whatever its outcome, so that a
refresh or the back button never sends it again, and a refused attempt never counts against a
limit twice: a success goes on to the work's page, a refusal (invalid input, the gate, a
limit, a step not allowed now) back to the GET of the form's page. That GET shows the refusal
at its field or in the page's error summary, with what the person typed.

What was typed travels in the session, sealed (it may be free text about a child), under a
key per view and object, for one showing: the GET that shows it drops it, and one not shown
within ``STASH_MAX_AGE`` is dropped unread. Files are never kept (the person chooses the file
again), nor passwords, nor the fields a view names in ``keep_out``.

A view whose POST starts work says so with ``starts_work = True``;
tests/test_post_redirect_get.py finds every such view and checks each one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponseRedirect, QueryDict

from .crypto import SealedDataError, seal, unseal

SESSION_PREFIX = "prg:"
# Long enough for the redirect and its GET; short enough that typed text does not linger.
STASH_MAX_AGE = 10 * 60
NEVER_KEPT = frozenset({"csrfmiddlewaretoken"})


class HttpResponseSeeOther(HttpResponseRedirect):
    """303: the answer to a POST is read with a GET, whatever the browser."""

    status_code = 303


def _session_key(key: str) -> str:
    return f"{SESSION_PREFIX}{key}"


def _stale_drop(request: HttpRequest) -> None:
    """Forget the stashes that were never shown."""
    now = time.time()
    # A session has keys() but cannot itself be iterated.
    for name in [k for k in request.session.keys() if k.startswith(SESSION_PREFIX)]:  # noqa: SIM118
        entry = request.session.get(name)
        if not isinstance(entry, dict) or now - entry.get("at", 0) > STASH_MAX_AGE:
            del request.session[name]


def _submitted(form: forms.BaseForm, keep_out: Iterable[str]) -> dict[str, list[str]]:
    """The form's submitted values, less tokens, passwords and the named fields."""
    skip = set(NEVER_KEPT)
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.PasswordInput) or name in keep_out:
            skip.add(form.add_prefix(name))
    data = form.data
    return {
        name: list(data.getlist(name)) if hasattr(data, "getlist") else [str(data[name])]
        for name in data
        if name not in skip
    }


def refused_redirect(
    request: HttpRequest,
    url: str,
    *,
    key: str | None = None,
    form: forms.BaseForm | None = None,
    errors: Iterable[str] = (),
    keep_out: Iterable[str] = (),
) -> HttpResponseSeeOther:
    """Answer a refused POST with a 303 to ``url`` (the GET of the form's page).

    With ``key``, the page's GET reads the refusal back once: the ``form``'s values and errors
    through ``refused_form``, form-less ``errors`` through ``refused_errors``. Without a key,
    ``errors`` are told through the messages the page shows anyway.
    """
    errors = [str(error) for error in errors]
    if key is None:
        for error in errors:
            messages.error(request, error)
        return HttpResponseSeeOther(url)
    _stale_drop(request)
    content: dict[str, Any] = {"errors": errors}
    if form is not None:
        content["data"] = _submitted(form, keep_out)
        content["form_errors"] = form.errors.get_json_data()
    request.session[_session_key(key)] = {
        "at": int(time.time()),
        "sealed": seal(json.dumps(content)),
    }
    return HttpResponseSeeOther(url)


def _stash_pop(request: HttpRequest, key: str) -> dict[str, Any] | None:
    entry = request.session.pop(_session_key(key), None)
    if not isinstance(entry, dict) or time.time() - entry.get("at", 0) > STASH_MAX_AGE:
        return None
    try:
        return json.loads(unseal(entry["sealed"]))
    except (KeyError, ValueError, SealedDataError):
        # Sealed with a key that is gone since: the page is shown empty, as on a first visit.
        return None


def _errors_restore(form: forms.BaseForm, form_errors: dict[str, list[dict]]) -> None:
    """Put the errors of the refused POST on ``form`` as they were, without validating it
    again (a refusal by the gate or a limit is no validation error, and would be lost)."""
    form._errors = ErrorDict(renderer=form.renderer)  # type: ignore[attr-defined]  # Django keeps the bound errors here
    form.cleaned_data = {}
    for field, items in form_errors.items():
        target = field if field in form.fields else None
        for item in items:
            form.add_error(target, ValidationError(item["message"], code=item.get("code")))


def refused_form(
    request: HttpRequest, form_class: Callable[..., forms.BaseForm], key: str, **kwargs: Any
) -> forms.BaseForm:
    """The form for a GET: the refused one kept under ``key`` (bound to what was typed, with
    its errors; dropped from the session now), else a new one. ``form_class`` is called as
    ``form_class(data, **kwargs)`` or ``form_class(**kwargs)``, so a view's own builder fits."""
    stash = _stash_pop(request, key)
    if stash is None or "data" not in stash:
        return form_class(**kwargs)
    data = QueryDict(mutable=True)
    for name, values in stash["data"].items():
        data.setlist(name, values)
    form = form_class(data, **kwargs)
    _errors_restore(form, stash.get("form_errors") or {})
    for error in stash.get("errors") or ():
        form.add_error(None, error)
    return form


def refused_errors(request: HttpRequest, key: str) -> list[str]:
    """The form-less refusal kept under ``key`` for this GET (dropped now), else []."""
    stash = _stash_pop(request, key)
    return list(stash.get("errors") or ()) if stash else []
