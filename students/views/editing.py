"""The school's edit pages of a pupil's and a guardian's data and the emergency contacts, and
the pupil's history (students.services.editing, students.selectors.history).

Post/redirect/get (kernel.prg): a refused form goes back to its page with what was typed and
each reason at its field; a save goes to the pupil page with what changed. Saved unchanged,
nothing is written (kernel.editing). Each form carries the version of the values it showed:
a save over someone else's change since is refused, keeps what was typed and shows what is
saved now, and may then be saved again on purpose.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from accounts.constants import Function
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect

from ..exceptions import EditConflictError, EditError, FormerPupilError
from ..forms_editing import EmergencyContactsForm, GuardianEditForm, StudentEditForm
from ..models import ChangeRecord, Guardianship, Student
from ..selectors import function_require, student_access_for
from ..selectors.editing import may_edit
from ..selectors.history import changes_for, field_label, show_value
from ..services.editing import (
    emergency_contacts_update,
    emergency_values,
    guardian_open_for_edit,
    guardian_update,
    guardian_values,
    pupil_values,
    record_version,
    student_open_for_edit,
    student_update,
)
from ..services.emergency import emergency_contacts_of
from ..services.reads import student_open_for

CHANNEL = ChangeRecord.Channel.SCHOOL
HISTORY_ON_PAGE = 5


def _fields_said(record: ChangeRecord) -> str:
    return ", ".join(field_label(record.subject, name).lower() for name in record.fields)


def _conflict_text() -> str:
    return _(
        "Someone else changed this data since you opened the form. Nothing was saved: what "
        "you typed is kept below, and what is saved now where it differs is shown above it."
    )


def _conflict(form) -> bool:
    return _conflict_text() in [str(e) for e in form.non_field_errors()]


def _saved_now(form, subject: str, values: dict) -> list:
    """After someone else's change: what is stored now, in words, where it differs from the
    form the person sent back (their own typing and the other person's change alike)."""
    if not (form.is_bound and _conflict(form)):
        return []
    differs = []
    for name, value in values.items():
        field = form.fields.get(name)
        if field is not None and name != "bsn" and field.has_changed(value, form[name].data):
            differs.append(
                (
                    field_label(subject, name),
                    show_value(name, value.isoformat() if hasattr(value, "isoformat") else value),
                )
            )
    return differs


def _refused(request, url: str, key: str, form, error: Exception, current_version: str):
    """Back to the form: the reasons at their fields; on a conflict, the version of what is
    stored now, so that saving again (after a look) is a deliberate choice."""
    if isinstance(error, EditConflictError):
        data = form.data.copy()
        data["version"] = current_version
        form.data = data
        form.add_error(None, _conflict_text())
    elif isinstance(error, EditError):
        form.apply_errors(error.field_errors)
    return refused_redirect(request, url, key=key, form=form)


# --- The pupil -------------------------------------------------------------------------------


def _student_key(student: Student) -> str:
    return f"student-edit:{student.pk}"


def _student_initial(student: Student) -> dict:
    values = pupil_values(student)
    return {
        **{name: value for name, value in values.items() if name != "bsn"},
        "version": record_version(values),
    }


@method_decorator(never_cache, name="dispatch")
class StudentEditView(LoginRequiredMixin, View):
    """The pupil's details, as at enrolment (administration, the director)."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, student_id):
        student = student_open_for_edit(user=request.user, student_id=student_id)
        access = student_access_for(user=request.user, student=student)
        form = refused_form(
            request,
            lambda data=None: StudentEditForm(data, initial=_student_initial(student)),
            _student_key(student),
        )
        return render(
            request,
            "students/student_edit.html",
            {
                "student": student,
                "access": access,
                "form": form,
                "former": not student.is_enrolled,
                "saved_now": _saved_now(form, ChangeRecord.Subject.PUPIL, pupil_values(student)),
            },
        )

    def post(self, request, student_id):
        student = student_open_for_edit(user=request.user, student_id=student_id)
        url = reverse("student-edit", args=[student.pk])
        form = StudentEditForm(request.POST, initial=_student_initial(student))
        if not form.has_changed():
            nothing_changed(request)
            return redirect("student-detail", student.pk)
        if not form.is_valid():
            return refused_redirect(request, url, key=_student_key(student), form=form)
        try:
            record = student_update(
                actor=request.user,
                student=student,
                changes=form.changes(),
                channel=CHANNEL,
                version=form.cleaned_data["version"],
            )
        except FormerPupilError as error:
            return refused_redirect(request, url, errors=[error.message])
        except (EditConflictError, EditError) as error:
            current = record_version(pupil_values(Student.objects.get(pk=student.pk)))
            return _refused(request, url, _student_key(student), form, error, current)
        if record is None:
            nothing_changed(request)
        else:
            messages.success(
                request, _("Saved. Changed: %(fields)s.") % {"fields": _fields_said(record)}
            )
        return redirect("student-detail", student.pk)


# --- A guardian ------------------------------------------------------------------------------


def _guardian_key(link: Guardianship) -> str:
    return f"guardian-edit:{link.pk}"


def _guardian_initial(guardian) -> dict:
    values = guardian_values(guardian)
    return {**values, "version": record_version(values)}


def _others_who_would_see(link: Guardianship) -> list[str]:
    """The other guardians of this guardian's children at the pupil's school, by name: who
    sees the contact data when it is no longer confidential."""
    children = Guardianship.objects.filter(
        guardian_id=link.guardian_id, student__school_id=link.student.school_id
    ).values("student_id")
    names = {
        other.guardian.display_name
        for other in Guardianship.objects.filter(student_id__in=children)
        .exclude(guardian_id=link.guardian_id)
        .select_related("guardian")
    }
    return sorted(names)


@method_decorator(never_cache, name="dispatch")
class GuardianEditView(LoginRequiredMixin, View):
    """A guardian's details and the confidential flag, reached through one of their children."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, student_id, guardian_id):
        link = guardian_open_for_edit(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        guardian = link.guardian
        form = refused_form(
            request,
            lambda data=None: GuardianEditForm(data, initial=_guardian_initial(guardian)),
            _guardian_key(link),
        )
        return render(
            request,
            "students/guardian_edit.html",
            {
                "link": link,
                "student": link.student,
                "guardian": guardian,
                "form": form,
                "former": not link.student.is_enrolled,
                "has_account": guardian.user_id is not None,
                "login_email": guardian.user.email if guardian.user_id else "",
                "others": _others_who_would_see(link),
                "saved_now": _saved_now(
                    form, ChangeRecord.Subject.GUARDIAN, guardian_values(guardian)
                ),
            },
        )

    def post(self, request, student_id, guardian_id):
        link = guardian_open_for_edit(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        guardian = link.guardian
        url = reverse("guardian-edit", args=[link.student_id, link.guardian_id])
        form = GuardianEditForm(request.POST, initial=_guardian_initial(guardian))
        if not form.has_changed():
            nothing_changed(request)
            return redirect("student-detail", link.student_id)
        if not form.is_valid():
            return refused_redirect(request, url, key=_guardian_key(link), form=form)
        try:
            record = guardian_update(
                actor=request.user,
                guardian=guardian,
                student=link.student,
                changes=form.changes(),
                channel=CHANNEL,
                school_id=link.student.school_id,
                version=form.cleaned_data["version"],
            )
        except FormerPupilError as error:
            return refused_redirect(request, url, errors=[error.message])
        except (EditConflictError, EditError) as error:
            guardian.refresh_from_db()
            current = record_version(guardian_values(guardian))
            return _refused(request, url, _guardian_key(link), form, error, current)
        if record is None:
            nothing_changed(request)
            return redirect("student-detail", link.student_id)
        messages.success(
            request, _("Saved. Changed: %(fields)s.") % {"fields": _fields_said(record)}
        )
        if "contact_confidential" in record.fields:
            name = guardian.display_name
            if form.cleaned_data["contact_confidential"]:
                messages.info(
                    request,
                    _("The other parents and guardians no longer see the contact data of %(name)s.")
                    % {"name": name},
                )
            else:
                messages.info(
                    request,
                    _("The other parents and guardians now see the contact data of %(name)s.")
                    % {"name": name},
                )
        return redirect("student-detail", link.student_id)


# --- Emergency contacts ----------------------------------------------------------------------


def _emergency_saved_now(form, student: Student) -> list:
    if not (form.is_bound and _conflict(form)):
        return []
    lines = emergency_values(student)["emergency_contacts"]
    name = "emergency_contacts"
    return [(field_label(ChangeRecord.Subject.EMERGENCY_CONTACTS, name), show_value(name, lines))]


def _emergency_key(student: Student) -> str:
    return f"student-emergency-contacts:{student.pk}"


def _emergency_initial(student: Student) -> dict:
    return {
        **EmergencyContactsForm.initial_for(emergency_contacts_of(student)),
        "version": record_version(emergency_values(student)),
    }


@method_decorator(never_cache, name="dispatch")
class EmergencyContactsEditView(LoginRequiredMixin, View):
    """The pupil's emergency contacts, up to four, in the order the school calls them."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, student_id):
        student = student_open_for_edit(user=request.user, student_id=student_id)
        form = refused_form(
            request,
            lambda data=None: EmergencyContactsForm(data, initial=_emergency_initial(student)),
            _emergency_key(student),
        )
        return render(
            request,
            "students/emergency_contacts_edit.html",
            {
                "student": student,
                "form": form,
                "former": not student.is_enrolled,
                "saved_now": _emergency_saved_now(form, student),
            },
        )

    def post(self, request, student_id):
        student = student_open_for_edit(user=request.user, student_id=student_id)
        url = reverse("student-emergency-contacts", args=[student.pk])
        form = EmergencyContactsForm(request.POST, initial=_emergency_initial(student))
        if not form.has_changed():
            nothing_changed(request)
            return redirect("student-detail", student.pk)
        if not form.is_valid():
            return refused_redirect(request, url, key=_emergency_key(student), form=form)
        try:
            changed = emergency_contacts_update(
                actor=request.user,
                student=student,
                contacts=form.contacts(),
                channel=CHANNEL,
                version=form.cleaned_data["version"],
            )
        except FormerPupilError as error:
            return refused_redirect(request, url, errors=[error.message])
        except EditConflictError as error:
            current = record_version(emergency_values(student))
            return _refused(request, url, _emergency_key(student), form, error, current)
        if changed:
            messages.success(request, _("The emergency contacts are saved."))
        else:
            nothing_changed(request)
        return redirect("student-detail", student.pk)


# --- The history -----------------------------------------------------------------------------


class StudentHistoryView(LoginRequiredMixin, View):
    """Every change of the pupil's data that this member of staff may see."""

    def get(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.VIEW_PUPILS,
            object_type="student",
            object_id=student_id,
            model=Student,
        )
        student = student_open_for(user=request.user, student_id=student_id)
        access = student_access_for(user=request.user, student=student)
        return render(
            request,
            "students/student_history.html",
            {"student": student, "changes": changes_for(request.user, student, access)},
        )


def pupil_page_extras(user, student: Student, access) -> dict:
    """What the staff's pupil page shows of this part: the edit links (for who may edit), the
    emergency contacts (for staff who see the guardians) and the latest changes."""
    return {
        "may_edit": may_edit(user, student) and student.is_enrolled,
        "emergency_contacts": emergency_contacts_of(student) if access.guardians else [],
        "changes": changes_for(user, student, access, limit=HISTORY_ON_PAGE),
        "changes_limit": HISTORY_ON_PAGE,
    }


def child_page_extras(user, student: Student, access) -> dict:
    """What a guardian's child page shows of this part: the emergency contacts and the
    changes to the data they may see."""
    return {
        "emergency_contacts": emergency_contacts_of(student),
        "changes": changes_for(user, student, access, limit=10),
    }


__all__ = [
    "EmergencyContactsEditView",
    "GuardianEditView",
    "StudentEditView",
    "StudentHistoryView",
    "child_page_extras",
    "pupil_page_extras",
]
