"""Pages for progress, the care file, religion and a pupil's access log.

Each page reads through one selector, which checks access and records exactly one access
event; writes go through one service each.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from audit.constants import DataKind
from kernel.editing import nothing_changed

from ..constants import ReligionConsentChannel, ReligionStatus, WithholdStatus
from ..exceptions import StudentError
from ..forms import (
    CareRecordCreateForm,
    CareRecordForm,
    DecideForm,
    ProgressForm,
    ReligionForm,
    ReligionWithdrawForm,
    WithholdForm,
)
from ..models import Student
from ..selectors import (
    care_write_reach,
    function_require,
    not_found,
    progress_write_reach,
    scoped_get,
    student_access_for,
)
from ..selectors.records import (
    care_record_for_write,
    progress_writable_by,
    religion_consent_current,
    religion_consent_guardians,
    religion_for_write,
    religion_writes_for_others,
    withholdings_pending_for,
)
from ..services import (
    care_record_create,
    care_record_update,
    care_withhold_decide,
    care_withhold_request,
    progress_record_add,
    religion_clear,
    religion_consent_withdraw,
    religion_set,
)
from ..services.reads import (
    access_log_open_for,
    care_record_open_for,
    care_records_open_for,
    progress_open_for,
    religion_open_for,
)


class AudienceMixin(LoginRequiredMixin):
    """Staff pages are closed to parents and parent pages to staff (403, an audit event)."""

    audience = "staff"
    data_kind = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            functions = (
                (Function.VIEW_PUPILS, Function.VIEW_AUDIT)
                if self.audience == "staff"
                else (Function.VIEW_OWN_CHILDREN,)
            )
            function_require(
                user=request.user,
                function=functions,
                object_type=self.audience,
                object_id=kwargs.get("student_id", ""),
                data_kind=self.data_kind,
                model=Student,
            )
        return super().dispatch(request, *args, **kwargs)


class StudentProgressView(AudienceMixin, View):
    data_kind = DataKind.PROGRESS

    """Progress of one pupil; the pupil's own teachers add results here."""

    template_name = "students/progress.html"

    def _render(self, request, student_id, form=None, status=200):
        student, records = progress_open_for(user=request.user, student_id=student_id)
        can_write = progress_writable_by(user=request.user, student=student)
        return render(
            request,
            self.template_name,
            {
                "student": student,
                "records": records,
                "form": (form or ProgressForm()) if can_write else None,
            },
            status=status,
        )

    def get(self, request, student_id):
        return self._render(request, student_id)

    def post(self, request, student_id):
        student = progress_write_reach(user=request.user, student_id=student_id)
        form = ProgressForm(request.POST)
        if not form.is_valid():
            return self._render(request, student_id, form=form, status=400)
        progress_record_add(user=request.user, student=student, **form.cleaned_data)
        messages.success(request, _("The result has been recorded."))
        return redirect("student-progress", student.pk)


class StudentCareFileView(AudienceMixin, View):
    data_kind = DataKind.CARE

    """The care file: special-category data, every view on the record."""

    def get(self, request, student_id):
        student, records, reach = care_records_open_for(user=request.user, student_id=student_id)
        return render(
            request,
            "students/care_file.html",
            {
                "student": student,
                "records": records,
                "reach": reach,
                "can_write": request.user.has_function(Function.WRITE_CARE)
                and reach.level == "school",
            },
        )


class CareRecordDetailView(AudienceMixin, View):
    data_kind = DataKind.CARE

    def get(self, request, student_id, record_id):
        student, record, reach = care_record_open_for(
            user=request.user, student_id=student_id, record_id=record_id
        )
        return render(
            request,
            "students/care_record.html",
            {
                "student": student,
                "record": record,
                "reach": reach,
                "can_write": request.user.has_function(Function.WRITE_CARE)
                and reach.level == "school",
                "withhold_form": WithholdForm(),
            },
        )


class CareRecordCreateView(AudienceMixin, View):
    data_kind = DataKind.CARE

    template_name = "students/care_record_form.html"

    def get(self, request, student_id):
        student = care_write_reach(user=request.user, student_id=student_id)
        return render(
            request, self.template_name, {"student": student, "form": CareRecordCreateForm()}
        )

    def post(self, request, student_id):
        student = care_write_reach(user=request.user, student_id=student_id)
        form = CareRecordCreateForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("expected_updated_at", None)
            try:
                record = care_record_create(user=request.user, student=student, **data)
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The care record has been saved."))
                return redirect("care-record-detail", student.pk, record.pk)
        return render(request, self.template_name, {"student": student, "form": form}, status=400)


def _writable_record(request, student_id, record_id):
    return care_record_for_write(user=request.user, student_id=student_id, record_id=record_id)


def _care_record_initial(record) -> dict:
    """The values the edit form shows, and compares a submitted form with."""
    return {
        "kind": record.kind,
        "content": record.content,
        "justification": record.justification,
        "source": record.source,
        "review_date": record.review_date,
        "visibility": record.visibility,
        "expected_updated_at": record.updated_at,
    }


