"""Pages for privacy requests: the parent's form and list, the school's inbox and request page
with one POST endpoint per step, the package review and the guardians' download."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views import View

from accounts.authentication import SessionOrTokenRequiredMixin
from accounts.constants import Function
from audit.constants import DataKind
from consent.selectors.status import purposes_active
from kernel import throttling
from kernel.prg import refused_errors, refused_form, refused_redirect
from kernel.signed_links import DownloadLink
from students.exceptions import StudentError
from students.selectors import children_of, not_found

from . import forms, services
from .constants import MAX_EXTENSION_MONTHS, ErasureCategory, Kind, PackageStatus
from .document import readable_sections
from .package import section_titles
from .selectors import (
    children_for_requests,
    guardian_is_requester_side,
    guardian_request_target,
    guardians_with_authority,
    limit_for_lift,
    limits_for_request,
    oversight_for,
    package_for_download,
    paper_request_target,
    request_for_action,
    requests_filter,
    requests_list_for,
    timeline_for,
)

# Either guardian with parental authority may download the package (package_for_download
# decides who): the link is bound to the format, not to a login (kernel.signed_links).
PACKAGE_LINK = DownloadLink(salt="privacy_requests.package")
FORMATS = {"pdf": ("application/pdf", "pdf_file"), "json": ("application/json", "json_file")}


def download_url(package, user, fmt: str) -> str | None:
    """A relative link to one format; it stops working when the package expires, and only
    the login of one of the child's guardians with authority opens it (anyone else: 404)."""
    if not package.downloadable:
        return None
    token = PACKAGE_LINK.token(object_id=package.pk, bound_to=fmt)
    return reverse("request-package-download", args=[package.request_id, fmt, token])


def pupil_names_shown(user) -> bool:
    """Staff with pupils in scope and guardians read the child's name on a request; the
    board's privacy officer oversees by pupil number (DESIGN: never a pupil's name)."""
    return user.has_function(Function.VIEW_PUPILS) or user.has_function(Function.VIEW_OWN_CHILDREN)


def _purposes_for(children):
    purposes = []
    for school_id in {child.school_id for child in children}:
        purposes.extend(purposes_active(school_id))
    return purposes


class RequestListView(LoginRequiredMixin, View):
    """Guardians: their requests. Staff: the inbox with deadlines. Privacy officer: the
    board's requests with on-time rates per school."""

    def get(self, request):
        user = request.user
        qs = requests_list_for(user)
        form = forms.InboxFilterForm(request.GET or None)
        if form.is_bound and form.is_valid():
            qs = requests_filter(qs, **form.cleaned_data)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        staff = not user.has_function(Function.SUBMIT_REQUESTS) or user.is_school_staff
        return render(
            request,
            "privacy_requests/list.html",
            {
                "page": page,
                "form": form,
                "query": query.urlencode(),
                "staff": staff,
                "show_names": pupil_names_shown(user),
                "today": timezone.localdate(),
                "can_submit": user.has_function(Function.SUBMIT_REQUESTS)
                and children_for_requests(user).exists(),
                "oversight": oversight_for(user)
                if user.has_function(Function.OVERSEE_REQUESTS)
                else None,
            },
        )


