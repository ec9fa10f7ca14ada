from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View

from accounts.constants import Function

from ..forms import StudentSearchForm
from ..models import Student
from ..selectors import (
    function_require,
    groups_current_for,
    guardians_of_for,
    limits_for,
    student_access_for,
    students_listed,
    students_named,
    students_visible_to,
)
from ..selectors.invitations import invitations_of
from ..selectors.self_service import pupil_address_hidden_for
from ..services.reads import child_open_for, progress_open_for, student_open_for
from .editing import child_page_extras, pupil_page_extras


class StudentListView(LoginRequiredMixin, View):
    def get(self, request):
        function_require(user=request.user, function=Function.VIEW_PUPILS, object_type="student")
        groups = list(groups_current_for(request.user))
        form = StudentSearchForm(request.GET or None, groups=groups)
        students = students_visible_to(request.user)
        if form.is_valid():
            data = form.cleaned_data
            if data.get("former"):
                students = students_visible_to(request.user, only_former=True)
            if data.get("q"):
                students = students_named(students, data["q"])
            if data.get("group"):
                students = students.filter(group_id=data["group"])
        page = Paginator(students_listed(students), 25).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "students/student_list.html",
            {
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "can_enrol": request.user.has_function(Function.MANAGE_PUPILS),
            },
        )


class StudentDetailView(LoginRequiredMixin, View):
    def get(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.VIEW_PUPILS,
            object_type="student",
            object_id=student_id,
            model=Student,
        )
        student = student_open_for(user=request.user, student_id=student_id, with_history=True)
        access = student_access_for(user=request.user, student=student)
        return render(
            request,
            "students/student_detail.html",
            {
                "student": student,
                "access": access,
                "guardians": guardians_of_for(user=request.user, student=student, access=access),
                "placements": student.placements.all(),
                "links": _record_links(request.user),
                "limits": limits_for(student=student),
                "guardian_accounts": _guardian_accounts(request.user, student),
                **pupil_page_extras(request.user, student, access),
            },
        )


def _guardian_accounts(user, student) -> list[dict]:
    """For administration and the director: each guardian's portal account or invitation,
    with the buttons to invite, send again, revoke, and change parental authority."""
    from ..models import Guardianship, SchoolUserObjectPermission

    if not user.has_function(Function.MANAGE_PUPILS) or not (
        SchoolUserObjectPermission.objects.filter(
            user_id=user.pk,
            permission__codename="manage_school_pupils",
            content_object_id=student.school_id,
        ).exists()
    ):
        return []
    invitations = invitations_of(student=student)
    return [
        {
            "link": link,
            "guardian": link.guardian,
            "invitation": invitations.get(link.guardian_id),
        }
        for link in Guardianship.objects.filter(student=student)
        .select_related("guardian", "guardian__user")
        .order_by("guardian__surname", "guardian_id")
    ]


def _authority_key(link) -> str:
    return f"guardian-authority:{link.pk}"


class GuardianAuthorityConfirmView(LoginRequiredMixin, View):
    """Administration or the director about to record a change of parental authority: what
    will happen, and the court decision's date and reference, before anything changes."""

    def get(self, request, student_id, guardian_id):
        from kernel.prg import refused_form

        from ..forms import AuthorityChangeForm
        from ..selectors import guardianship_for_manage

        link = guardianship_for_manage(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        form = refused_form(
            request,
            AuthorityChangeForm,
            _authority_key(link),
            initial={"has_authority": "0" if link.has_authority else "1"},
        )
        return render(
            request,
            "students/authority_confirm.html",
            {
                "link": link,
                "student": link.student,
                "guardian": link.guardian,
                "form": form,
                "to_authority": not link.has_authority,
            },
        )


class GuardianAuthorityView(LoginRequiredMixin, View):
    """Administration records a change of parental authority (a court decision): only with
    the decision's date and reference and the confirmation of the page before."""

    def post(self, request, student_id, guardian_id):
        from django.contrib import messages
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from kernel.prg import refused_redirect

        from ..forms import AuthorityChangeForm
        from ..selectors import guardianship_for_manage
        from ..services import guardian_authority_set

        link = guardianship_for_manage(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        form = AuthorityChangeForm(request.POST)
        if not form.is_valid():
            return refused_redirect(
                request,
                reverse("guardian-authority-confirm", args=[link.student_id, link.guardian_id]),
                key=_authority_key(link),
                form=form,
            )
        data = form.cleaned_data
        guardian_authority_set(
            actor=request.user,
            link=link,
            has_authority=data["has_authority"],
            decided_on=data["decided_on"],
            reference=data["reference"],
        )
        messages.success(request, _("Parental authority was updated; it applies at once."))
        return redirect("student-detail", link.student_id)


class ChildDetailView(LoginRequiredMixin, View):
    """A guardian's page for one of their children."""

    def get(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.VIEW_OWN_CHILDREN,
            object_type="student",
            object_id=student_id,
            model=Student,
        )
        student = child_open_for(user=request.user, student_id=student_id)
        access = student_access_for(user=request.user, student=student)
        _student, progress = progress_open_for(user=request.user, student_id=student.pk)
        return render(
            request,
            "students/child_detail.html",
            {
                "student": student,
                "access": access,
                "guardians": guardians_of_for(user=request.user, student=student, access=access),
                "progress": progress,
                # Guardians with parental authority submit requests online; others ask the school.
                "may_request": access.guardian_has_authority,
                # The child lives at a co-guardian's confidential address: not shown here.
                "address_hidden": pupil_address_hidden_for(
                    guardian_id=access.guardian_self_id, student=student
                ),
                **child_page_extras(request.user, student, access),
            },
        )


def _record_links(user) -> dict[str, bool]:
    """Which record pages to offer on the pupil page (each checks access again itself)."""
    return {
        "progress": user.has_function(Function.VIEW_PROGRESS),
        "care": user.has_function(Function.VIEW_CARE),
        "religion": user.has_function(Function.VIEW_RELIGION),
        "access_log": user.has_function(Function.VIEW_ACCESS_LOG),
        "consent": user.has_function(Function.VIEW_CONSENT),
        "paper_request": user.has_function(Function.HANDLE_REQUESTS),
        "legal_hold": user.has_function(Function.MANAGE_RETENTION),
        "leaving": user.has_function(Function.MANAGE_PUPILS),
    }
