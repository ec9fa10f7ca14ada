"""Enrolment from a paper application: the administration (or the director) enrols a pupil
with one to three guardians on one page (students.services.enrolment.pupil_enrol).

Post/redirect/get (kernel.prg): a refused form goes back to the page with everything typed and
each reason at its field; an enrolment goes on to the new pupil's page with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from kernel.prg import HttpResponseSeeOther, refused_form, refused_redirect

from ..exceptions import EnrolmentError
from ..forms import EnrolmentForm
from ..models import Invitation
from ..selectors.enrolment import groups_for_enrol, school_for_enrol, schools_for_enrol
from ..services.enrolment import pupil_enrol


def _key(school) -> str:
    return f"student-enrol:{school.pk}"


def _page(school) -> str:
    return f"{reverse('student-enrol')}?school={school.pk}"


@method_decorator(never_cache, name="dispatch")
class StudentEnrolView(LoginRequiredMixin, View):
    """GET: the form, for one school where the user enrols pupils (``?school=``).
    POST: enrol, or back to the form with the reasons."""

    starts_work = True  # sends the guardians' invitations (kernel.prg)

    def _form(self, school, data=None):
        groups = groups_for_enrol(school=school, today=timezone.localdate())
        return (
            EnrolmentForm(data, groups=groups) if data is not None else EnrolmentForm(groups=groups)
        )

    def get(self, request):
        school = school_for_enrol(user=request.user, school_id=request.GET.get("school"))
        form = refused_form(request, lambda data=None: self._form(school, data), _key(school))
        return render(
            request,
            "students/enrol.html",
            {"form": form, "school": school, "schools": schools_for_enrol(request.user)},
        )

    def post(self, request):
        school = school_for_enrol(
            user=request.user, school_id=request.POST.get("school") or request.GET.get("school")
        )
        form = self._form(school, request.POST)
        if not form.is_valid():
            return refused_redirect(request, _page(school), key=_key(school), form=form)
        data = form.cleaned_data
        try:
            student = pupil_enrol(
                user=request.user,
                school=school,
                group=data["group"],
                start_date=data["start_date"],
                pupil=form.pupil_details(),
                guardians=form.guardian_details(),
                request_base=f"{request.scheme}://{request.get_host()}",
            )
        except EnrolmentError as error:
            form.enrolment_refused(error)
            return refused_redirect(request, _page(school), key=_key(school), form=form)
        invited = Invitation.objects.filter(
            guardian__links__student=student, revoked_at__isnull=True, accepted_at__isnull=True
        ).count()
        messages.success(
            request,
            _("%(name)s is enrolled in %(group)s from %(date)s. Invitations sent: %(count)s.")
            % {
                "name": student.display_name,
                "group": data["group"].name,
                "date": data["start_date"].strftime("%d-%m-%Y"),
                "count": invited,
            },
        )
        return HttpResponseSeeOther(reverse("student-detail", args=[student.pk]))