class RequestCreateView(LoginRequiredMixin, View):
    """A guardian with parental authority submits a request for one of their children."""

    template_name = "privacy_requests/form.html"
    starts_work = True  # kernel.prg: a refused request redirects too
    refused_key = "request-create"

    def _form(self, request, data=None):
        children = list(children_for_requests(request.user))
        if not children:
            # A guardian without authority (403: they ask the school), a staff member (403)
            # or an account without children (404): the selector decides and records it.
            any_child = children_of(request.user).first()
            guardian_request_target(user=request.user, student_id=any_child.pk if any_child else 0)
        initial = None
        if data is None:
            initial = {"student": request.GET.get("child"), "kind": _kind_asked(request)}
        return forms.RequestForm(
            data, initial=initial, children=children, purposes=_purposes_for(children)
        )

    def get(self, request):
        # First step: what do you want (?kind=, chosen on this page; without JavaScript its
        # button loads the page again with the kind). Then only that kind's part of the form.
        form = refused_form(request, partial(self._form, request), self.refused_key)
        chosen = form.chosen_kind()
        child = request.GET.get("child", "")
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "kinds": forms.kind_options(chosen),
                "chosen": chosen,
                "child": child if child.isdigit() else "",
                "show_details": bool(chosen) or form.is_bound,
            },
        )

    def post(self, request):
        form = self._form(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            student, guardian = guardian_request_target(
                user=request.user, student_id=data["student"]
            )
            try:
                throttling.check("request_submit", str(request.user.pk))
            except throttling.RateLimitedError as limited:
                form.add_error(None, limited.message)
                return self._refused(request, form)
            try:
                created = services.request_submit(
                    user=request.user,
                    student=student,
                    guardian=guardian,
                    kind=data["kind"],
                    description=data["description"],
                    correction_field=data.get("correction_field", ""),
                    correction_value=data.get("correction_value", ""),
                    categories=form.categories(),
                    purpose_codes=data.get("purpose_codes") or [],
                )
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _("Your request was received. The school answers by %(date)s.")
                    % {"date": date_format(created.due_date, "DATE_FORMAT")},
                )
                return redirect("request-detail", created.pk)
        return self._refused(request, form)

    def _refused(self, request, form):
        # Back to the same part of the form, with what was typed (kernel.prg).
        url = reverse("request-create")
        kind = request.POST.get("kind", "")
        if kind in Kind.values:
            url = f"{url}?{urlencode({'kind': kind})}"
        return refused_redirect(request, url, key=self.refused_key, form=form)


def _kind_asked(request) -> str:
    kind = request.GET.get("kind", "")
    return kind if kind in Kind.values else ""


