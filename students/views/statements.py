"""The schools' privacy statements: public pages (no login), and the director's form for a
new version. Mounted at ``/privacy/`` by ``students/urls.py``; its routes are here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect

from ..models import PrivacyStatement, School
from ..selectors.statements import (
    statement_in_force,
    statement_latest,
    statement_manages,
    statement_school_for_manage,
    statement_school_get,
    statement_schools_all,
    statement_schools_of,
    statement_version_of,
    statement_versions_of,
)
from ..services.statements import TEXT_FIELDS, StatementError, statement_publish
from ..statement_forms import StatementForm

LANGUAGES = ("nl", "en")


class StatementIndexView(View):
    """``/privacy/``, the footer's link: the reader's own school's statement at once when
    there is one school (a parent's children's, a staff member's), else the list."""

    def get(self, request):
        own = statement_schools_of(request.user)
        if len(own) == 1:
            return redirect("privacy-statement-school", own[0].pk)
        schools = own or list(statement_schools_all())
        statements: dict[int, list[PrivacyStatement]] = {}
        for statement in PrivacyStatement.objects.filter(school__in=schools).order_by():
            statements.setdefault(statement.school_id, []).append(statement)
        boards: dict[int, tuple[str, list]] = {}
        for school in schools:
            entry = boards.setdefault(school.board_id, (school.board.name, []))
            entry[1].append((school, statement_in_force(statements.get(school.pk, []))))
        return render(
            request,
            "students/statements/index.html",
            {
                "boards": list(boards.values()),
                "own": bool(own),
                "today": timezone.localdate(),
            },
        )


def _text_choice(request, statement: PrivacyStatement | None) -> dict:
    """Which language the statement's text is shown in: the one asked for (``?text=en``), else
    the reader's; the Dutch when the English is empty (with a note)."""
    asked = request.GET.get("text")
    reader = get_language() or "nl"
    wanted = asked if asked in LANGUAGES else reader
    if statement is None:
        return {}
    text, language = statement.text_for(wanted)
    other = "nl" if language == "en" else "en"
    return {
        "text": text,
        "text_language": language,
        "untranslated": wanted == "en" and language == "nl",
        # The other language, when the statement has a text in it.
        "other_language": other if other == "nl" or statement.text_en.strip() else None,
    }


def _statement_context(
    request, school: School, versions: list[PrivacyStatement], shown: PrivacyStatement | None
) -> dict:
    current = statement_in_force(versions)
    by_number = {v.version: v for v in versions}
    return {
        "school": school,
        "statement": shown,
        "current": current,
        "is_current": shown is not None and current is not None and shown.pk == current.pk,
        "in_force": shown is not None and shown.published_on <= timezone.localdate(),
        # Until when an earlier version applied: the next version's date.
        "replaced_by": by_number.get(shown.version + 1) if shown is not None else None,
        "versions": versions,
        "today": timezone.localdate(),
        "can_edit": statement_manages(request.user, school),
        **_text_choice(request, shown),
    }


class StatementSchoolView(View):
    """The school's statement in force, with its earlier (and any coming) versions."""

    def get(self, request, school_id):
        school = statement_school_get(school_id=school_id)
        versions = statement_versions_of(school)
        context = _statement_context(request, school, versions, statement_in_force(versions))
        return render(request, "students/statements/statement.html", context)


class StatementVersionView(View):
    """One version of the school's statement, as it was published."""

    def get(self, request, school_id, number):
        school = statement_school_get(school_id=school_id)
        versions = statement_versions_of(school)
        shown = statement_version_of(versions, number)
        context = _statement_context(request, school, versions, shown)
        return render(
            request, "students/statements/statement.html", {**context, "version_page": True}
        )


def _initial(latest: PrivacyStatement | None) -> dict:
    """The form as it opens: the newest version's texts (or none), to take effect today, or
    on the newest version's date if that is still to come."""
    today = timezone.localdate()
    if latest is None:
        return {"published_on": today, "based_on": 0}
    return {
        **{name: getattr(latest, name) for name in TEXT_FIELDS},
        "published_on": max(today, latest.published_on),
        "based_on": latest.version,
    }


def _form_key(school: School) -> str:
    return f"privacy-statement-edit:{school.pk}"


class StatementEditView(LoginRequiredMixin, View):
    """The director writes the next version of her school's statement."""

    template_name = "students/statements/edit.html"
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, school_id):
        school = statement_school_for_manage(user=request.user, school_id=school_id)
        latest = statement_latest(school)
        form = refused_form(request, StatementForm, _form_key(school), initial=_initial(latest))
        return render(
            request,
            self.template_name,
            {"school": school, "latest": latest, "form": form},
        )

    def post(self, request, school_id):
        school = statement_school_for_manage(user=request.user, school_id=school_id)
        latest = statement_latest(school)
        form = StatementForm(request.POST, initial=_initial(latest))
        page = reverse("privacy-statement-school", args=[school.pk])
        # A version is its texts: the same texts with another date are no new version.
        if not set(form.changed_data) & set(TEXT_FIELDS):
            nothing_changed(request)
            return redirect(page)
        if form.is_valid():
            data = form.cleaned_data
            try:
                version = statement_publish(user=request.user, school=school, **data)
            except StatementError as exc:
                for field, reasons in exc.field_errors.items():
                    for reason in reasons:
                        form.add_error(field if field in form.fields else None, reason)
                if not exc.field_errors:
                    form.add_error(None, exc.message)
            else:
                if version is None:
                    nothing_changed(request)
                else:
                    messages.success(
                        request,
                        _(
                            "Version %(number)s of the privacy statement is published, in "
                            "force from %(date)s."
                        )
                        % {"number": version.version, "date": date_format(version.published_on)},
                    )
                return redirect(page)
        return refused_redirect(
            request,
            reverse("privacy-statement-edit", args=[school.pk]),
            key=_form_key(school),
            form=form,
        )


urlpatterns = [
    path("", StatementIndexView.as_view(), name="privacy-statement"),
    path("<str:school_id>/", StatementSchoolView.as_view(), name="privacy-statement-school"),
    path(
        "<str:school_id>/versions/<str:number>/",
        StatementVersionView.as_view(),
        name="privacy-statement-version",
    ),
    path("<str:school_id>/edit/", StatementEditView.as_view(), name="privacy-statement-edit"),
]
