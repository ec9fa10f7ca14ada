"""Consent pages: parents decide, staff record paper forms and check publications, the director
sees the dashboard. Every read goes through consent.selectors, or consent/services/reads.py when
the read is an access event; every write through a service."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from accounts.constants import Function
from kernel.csvfiles import CsvMode, csv_response
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect
from students.exceptions import FormerPupilError
from students.models import Student
from students.selectors import function_require

from .constants import Channel, Status
from .forms import (
    BoardFilterForm,
    CampaignForm,
    DashboardFilterForm,
    DecisionForm,
    PaperDecisionForm,
    PublicationForm,
    PublishForm,
    PurposeTextForm,
)
from .models import ConsentCampaign
from .selectors.campaigns import campaign_progress, managed_school_for, purpose_for_manage
from .selectors.dashboards import consent_dashboard, schools_for_dashboard
from .selectors.guardians import guardian_for_decision, student_for_paper_form
from .selectors.publications import (
    photo_list,
    publication_check,
    publication_get_for,
    publications_visible_to,
    pupils_for_publication,
    takedown_for_resolve,
)
from .selectors.status import current_school_year, purpose_get, purposes_active
from .services import (
    ConsentError,
    campaign_start,
    consent_record,
    publication_create,
    publication_publish,
    publication_remove_pupil,
    purpose_text_change,
    takedown_resolve,
)
from .services.reads import (
    board_consent_overview_open_for,
    child_consents_open_for,
    dashboard_school_open_for,
    photo_list_open_for,
)


class ChildConsentView(LoginRequiredMixin, View):
    """A guardian's page for one child: every purpose, its text, status, own choice, history."""

    starts_work = True  # tells the other guardian and the school (kernel.prg)

    def get(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.VIEW_OWN_CHILDREN,
            object_type="guardian",
            object_id=student_id,
            model=Student,
        )
        consents = child_consents_open_for(user=request.user, student_id=student_id)
        return render(request, "consent/child_consent.html", {"consents": consents})

    def post(self, request, student_id):
        student, guardian_id = guardian_for_decision(user=request.user, student_id=student_id)
        form = DecisionForm(request.POST)
        purpose = (
            purpose_get(school_id=student.school_id, purpose=form.data.get("purpose", ""))
            if form.is_valid()
            else None
        )
        url = reverse("child-consent", args=[student.pk])
        if purpose is None:
            error = _("That choice could not be saved; please try again.")
            return refused_redirect(request, url, errors=[error])
        try:
            consent_record(
                student=student,
                purpose=purpose,
                guardian_id=guardian_id,
                decision=form.cleaned_data["decision"],
                channel=Channel.PORTAL,
                recorded_by=request.user,
            )
        except (ConsentError, FormerPupilError) as exc:
            return refused_redirect(request, url, errors=[exc.message])
        messages.success(
            request,
            _("Your choice for “%(purpose)s” has been saved.") % {"purpose": purpose.title},
        )
        return redirect(url)


class StudentConsentView(LoginRequiredMixin, View):
    """Staff see a pupil's consent; administration and director record paper forms here."""

    starts_work = True  # a paper decision tells the guardians (kernel.prg)

    def get(self, request, student_id):
        function_require(
            user=request.user,
            function=Function.VIEW_PUPILS,
            object_type="staff",
            object_id=student_id,
            model=Student,
        )
        consents = child_consents_open_for(user=request.user, student_id=student_id)
        student = consents.student
        form = None
        if request.user.has_function(Function.RECORD_CONSENT):
            form = refused_form(
                request,
                PaperDecisionForm,
                f"student-consent:{student.pk}",
                guardians=[
                    link.guardian
                    for link in student.guardian_links.filter(has_authority=True).select_related(
                        "guardian"
                    )
                ],
                purposes=[item["purpose"] for item in consents.items],
            )
        return render(request, "consent/student_consent.html", {"consents": consents, "form": form})

    def post(self, request, student_id):
        student = student_for_paper_form(user=request.user, student_id=student_id)
        guardians = [
            link.guardian
            for link in student.guardian_links.filter(has_authority=True).select_related("guardian")
        ]
        purposes = purposes_active(student.school_id)
        form = PaperDecisionForm(request.POST, guardians=guardians, purposes=purposes)
        if form.is_valid():
            purpose = next(p for p in purposes if p.pk == form.cleaned_data["purpose"])
            try:
                consent_record(
                    student=student,
                    purpose=purpose,
                    guardian_id=form.cleaned_data["guardian"],
                    decision=form.cleaned_data["decision"],
                    channel=Channel.PAPER,
                    recorded_by=request.user,
                )
            except (ConsentError, FormerPupilError) as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The paper form has been recorded."))
                return redirect("student-consent", student.pk)
        url = reverse("student-consent", args=[student.pk])
        return refused_redirect(request, url, key=f"student-consent:{student.pk}", form=form)