class CareRecordEditView(AudienceMixin, View):
    data_kind = DataKind.CARE
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    template_name = "students/care_record_form.html"

    def get(self, request, student_id, record_id):
        function_require(
            user=request.user,
            function=Function.WRITE_CARE,
            object_type="care",
            data_kind=DataKind.CARE,
        )
        student, record, reach = care_record_open_for(
            user=request.user, student_id=student_id, record_id=record_id
        )
        if reach.level != "school":
            raise not_found(
                user=request.user,
                object_type="care_record",
                raw_id=record_id,
                student_id=student.pk,
                data_kind=DataKind.CARE,
            )
        form = CareRecordForm(initial=_care_record_initial(record))
        return render(
            request, self.template_name, {"student": student, "record": record, "form": form}
        )

    def post(self, request, student_id, record_id):
        record = _writable_record(request, student_id, record_id)
        form = CareRecordForm(request.POST, initial=_care_record_initial(record))
        if not form.has_changed():
            # Also when its review date has passed since: saved as it was, nothing is written.
            nothing_changed(request)
            return redirect("care-record-detail", record.student_id, record.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            expected = data.pop("expected_updated_at") or record.updated_at
            try:
                care_record_update(
                    user=request.user, record=record, expected_updated_at=expected, **data
                )
            except StudentError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The care record has been changed."))
                return redirect("care-record-detail", record.student_id, record.pk)
        return render(
            request,
            self.template_name,
            {"student": record.student, "record": record, "form": form},
            status=400,
        )


class CareRecordWithholdView(AudienceMixin, View):
    data_kind = DataKind.CARE

    def post(self, request, student_id, record_id):
        record = _writable_record(request, student_id, record_id)
        form = WithholdForm(request.POST)
        if form.is_valid():
            record = care_withhold_request(
                user=request.user, record=record, reason=form.cleaned_data["reason"]
            )
            if record.withhold_status == WithholdStatus.APPROVED:
                messages.success(request, _("The record is withheld from the guardians."))
            else:
                messages.success(
                    request,
                    _(
                        "The guardians no longer see this record; the "
                        "director decides on withholding it."
                    ),
                )
        else:
            messages.error(request, _("Give the reason for withholding this record."))
        return redirect("care-record-detail", record.student_id, record.pk)


class WithholdingQueueView(AudienceMixin, View):
    data_kind = DataKind.CARE

    """The director's list of requested withholdings (the reason, never the care content)."""

    def get(self, request):
        function_require(
            user=request.user,
            function=Function.DECIDE_WITHHOLDING,
            object_type="care_withholding",
            data_kind=DataKind.CARE,
        )
        return render(
            request,
            "students/withholdings.html",
            {"pending": withholdings_pending_for(user=request.user), "form": DecideForm()},
        )


class WithholdingDecideView(AudienceMixin, View):
    data_kind = DataKind.CARE

    def post(self, request, record_id):
        function_require(
            user=request.user,
            function=Function.DECIDE_WITHHOLDING,
            object_type="care_withholding",
            data_kind=DataKind.CARE,
        )
        record = scoped_get(
            user=request.user,
            queryset=withholdings_pending_for(user=request.user),
            raw_id=record_id,
            object_type="care_withholding",
            data_kind=DataKind.CARE,
        )
        form = DecideForm(request.POST)
        if form.is_valid():
            care_withhold_decide(
                user=request.user, record=record, approve=form.cleaned_data["decision"] == "approve"
            )
            messages.success(request, _("The decision has been recorded."))
        else:
            messages.error(request, _("Choose approve or reject."))
        return redirect("care-withholdings")


def _religion_initial(record) -> dict:
    return {
        "status": record.status if record else "",
        "religion": record.religion if record else "",
    }


class ReligionView(AudienceMixin, View):
    data_kind = DataKind.RELIGION
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    """Religion (voluntary): read and recorded by administration and the director, and by
    guardians with authority for their own child. Never required anywhere. A religion is
    recorded only with a parent's explicit consent (AVG art. 9(2)(a)); withdrawing it erases
    the entry (``action=withdraw``)."""

    template_name = "students/religion.html"
    back_url_name = "student-detail"

    def _for_guardian(self, request, student) -> bool:
        """The parent's own form (their own consent, through the portal) unless the user
        records answers from signed paper forms at school level; decided by the reach, never by
        the URL: a parent who also holds a staff role speaks for themselves only."""
        if self.audience == "guardian":
            return True
        return not religion_writes_for_others(user=request.user, student=student)

    def _forms(self, student, record, for_guardian: bool, data=None):
        consent = religion_consent_current(student=student)
        guardians = [] if for_guardian else religion_consent_guardians(student=student)
        form = ReligionForm(
            data,
            initial=_religion_initial(record),
            for_guardian=for_guardian,
            consent_needed=consent is None,
            guardians=guardians,
        )
        withdraw = (
            ReligionWithdrawForm(data, for_guardian=for_guardian, guardians=guardians)
            if consent
            else None
        )
        return consent, form, withdraw

    def _render(self, request, student_id, *, form=None, withdraw=None, status=200):
        # Showing the entry is a read (an access event), also on a form sent back with errors.
        student, record = religion_open_for(user=request.user, student_id=student_id)
        can_write = request.user.has_function(Function.WRITE_RELIGION)
        for_guardian = self._for_guardian(request, student)
        consent, new_form, new_withdraw = self._forms(student, record, for_guardian)
        return render(
            request,
            self.template_name,
            {
                "student": student,
                "record": record,
                "consent": consent,
                "for_guardian": for_guardian,
                "form": (form if form is not None else new_form) if can_write else None,
                "withdraw_form": (withdraw if withdraw is not None else new_withdraw)
                if can_write and consent
                else None,
                "back_url_name": self.back_url_name,
            },
            status=status,
        )

    def get(self, request, student_id):
        return self._render(request, student_id)

    def _consent_by(self, request, student, form, for_guardian: bool) -> tuple[int | None, str]:
        """Who gives or withdraws the consent, and through which channel: the acting parent in
        the portal, or the parent named on the paper form."""
        if for_guardian:
            guardian_id = student_access_for(user=request.user, student=student).guardian_self_id
            return guardian_id, ReligionConsentChannel.PORTAL
        return form.cleaned_data["guardian"], ReligionConsentChannel.PAPER

    def _withdraw(self, request, student, record, for_guardian: bool):
        _consent, _form, withdraw = self._forms(student, record, for_guardian, request.POST)
        if withdraw is None:  # nothing to withdraw: no consent holds
            nothing_changed(request)
            return redirect(request.path)
        if not withdraw.is_valid():
            return self._render(request, student.pk, withdraw=withdraw, status=400)
        guardian_id, channel = self._consent_by(request, student, withdraw, for_guardian)
        try:
            religion_consent_withdraw(
                user=request.user, student=student, guardian_id=guardian_id, channel=channel
            )
        except StudentError as exc:
            withdraw.add_error(None, exc.message)
            return self._render(request, student.pk, withdraw=withdraw, status=400)
        messages.success(
            request,
            _("The consent has been withdrawn and the entry deleted.")
            if record
            else _("The consent has been withdrawn."),
        )
        return redirect(request.path)

    def post(self, request, student_id):
        student, record = religion_for_write(user=request.user, student_id=student_id)
        for_guardian = self._for_guardian(request, student)
        if request.POST.get("action") == "withdraw":
            return self._withdraw(request, student, record, for_guardian)
        _consent, form, _withdraw = self._forms(student, record, for_guardian, request.POST)
        if not form.has_changed():
            nothing_changed(request)
            return redirect(request.path)
        if not form.is_valid():
            return self._render(request, student.pk, form=form, status=400)
        status = form.cleaned_data["status"]
        if status:
            consent_guardian_id, channel = None, ReligionConsentChannel.PORTAL
            if status == ReligionStatus.STATED and form.cleaned_data.get("consent"):
                consent_guardian_id, channel = self._consent_by(
                    request, student, form, for_guardian
                )
            try:
                religion_set(
                    user=request.user,
                    student=student,
                    status=status,
                    religion=form.cleaned_data["religion"],
                    consent_guardian_id=consent_guardian_id,
                    consent_channel=channel,
                )
            except StudentError as exc:
                form.add_error(None, exc.message)
                return self._render(request, student.pk, form=form, status=400)
        else:
            religion_clear(user=request.user, student=student)
        messages.success(request, _("Saved."))
        return redirect(request.path)


class ChildReligionView(ReligionView):
    audience = "guardian"
    template_name = "students/religion.html"
    back_url_name = "child-detail"


class CareFileForGuardianView(AudienceMixin, View):
    audience = "guardian"
    data_kind = DataKind.CARE

    def get(self, request, student_id):
        student, records, _reach = care_records_open_for(user=request.user, student_id=student_id)
        return render(request, "students/child_care.html", {"student": student, "records": records})


class AccessLogView(AudienceMixin, View):
    data_kind = DataKind.AUDIT

    """Who looked at a pupil's data (by role and date, never by name)."""

    back_url_name = "student-detail"

    def get(self, request, student_id):
        student, entries = access_log_open_for(user=request.user, student_id=student_id)
        # The board's privacy officer reads it by pupil number, never by the pupil's name.
        show_name = request.user.has_function(Function.VIEW_PUPILS) or (
            request.user.has_function(Function.VIEW_OWN_CHILDREN)
        )
        return render(
            request,
            "students/access_log.html",
            {
                "student": student,
                "entries": entries,
                "back_url_name": self.back_url_name,
                "show_name": show_name,
                "pupil_label": student.display_name
                if show_name
                else f"{_('Pupil number')} {student.pk}",
            },
        )


class ChildAccessLogView(AccessLogView):
    audience = "guardian"
    back_url_name = "child-detail"