class PaperRequestView(LoginRequiredMixin, View):
    """Administration or the director registers a request that came in on paper."""

    template_name = "privacy_requests/paper_form.html"
    starts_work = True  # kernel.prg: a refused registration redirects too

    def _target(self, request, student_id):
        student = paper_request_target(user=request.user, student_id=student_id)
        return student, list(guardians_with_authority(student))

    def _form(self, student, guardians, data=None):
        return forms.PaperRequestForm(
            data,
            initial={"student": student.pk, "received_on": timezone.localdate()},
            student=student,
            guardians=guardians,
            purposes=purposes_active(student.school_id),
        )

    def get(self, request, student_id):
        student, guardians = self._target(request, student_id)
        key = f"request-register:{student.pk}"
        form = refused_form(request, partial(self._form, student, guardians), key)
        return render(request, self.template_name, {"form": form, "student": student})

    def post(self, request, student_id):
        student, guardians = self._target(request, student_id)
        form = self._form(student, guardians, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            guardian = next(g for g in guardians if g.pk == data["guardian"])
            try:
                created = services.request_register(
                    user=request.user,
                    student=student,
                    guardian=guardian,
                    identity_check=data["identity_check"],
                    received_on=data["received_on"],
                    kind=data["kind"],
                    description=data["description"],
                    correction_field=data.get("correction_field", ""),
                    correction_value=data.get("correction_value", ""),
                    categories=form.categories(),
                    purpose_codes=data.get("purpose_codes") or [],
                )
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The request was registered."))
                return redirect("request-detail", created.pk)
        return refused_redirect(
            request,
            reverse("request-register", args=[student.pk]),
            key=f"request-register:{student.pk}",
            form=form,
        )


def _refused_key(request_id, action: str = "") -> str:
    """Where a refused step of a request is kept for the request's page (kernel.prg): its
    form per step, a step without a form under the request alone."""
    return f"request-action:{request_id}:{action}"


class RequestDetailView(LoginRequiredMixin, View):
    def get(self, request, request_id):
        return self.render_page(request, request_id)

    def render_page(self, request, request_id):
        user = request.user
        privacy_request = services.request_open_for(user=user, request_id=request_id)
        requester_side = guardian_is_requester_side(user, privacy_request) and not (
            user.is_school_staff
        )
        package = getattr(privacy_request, "package", None)
        context = {
            "req": privacy_request,
            "requester_side": requester_side,
            "show_names": pupil_names_shown(user),
            "timeline": timeline_for(privacy_request, user=user, for_requester=requester_side),
            "package": package,
            "section_titles": section_titles(),
            "today": timezone.localdate(),
            "urgency": privacy_request.urgency(),
            "limits": limits_for_request(privacy_request),
        }
        if requester_side:
            if package is not None and package.downloadable:
                context["downloads"] = {fmt: download_url(package, user, fmt) for fmt in FORMATS}
            return render(request, "privacy_requests/detail.html", context)
        can = {
            "handle": user.has_function(Function.HANDLE_REQUESTS),
            "decide": user.has_function(Function.DECIDE_REQUESTS),
            "release": user.has_function(Function.RELEASE_PACKAGES),
        }
        # A refused step comes back here once, with what was typed (RequestActionView).
        action_forms = {
            action: refused_form(
                request, ACTIONS[action][1], _refused_key(privacy_request.pk, action)
            )
            for action in ("wait", "extend", "reject", "complete", "limit", "decide", "release")
        }
        action_forms["lift"] = forms.LiftForm()
        action_forms["assess"] = refused_form(
            request,
            forms.ErasureAssessForm,
            _refused_key(privacy_request.pk, "assess"),
            requested=privacy_request.categories,
        )
        context["refused"] = refused_errors(request, _refused_key(privacy_request.pk))
        if privacy_request.kind == Kind.CORRECTION and privacy_request.correction_field not in (
            "",
            "other",
        ):
            from students.services.limits import current_value

            context["current_value"] = current_value(
                privacy_request.student, privacy_request.correction_field
            )
        if privacy_request.erasure_assessment:
            labels = dict(ErasureCategory.choices)
            assessment = privacy_request.erasure_assessment
            context["assessment"] = {
                "erase": [str(labels.get(c, c)) for c in assessment.get("erase", [])],
                "keep": [(str(labels.get(c, c)), why) for c, why in assessment["keep"].items()],
            }
        context.update(can=can, forms=action_forms, building=_building(package))
        if privacy_request.is_open:
            context["steps"] = steps_for(privacy_request, package, can, action_forms)
        return render(request, "privacy_requests/detail.html", context)


@dataclass
class StepOffer:
    """One step offered on the request's page: what it is called, one line on what it does,
    its button, and its form (None: the button alone)."""

    action: str
    title: str
    explain: str
    button: str
    form: object = None
    open: bool = False  # shown unfolded (it was refused with what was typed)


@dataclass
class Steps:
    """The next sensible step (the one primary button), the other steps this user may take,
    and, when the next step is someone else's, who takes it."""

    next: StepOffer | None = None
    others: list[StepOffer] = field(default_factory=list)
    waiting_for: str = ""


def steps_for(req, package, can: dict, action_forms: dict) -> Steps:
    """What this user can do on an open request, the next sensible step first."""
    offers: dict[str, StepOffer] = {}

    def offer(action, title, explain, button, form=None):
        refused = form is not None and form.is_bound
        offers[action] = StepOffer(action, title, explain, button, form, refused)

    kind = req.kind
    nxt = ""
    waiting_for = ""
    if can["handle"]:
        if req.status == "waiting":
            offer(
                "start",
                _("Resume handling"),
                _("The requester answered: carry on. The deadline kept running meanwhile."),
                _("Resume"),
            )
            nxt = "start"
        elif req.status == "received":
            offer(
                "start",
                _("Mark as being handled"),
                _("The requester sees on the timeline that the school is working on it."),
                _("Start"),
            )
        if kind == Kind.ACCESS and (package is None or package.status == PackageStatus.FAILED):
            offer(
                "package",
                _("Build the access package"),
                _("Collects what is recorded about the child; nothing is sent until released."),
                _("Build package"),
            )
            nxt = nxt or "package"
        if kind == Kind.CORRECTION and req.correction_field != "other":
            offer(
                "correction",
                _("Apply the proposed value"),
                _("Changes the pupil's data to the proposed value and tells the requester."),
                _("Accept and apply"),
            )
            nxt = nxt or "correction"
        if kind == Kind.CORRECTION and req.correction_field == "other":
            offer(
                "complete",
                _("Complete after correcting it by hand"),
                _("Closes the request; the requester receives what you write here."),
                _("Complete"),
                action_forms["complete"],
            )
            nxt = nxt or "complete"
        if kind == Kind.ERASURE:
            offer(
                "assess",
                _("Assess the erasure")
                if not req.erasure_assessment
                else _("Assess the erasure again"),
                _("Per category asked for: erase it, or keep it with the reason."),
                _("Save assessment"),
                action_forms["assess"],
            )
            if not req.erasure_assessment:
                nxt = nxt or "assess"
    if can["release"] and package is not None and package.status == PackageStatus.BUILT:
        offer(
            "release",
            _("Release the package to the guardians"),
            _(
                "The guardians with parental authority are told and can download it; this "
                "completes the request."
            ),
            _("Release"),
            action_forms["release"],
        )
        nxt = nxt or "release"
    if can["decide"]:
        if kind in (Kind.RESTRICTION, Kind.OBJECTION):
            offer(
                "limit",
                _("Accept: put it in force"),
                _("The data stays stored but is no longer used as asked; the requester is told."),
                _("Accept"),
                action_forms["limit"],
            )
            nxt = nxt or "limit"
        if kind == Kind.ERASURE and req.erasure_assessment:
            offer(
                "decide",
                _("Decide on the erasure"),
                _("Approve erases what the assessment lists; rejecting closes the request."),
                _("Save decision"),
                action_forms["decide"],
            )
            nxt = nxt or "decide"
    elif kind in (Kind.RESTRICTION, Kind.OBJECTION) or (
        kind == Kind.ERASURE and req.erasure_assessment
    ):
        waiting_for = _("The director decides on this request.")
    if can["handle"]:
        if req.status != "waiting":
            offer(
                "wait",
                _("Ask the requester for more information"),
                _("The requester is emailed your question; the deadline keeps running."),
                _("Send question"),
                action_forms["wait"],
            )
        if req.extension_months < MAX_EXTENSION_MONTHS:
            offer(
                "extend",
                _("Extend the deadline"),
                _("For a complex request: at most two months in total, with the reason."),
                _("Extend"),
                action_forms["extend"],
            )
    if can["decide"]:
        offer(
            "reject",
            _("Reject the request"),
            _("Closes the request; the requester is told why and may complain to the AP."),
            _("Reject"),
            action_forms["reject"],
        )
    if _building(package) and nxt in ("", "package"):
        nxt = ""
    steps = Steps(next=offers.pop(nxt, None), waiting_for=waiting_for)
    steps.others = list(offers.values())
    return steps


def _building(package) -> bool:
    return package is not None and package.status in (
        PackageStatus.QUEUED,
        PackageStatus.BUILDING,
    )


# One POST endpoint per step: (function needed, form class or None, service call).
def _start(user, req, form):
    return services.request_start(user=user, request=req)


def _wait(user, req, form):
    return services.request_wait(user=user, request=req, question=form.cleaned_data["question"])


def _extend(user, req, form):
    return services.request_extend(
        user=user,
        request=req,
        months=form.cleaned_data["months"],
        reason=form.cleaned_data["reason"],
    )


def _reject(user, req, form):
    return services.request_reject(user=user, request=req, reason=form.cleaned_data["reason"])


def _complete(user, req, form):
    return services.request_complete(user=user, request=req, outcome=form.cleaned_data["outcome"])


def _package(user, req, form):
    return services.package_start(user=user, request=req)


def _release(user, req, form):
    package = getattr(req, "package", None)
    if package is None:
        raise services.RequestStateError(_("There is no package to release yet."))
    return services.package_release(user=user, package=package)


def _correction(user, req, form):
    return services.correction_accept(user=user, request=req)


def _limit(user, req, form):
    return services.limit_accept(user=user, request=req, note=form.cleaned_data["note"])


def _assess(user, req, form):
    return services.erasure_assess(user=user, request=req, erase=form.erase(), keep=form.keep())


def _decide(user, req, form):
    return services.erasure_decide(
        user=user,
        request=req,
        approve=form.cleaned_data["approve"],
        reason=form.cleaned_data.get("reason", ""),
    )


ACTIONS = {
    "start": (Function.HANDLE_REQUESTS, None, _start, _("Handling started.")),
    "wait": (Function.HANDLE_REQUESTS, forms.WaitForm, _wait, _("The requester was asked.")),
    "extend": (Function.HANDLE_REQUESTS, forms.ExtendForm, _extend, _("Deadline extended.")),
    "reject": (Function.DECIDE_REQUESTS, forms.RejectForm, _reject, _("Request rejected.")),
    "complete": (
        Function.HANDLE_REQUESTS,
        forms.CompleteForm,
        _complete,
        _("Request completed."),
    ),
    "package": (Function.HANDLE_REQUESTS, None, _package, _("The package is being built.")),
    "release": (
        Function.RELEASE_PACKAGES,
        forms.ReleaseForm,
        _release,
        _("Released: the guardians can download it."),
    ),
    "correction": (
        Function.HANDLE_REQUESTS,
        None,
        _correction,
        _("The correction was applied."),
    ),
    "limit": (Function.DECIDE_REQUESTS, forms.NoteForm, _limit, _("Accepted and in force.")),
    "assess": (
        Function.HANDLE_REQUESTS,
        forms.ErasureAssessForm,
        _assess,
        _("Assessment saved; the director decides."),
    ),
    "decide": (Function.DECIDE_REQUESTS, forms.ErasureDecideForm, _decide, _("Decision saved.")),
}


class RequestActionView(LoginRequiredMixin, View):
    """POST one step of the workflow; a refused step goes back to the request's page, which
    shows the reason and what was typed (kernel.prg)."""

    starts_work = True  # builds the access package, tells the requester

    def post(self, request, request_id, action):
        if action not in ACTIONS:
            raise Http404
        function, form_class, call, done = ACTIONS[action]
        req = request_for_action(user=request.user, request_id=request_id, function=function)
        kwargs = {"requested": req.categories} if action == "assess" else {}
        form = form_class(request.POST, **kwargs) if form_class else None
        url = reverse("request-detail", args=[req.pk])
        if form is not None and not form.is_valid():
            return refused_redirect(request, url, key=_refused_key(req.pk, action), form=form)
        try:
            call(request.user, req, form)
        except StudentError as exc:
            if form is None:
                return refused_redirect(
                    request, url, key=_refused_key(req.pk), errors=[exc.message]
                )
            form.add_error(None, exc.message)
            return refused_redirect(request, url, key=_refused_key(req.pk, action), form=form)
        messages.success(request, done)
        return redirect("request-detail", req.pk)


class LimitLiftView(LoginRequiredMixin, View):
    starts_work = True  # tells the requester

    def post(self, request, limit_id):
        limit = limit_for_lift(user=request.user, limit_id=limit_id)
        if limit.request_id:
            url = reverse("request-detail", args=[limit.request_id])
        else:
            url = reverse("student-detail", args=[limit.student_id])
        form = forms.LiftForm(request.POST)
        if not form.is_valid():
            return refused_redirect(request, url, errors=[_("Give the reason for lifting it.")])
        try:
            services.limit_lift(user=request.user, limit=limit, reason=form.cleaned_data["reason"])
        except StudentError as exc:
            return refused_redirect(request, url, errors=[exc.message])
        messages.success(request, _("Lifted; the requester is told."))
        return redirect(url)


class PackageReviewView(LoginRequiredMixin, View):
    """The director or care coordinator reads the built package before releasing it."""

    def get(self, request, request_id):
        package = services.package_open_for_review(user=request.user, request_id=request_id)
        data = _for_reviewer(request.user, services.package_json(package))
        return render(
            request,
            "privacy_requests/package.html",
            {"package": package, "req": package.request, "sections": readable_sections(data)},
        )


def _for_reviewer(user, data: dict) -> dict:
    """The package as this reviewer may read it: the care coordinator releases packages for
    their care records, but sees neither the BSN nor religion (DESIGN's table)."""
    not_shown = _("Not shown: your role does not see this.")
    if not user.has_function(Function.VIEW_BSN) and (data.get("student") or {}).get("bsn"):
        data = {**data, "student": {**data["student"], "bsn": not_shown}}
    if not user.has_function(Function.VIEW_RELIGION) and data.get("religion"):
        data = {**data, "religion": {"religion": not_shown}}
    return data


class PackageDownloadView(SessionOrTokenRequiredMixin, View):
    """The PDF or JSON, for a guardian with authority of the child (by session or API token),
    while the link lasts."""

    def get(self, request, request_id, fmt, token):
        package = package_for_download(user=request.user, request_id=request_id)
        if fmt not in FORMATS or not PACKAGE_LINK.opens(
            token,
            object_id=package.pk,
            bound_to=fmt,
            ready_at=package.released_at,
            expires_at=package.expires_at,
        ):
            raise not_found(
                user=request.user,
                object_type="access_package",
                raw_id=request_id,
                data_kind=DataKind.REQUEST,
                school_id=package.request.school_id,
            )
        services.package_download_record(user=request.user, package=package, fmt=fmt)
        content_type, field = FORMATS[fmt]
        response = FileResponse(
            getattr(package, field).open("rb"),
            as_attachment=True,
            filename=f"inzage-{package.request_id}.{fmt}",
            content_type=content_type,
        )
        response["Cache-Control"] = "no-store"
        return response