def _dashboard_context(request):
    school = dashboard_school_open_for(user=request.user, school_id=request.GET.get("school"))
    form = DashboardFilterForm(
        request.GET or None,
        schools=schools_for_dashboard(request.user).order_by("name"),
        purposes=purposes_active(school.pk),
    )
    year = purpose = None
    if form.is_bound and form.is_valid():
        year = form.cleaned_data.get("school_year")
        purpose = form.cleaned_data.get("purpose") or None
    data = consent_dashboard(school=school, school_year=year, purpose_code=purpose)
    return form, data


class DashboardView(LoginRequiredMixin, View):
    def get(self, request):
        form, data = _dashboard_context(request)
        context = {
            "form": form,
            **data,
            "chart": _chart(data),
            # The board's privacy officer reads pupil numbers, never a pupil's name.
            "show_names": request.user.has_function(Function.VIEW_PUPILS),
        }
        return render(request, "consent/dashboard.html", context)


class BoardDashboardView(LoginRequiredMixin, View):
    """The board's consent status: per school and purpose code, with totals per code."""

    def get(self, request):
        form = BoardFilterForm(request.GET or None)
        year = form.cleaned_data.get("school_year") if form.is_valid() else None
        data = board_consent_overview_open_for(user=request.user, school_year=year)
        if not form.is_bound:
            form = BoardFilterForm(initial={"school_year": data["school_year"]})
        school_rows = [
            {
                "school": school,
                "pupils": pupils,
                "cells": [purpose.cells[index] for purpose in data["purposes"]],
            }
            for index, (school, pupils) in enumerate(
                zip(data["schools"], data["pupils"], strict=True)
            )
        ]
        return render(
            request, "consent/board.html", {"form": form, **data, "school_rows": school_rows}
        )


class DashboardExportView(LoginRequiredMixin, View):
    """The dashboard as a spreadsheet file. Group names come from the school's own system (an
    imported file), so the file is written formula-safe."""

    def get(self, request):
        _form, data = _dashboard_context(request)
        rows = (
            [group.name, purpose.code, cell.granted, cell.refused, cell.unknown]
            for group in data["groups"]
            for purpose in data["purposes"]
            if (cell := data["cells"].get((group.pk, purpose.pk))) is not None
        )
        name = pgettext("file name", "consent")
        return csv_response(
            rows,
            mode=CsvMode.SPREADSHEET,
            filename=f"{name}-{data['school'].brin}-{data['school_year']}.csv",
            header=["group", "purpose", "granted", "refused", "unknown"],
        )


CHART_LABEL_WIDTH = 220
CHART_BAR_WIDTH = 400
CHART_ROW = 28


def _chart(data) -> dict:
    """Geometry for the server-rendered SVG: one stacked bar per purpose (pixels)."""
    bars: list[dict[str, object]] = []  # rows for the template
    for purpose in data["purposes"]:
        total = data["totals"].get(purpose.pk)
        if total is None or not total.total:
            continue
        y = len(bars) * CHART_ROW
        x = float(CHART_LABEL_WIDTH)
        parts = []
        for status in (Status.GRANTED, Status.REFUSED, Status.UNKNOWN):
            width = CHART_BAR_WIDTH * getattr(total, status) / total.total
            parts.append(
                {
                    "status": status,
                    "x": round(x, 1),
                    "width": round(width, 1),
                    "count": getattr(total, status),
                }
            )
            x += width
        bars.append(
            {
                "purpose": purpose,
                "label_y": y + 18,
                "bar_y": y + 4,
                "parts": parts,
                "granted_share": total.granted_share,
            }
        )
    return {
        "bars": bars,
        "height": len(bars) * CHART_ROW + 8,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 60,
    }


class PhotoListView(LoginRequiredMixin, View):
    """A printable per-group list: who may and may not be photographed for each purpose."""

    def get(self, request, group_id):
        group = photo_list_open_for(user=request.user, group_id=group_id)
        purposes = purposes_active(group.school_id)
        return render(
            request,
            "consent/photo_list.html",
            {
                "group": group,
                "purposes": purposes,
                "rows": photo_list(group=group, purposes=purposes),
            },
        )


class PurposeListView(LoginRequiredMixin, View):
    def get(self, request):
        school = managed_school_for(user=request.user, school_id=request.GET.get("school"))
        return render(
            request,
            "consent/purposes.html",
            {"school": school, "purposes": purposes_active(school.pk)},
        )


def _purpose_initial(purpose) -> dict:
    """The current version's wording, which the form shows and compares a submitted form with
    (the same wording again is no new version)."""
    version = purpose.current_version
    return {
        "title_nl": version.title_nl,
        "title_en": version.title_en,
        "text_nl": version.text_nl,
        "text_en": version.text_en,
    }


class PurposeEditView(LoginRequiredMixin, View):
    template_name = "consent/purpose_edit.html"
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def get(self, request, purpose_id):
        purpose = purpose_for_manage(user=request.user, purpose_id=purpose_id)
        form = PurposeTextForm(initial=_purpose_initial(purpose))
        return render(
            request,
            self.template_name,
            {"purpose": purpose, "form": form, "versions": purpose.versions.all()},
        )

    def post(self, request, purpose_id):
        purpose = purpose_for_manage(user=request.user, purpose_id=purpose_id)
        form = PurposeTextForm(request.POST, initial=_purpose_initial(purpose))
        if not form.has_changed():
            nothing_changed(request)
            return redirect("consent-purposes")
        if form.is_valid():
            version = purpose_text_change(user=request.user, purpose=purpose, **form.cleaned_data)
            messages.success(
                request,
                _("Version %(number)s of the text is now in use.") % {"number": version.number},
            )
            return redirect("consent-purposes")
        return render(
            request,
            self.template_name,
            {"purpose": purpose, "form": form, "versions": purpose.versions.all()},
            status=400,
        )


class CampaignView(LoginRequiredMixin, View):
    template_name = "consent/campaigns.html"
    starts_work = True  # emails the guardians (kernel.prg)

    def get(self, request):
        school = managed_school_for(user=request.user, school_id=request.GET.get("school"))
        campaigns = ConsentCampaign.objects.filter(school=school).order_by("-school_year")
        current = next((c for c in campaigns if c.school_year == current_school_year()), None)
        return render(
            request,
            self.template_name,
            {
                "school": school,
                "campaigns": campaigns,
                "current": current,
                "progress": campaign_progress(current) if current else [],
                "form": refused_form(
                    request,
                    CampaignForm,
                    f"consent-campaigns:{school.pk}",
                    initial={"school_year": current_school_year(), "reminder_days": 7},
                ),
            },
        )

    def post(self, request):
        school = managed_school_for(user=request.user, school_id=request.POST.get("school"))
        form = CampaignForm(request.POST)
        if form.is_valid():
            try:
                campaign_start(user=request.user, school=school, **form.cleaned_data)
            except ConsentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The campaign has started; guardians are emailed."))
                return redirect("consent-campaigns")
        url = f"{reverse('consent-campaigns')}?school={school.pk}"
        return refused_redirect(request, url, key=f"consent-campaigns:{school.pk}", form=form)


class PublicationListView(LoginRequiredMixin, View):
    template_name = "consent/publications.html"

    def _form(self, request, data=None):
        pupils = list(pupils_for_publication(request.user))
        school_ids = {p.school_id for p in pupils}
        purposes = [p for sid in sorted(school_ids) for p in purposes_active(sid)]
        return PublicationForm(data, purposes=purposes, pupils=pupils), pupils, purposes

    def get(self, request):
        form, _pupils, _purposes = self._form(request)
        return render(
            request,
            self.template_name,
            {"form": form, "publications": publications_visible_to(request.user)},
        )

    def post(self, request):
        form, pupils, purposes = self._form(request, request.POST)
        if form.is_valid():
            chosen = [p for p in pupils if p.pk in set(form.cleaned_data["pupils"])]
            purpose = next(p for p in purposes if p.pk == form.cleaned_data["purpose"])
            try:
                publication = publication_create(
                    user=request.user,
                    school=purpose.school,
                    title=form.cleaned_data["title"],
                    purpose=purpose,
                    publish_on=form.cleaned_data["publish_on"],
                    pupils=chosen,
                )
            except ConsentError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("consent-publication", publication.pk)
        return render(
            request,
            self.template_name,
            {"form": form, "publications": publications_visible_to(request.user)},
            status=400,
        )


class PublicationDetailView(LoginRequiredMixin, View):
    template_name = "consent/publication.html"

    def _render(self, request, publication, form=None, status=200):
        rows = publication_check(publication)
        return render(
            request,
            self.template_name,
            {
                "publication": publication,
                "rows": rows,
                "form": form or PublishForm(),
                "all_may": all(row["may"] for row in rows),
                "takedowns": publication.takedowns.filter(resolved_at__isnull=True).select_related(
                    "student"
                ),
            },
            status=status,
        )

    def get(self, request, publication_id):
        publication = publication_get_for(user=request.user, publication_id=publication_id)
        return self._render(request, publication)

    def post(self, request, publication_id):
        publication = publication_get_for(user=request.user, publication_id=publication_id)
        form = PublishForm(request.POST)
        if form.is_valid():
            try:
                publication_publish(user=request.user, publication=publication, weighed=True)
            except ConsentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Marked as published."))
                return redirect("consent-publication", publication.pk)
        return self._render(request, publication, form=form, status=400)


class PublicationRemovePupilView(LoginRequiredMixin, View):
    def post(self, request, publication_id):
        publication = publication_get_for(user=request.user, publication_id=publication_id)
        try:
            student_id = int(request.POST.get("student", ""))
        except ValueError:
            student_id = None
        if student_id:
            publication_remove_pupil(
                user=request.user, publication=publication, student_id=student_id
            )
        return redirect("consent-publication", publication.pk)


class TakedownResolveView(LoginRequiredMixin, View):
    def post(self, request, takedown_id):
        takedown = takedown_for_resolve(user=request.user, takedown_id=takedown_id)
        takedown_resolve(user=request.user, takedown=takedown)
        messages.success(request, _("The takedown is marked as done."))
        return redirect("consent-publication", takedown.publication_id)
