"""Pages: suppliers and agreements, exports through the gate, the disclosure register,
EDEXML import, and the parents' "who receives my child's data"."""

import logging
from functools import partial

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from accounts.authentication import SessionOrTokenRequiredMixin
from accounts.constants import Function
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel import throttling
from kernel.csvfiles import CsvMode, csv_file_response, csv_response
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect
from students.attributes import CATALOGUE
from students.models import Group
from students.selectors import function_require, not_found, scoped_get

from .api import EXPORT_LINK, download_url
from .constants import ExportFormat, ExportStatus
from .forms import (
    AgreementForm,
    DisclosureFilterForm,
    EdexmlUploadForm,
    ExportForm,
    LegalDisclosureForm,
    ProductForm,
    SupplierForm,
)
from .gate import DisclosureRefusedError, LegalRequest, may_withhold
from .selectors import (
    disclosures_filter,
    disclosures_visible_to,
    export_get_for,
    export_pupils_for,
    export_pupils_offered,
    export_school_for,
    export_targets_for,
    export_targets_offered,
    exports_of,
    legal_recipients_offered,
    manageable_boards,
    recipients_visible_to,
    supplier_for_manage,
    suppliers_visible_to,
)
from .services import (
    agreement_save,
    child_recipients_open_for,
    export_request,
    product_save,
    supplier_save,
)

logger = logging.getLogger(__name__)


class SupplierListView(LoginRequiredMixin, View):
    def get(self, request):
        suppliers = suppliers_visible_to(request.user)
        return render(
            request,
            "suppliers/supplier_list.html",
            {
                "suppliers": suppliers,
                "recipients": recipients_visible_to(request.user),
                "can_manage": request.user.has_function(Function.MANAGE_SUPPLIERS),
                "catalogue": CATALOGUE,
            },
        )


class SupplierCreateView(LoginRequiredMixin, View):
    template_name = "suppliers/form.html"

    def _board(self, request):
        function_require(
            user=request.user, function=Function.MANAGE_SUPPLIERS, object_type="supplier"
        )
        boards = sorted(manageable_boards(request.user))
        if not boards:
            raise Http404
        return boards[0]

    def get(self, request):
        self._board(request)
        return render(
            request, self.template_name, {"form": SupplierForm(), "title": _("New supplier")}
        )

    def post(self, request):
        board_id = self._board(request)
        form = SupplierForm(request.POST)
        if form.is_valid():
            supplier = supplier_save(user=request.user, board_id=board_id, **form.cleaned_data)
            messages.success(request, _("Supplier saved."))
            return redirect("supplier-detail", supplier.pk)
        return render(
            request, self.template_name, {"form": form, "title": _("New supplier")}, status=400
        )


class SupplierDetailView(LoginRequiredMixin, View):
    """A supplier's products and agreement; the director adds and changes them here."""

    def get(self, request, supplier_id):
        supplier = supplier_for_manage(user=request.user, supplier_id=supplier_id)
        return render(
            request,
            "suppliers/supplier_detail.html",
            {
                "supplier": supplier,
                "products": supplier.products.prefetch_related("attributes", "groups"),
                "agreements": supplier.agreements.prefetch_related("attributes", "products"),
            },
        )


def _groups_for(supplier):
    return (
        Group.objects.filter(school__board_id=supplier.board_id)
        .select_related("school")
        .order_by("school__name", "-school_year", "year_group_low", "name")
    )


def _product_initial(product) -> dict:
    """The values the product's form shows, and compares a submitted form with."""
    if product is None:
        return {}
    initial = {
        f: getattr(product, f)
        for f in (
            "name",
            "purposes",
            "never_used_for",
            "retention",
            "storage_location",
            "outside_eea",
            "sub_processors",
            "breach_notice_hours",
        )
    }
    initial["groups"] = list(product.groups.values_list("pk", flat=True))
    initial.update({f"reason_{a.attribute}": a.reason for a in product.attributes.all()})
    return initial


class ProductEditView(LoginRequiredMixin, View):
    template_name = "suppliers/form.html"
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def _objects(self, request, supplier_id, product_id):
        supplier = supplier_for_manage(user=request.user, supplier_id=supplier_id)
        product = None
        if product_id is not None:
            product = scoped_get(
                user=request.user,
                queryset=supplier.products.all(),
                raw_id=product_id,
                object_type="product",
            )
        return supplier, product

    def get(self, request, supplier_id, product_id=None):
        supplier, product = self._objects(request, supplier_id, product_id)
        form = ProductForm(initial=_product_initial(product), groups=_groups_for(supplier))
        return render(
            request,
            self.template_name,
            {"form": form, "title": product.name if product else _("New product")},
        )

    def post(self, request, supplier_id, product_id=None):
        supplier, product = self._objects(request, supplier_id, product_id)
        form = ProductForm(
            request.POST, initial=_product_initial(product), groups=_groups_for(supplier)
        )
        if product is not None and not form.has_changed():
            nothing_changed(request)
            return redirect("supplier-detail", supplier.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            group_ids = data.pop("groups")
            reasons = form.attribute_reasons()
            for key in list(data):
                if key.startswith("reason_"):
                    data.pop(key)
            try:
                product_save(
                    user=request.user,
                    supplier=supplier,
                    product=product,
                    attribute_reasons=reasons,
                    group_ids=group_ids,
                    **data,
                )
            except DisclosureRefusedError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Product saved."))
                return redirect("supplier-detail", supplier.pk)
        return render(
            request, self.template_name, {"form": form, "title": _("Product")}, status=400
        )


def _agreement_initial(agreement) -> dict:
    """The values the agreement's form shows, and compares a submitted form with."""
    if agreement is None:
        return {}
    initial = {
        f: getattr(agreement, f)
        for f in ("model", "signed_on", "signed_by", "valid_from", "valid_until", "terminated_on")
    }
    initial["products"] = list(agreement.products.values_list("pk", flat=True))
    initial["attributes"] = list(agreement.attributes.values_list("attribute", flat=True))
    return initial


class AgreementEditView(LoginRequiredMixin, View):
    template_name = "suppliers/form.html"
    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def _objects(self, request, supplier_id, agreement_id):
        supplier = supplier_for_manage(user=request.user, supplier_id=supplier_id)
        agreement = None
        if agreement_id is not None:
            agreement = scoped_get(
                user=request.user,
                queryset=supplier.agreements.all(),
                raw_id=agreement_id,
                object_type="agreement",
            )
        return supplier, agreement

    def get(self, request, supplier_id, agreement_id=None):
        supplier, agreement = self._objects(request, supplier_id, agreement_id)
        form = AgreementForm(
            initial=_agreement_initial(agreement), products=supplier.products.all()
        )
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "multipart": True,
                "title": _("Processing agreement with %(supplier)s") % {"supplier": supplier.name},
            },
        )

    def post(self, request, supplier_id, agreement_id=None):
        supplier, agreement = self._objects(request, supplier_id, agreement_id)
        form = AgreementForm(
            request.POST,
            request.FILES,
            initial=_agreement_initial(agreement),
            products=supplier.products.all(),
        )
        if agreement is not None and not form.has_changed():
            nothing_changed(request)
            return redirect("supplier-detail", supplier.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                agreement_save(
                    user=request.user,
                    supplier=supplier,
                    agreement=agreement,
                    attributes=data.pop("attributes"),
                    product_ids=data.pop("products"),
                    document=data.pop("document"),
                    **data,
                )
            except DisclosureRefusedError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Agreement saved."))
                return redirect("supplier-detail", supplier.pk)
        return render(
            request,
            self.template_name,
            {"form": form, "multipart": True, "title": _("Processing agreement")},
            status=400,
        )


def _export_page(name: str, school) -> tuple[str, str]:
    """The GET of an export form's page, and the key its refused form is kept under."""
    return f"{reverse(name)}?school={school.pk}", f"{name}:{school.pk}"


class ExportListView(LoginRequiredMixin, View):
    """Start an export through the gate and follow one's own exports."""

    template_name = "suppliers/exports.html"
    starts_work = True  # kernel.prg: a refused export redirects too

    def _form(self, request, school, data=None):
        agreements, recipients = export_targets_offered(school)
        return ExportForm(data, agreements=agreements, recipients=recipients)

    def get(self, request):
        school = export_school_for(user=request.user, school_id=request.GET.get("school"))
        _url, key = _export_page("export-list", school)
        return render(
            request,
            self.template_name,
            {
                "school": school,
                "form": refused_form(request, partial(self._form, request, school), key),
                "exports": exports_of(request.user)[:30],
            },
        )

    def post(self, request):
        school = export_school_for(user=request.user, school_id=request.POST.get("school"))
        form = self._form(request, school, request.POST)
        if form.is_valid():
            agreement, product, recipient = export_targets_for(
                user=request.user, school=school, **form.target_ids()
            )
            try:
                throttling.check("export", str(request.user.pk))
                export = export_request(
                    user=request.user,
                    school=school,
                    format=form.cleaned_data["format"],
                    agreement=agreement,
                    product=product,
                    recipient=recipient,
                )
            except throttling.RateLimitedError as limited:
                form.add_error(None, limited.message)
            except DisclosureRefusedError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("export-detail", export.pk)
        url, key = _export_page("export-list", school)
        return refused_redirect(request, url, key=key, form=form)


class LegalDisclosureCreateView(LoginRequiredMixin, View):
    """A disclosure the law requires (attendance officer, DUO, next school, Veilig Thuis, the
    police): named pupils within the user's scope, the legal ground, the reference and a
    reason. Director and administration; only the director may withhold one from guardians."""

    template_name = "suppliers/legal_disclosure.html"
    starts_work = True  # kernel.prg: a refused disclosure redirects too

    def _form(self, request, school, data=None):
        return LegalDisclosureForm(
            data,
            recipients=list(legal_recipients_offered(school)),
            pupils=list(export_pupils_offered(user=request.user, school=school)),
            can_withhold=may_withhold(request.user, school),
        )

    def get(self, request):
        school = export_school_for(user=request.user, school_id=request.GET.get("school"))
        _url, key = _export_page("legal-disclosure-create", school)
        form = refused_form(request, partial(self._form, request, school), key)
        return render(request, self.template_name, {"school": school, "form": form})

    def post(self, request):
        school = export_school_for(user=request.user, school_id=request.POST.get("school"))
        if request.POST.get("withhold") and not may_withhold(request.user, school):
            # Withholding from guardians is the director's decision (as for care records).
            function_require(
                user=request.user,
                function=Function.DECIDE_WITHHOLDING,
                object_type="disclosure_withholding",
            )
            raise not_found(
                user=request.user, object_type="disclosure_withholding", raw_id=school.pk
            )
        # A pupil outside the user's scope is a refused look, answered like a missing one.
        export_pupils_for(
            user=request.user, school=school, student_ids=request.POST.getlist("pupils")
        )
        form = self._form(request, school, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            legal = LegalRequest(
                ground=data["ground"],
                reference=data["reference"],
                reason=data["reason"],
                student_ids=tuple(data["pupils"]),
                withheld_reason=form.withheld_reason(),
            )
            try:
                throttling.check("export", str(request.user.pk))
                export = export_request(
                    user=request.user,
                    school=school,
                    format=data["format"],
                    recipient=form.recipients[data["recipient"]],
                    legal=legal,
                )
            except throttling.RateLimitedError as limited:
                form.add_error(None, limited.message)
            except DisclosureRefusedError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("export-detail", export.pk)
        url, key = _export_page("legal-disclosure-create", school)
        return refused_redirect(request, url, key=key, form=form)


class ExportDetailView(LoginRequiredMixin, View):
    def get(self, request, export_id):
        export = export_get_for(user=request.user, export_id=export_id)
        return render(
            request,
            "suppliers/export_detail.html",
            {
                "export": export,
                "download_url": download_url(export, request.user),
                "running": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
                "attribute_labels": [
                    CATALOGUE[c].label for c in export.attributes if c in CATALOGUE
                ],
            },
        )


class ExportDownloadView(SessionOrTokenRequiredMixin, View):
    """The file, for its requester only (by session or API token), while the link has not
    expired (else 404)."""

    def get(self, request, export_id, token):
        export = export_get_for(user=request.user, export_id=export_id)
        if (
            export.status != ExportStatus.DONE
            or not export.file
            or (export.expires_at and export.expires_at < timezone.now())
        ):
            raise Http404
        if not EXPORT_LINK.opens(
            token,
            object_id=export.pk,
            bound_to=request.user.pk,
            ready_at=export.finished_at,
            expires_at=export.expires_at,
        ):
            raise not_found(
                user=request.user,
                object_type="export_download",
                raw_id=export_id,
                data_kind=DataKind.BASICS,
                school_id=export.school_id,
            )
        event_record(
            user=request.user,
            action=Action.EXPORT,
            object_type="export_download",
            object_id=export.pk,
            school_id=export.school_id,
            data_kind=DataKind.BASICS,
        )
        filename = export.file.name.rsplit("/", 1)[-1]
        if export.format == ExportFormat.CSV:
            # For the recipient's system, written exactly: served as a file to pass on, not as
            # a spreadsheet to open (kernel.csvfiles, machine mode).
            return csv_file_response(
                export.file.open("rb"), mode=CsvMode.MACHINE, filename=filename
            )
        response = FileResponse(export.file.open("rb"), as_attachment=True, filename=filename)
        response["Cache-Control"] = "no-store"
        return response


class DisclosureListView(LoginRequiredMixin, View):
    def get(self, request):
        form = DisclosureFilterForm(request.GET or None)
        qs = disclosures_visible_to(request.user)
        if form.is_bound and form.is_valid():
            qs = disclosures_filter(qs, **form.cleaned_data)
        page = Paginator(qs, 50).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "suppliers/disclosures.html",
            {"form": form, "page": page, "query": query.urlencode()},
        )


class DisclosureExportView(LoginRequiredMixin, View):
    def get(self, request):
        form = DisclosureFilterForm(request.GET or None)
        qs = disclosures_visible_to(request.user)
        if form.is_bound and form.is_valid():
            qs = disclosures_filter(qs, **form.cleaned_data)
        event_record(
            user=request.user,
            action=Action.EXPORT,
            object_type="disclosure_register",
            data_kind=DataKind.AUDIT,
        )
        rows = (
            [
                d.pk,
                d.created_at,
                d.school.name,
                d.recipient_label,
                d.basis,
                " ".join(d.attributes),
                d.pupil_count,
                d.dropped_count,
                d.file_checksum,
                d.legal_ground,
                d.legal_reference,
                d.legal_reason,
                d.withheld_from_guardians,
                d.withheld_reason,
                str(d.created_by) if d.created_by else "",
            ]
            for d in qs.iterator(chunk_size=1000)
        )
        # Names of schools, suppliers and products are typed by people: formula-safe.
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = pgettext("file name", "disclosure-register")
        return csv_response(
            rows,
            mode=CsvMode.SPREADSHEET,
            filename=f"{name}-{stamp}.csv",
            header=[
                "id",
                "created_at",
                "school",
                "recipient",
                "basis",
                "attributes",
                "pupil_count",
                "dropped_count",
                "file_checksum",
                "legal_ground",
                "legal_reference",
                "legal_reason",
                "withheld_from_guardians",
                "withheld_reason",
                "exported_by",
            ],
        )


class ChildRecipientsView(LoginRequiredMixin, View):
    """For guardians: who receives my child's data, why, and what was sent."""

    def get(self, request, student_id):
        data = child_recipients_open_for(user=request.user, student_id=student_id)
        return render(request, "suppliers/child_recipients.html", {**data, "catalogue": CATALOGUE})


class EdexmlImportView(LoginRequiredMixin, View):
    """Upload the EDEXML file of the school's current system. A background job checks it and
    its page shows the preview; nothing is read in the request."""

    template_name = "suppliers/import.html"
    starts_work = True  # tests/test_post_redirect_get.py

    def _render(self, request, school, form, status=200):
        from students.edexml.reading import IMPORT_MAX_PUPILS

        from .selectors import import_jobs_visible_to

        jobs = import_jobs_visible_to(request.user).filter(school=school)[:10]
        context = {"school": school, "form": form, "jobs": jobs, "max_pupils": IMPORT_MAX_PUPILS}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        school = export_school_for(user=request.user, school_id=request.GET.get("school"))
        function_require(user=request.user, function=Function.MANAGE_PUPILS, object_type="import")
        form = refused_form(request, EdexmlUploadForm, f"edexml-import:{school.pk}")
        return self._render(request, school, form)

    def post(self, request):
        from .import_jobs import ImportRefusedError, import_job_create

        school = export_school_for(user=request.user, school_id=request.POST.get("school"))
        function_require(user=request.user, function=Function.MANAGE_PUPILS, object_type="import")
        form = EdexmlUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = import_job_create(
                    user=request.user, school=school, upload=form.cleaned_data["file"]
                )
            except ImportRefusedError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("import-job", job.pk)
        # Refused: back to the page (a refresh does not send the file again); the file itself
        # is never kept, so the page asks for it once more.
        return refused_redirect(
            request,
            f"{reverse('edexml-import')}?school={school.pk}",
            key=f"edexml-import:{school.pk}",
            form=form,
        )


class ImportJobDetailView(LoginRequiredMixin, View):
    """An import's status and progress; its preview with the button to import; its result."""

    def get(self, request, job_id):
        from .selectors import import_job_get_for

        job = import_job_get_for(user=request.user, job_id=job_id)
        return render(request, "suppliers/import_job.html", _import_job_context(job))


class ImportJobApplyView(LoginRequiredMixin, View):
    """Import a checked file as its preview showed (a background job)."""

    def post(self, request, job_id):
        from .import_jobs import ImportRefusedError, import_job_apply_request
        from .selectors import import_job_get_for

        job = import_job_get_for(user=request.user, job_id=job_id)
        try:
            import_job_apply_request(job=job, user=request.user)
        except ImportRefusedError as exc:
            messages.error(request, exc.message)
        return redirect("import-job", job.pk)


class ImportJobRetryView(LoginRequiredMixin, View):
    """Run a failed import's step again on the same file."""

    def post(self, request, job_id):
        from .import_jobs import ImportRefusedError, import_job_retry
        from .selectors import import_job_get_for

        job = import_job_get_for(user=request.user, job_id=job_id)
        try:
            import_job_retry(job=job, user=request.user)
        except ImportRefusedError as exc:
            messages.error(request, exc.message)
        return redirect("import-job", job.pk)


def _import_job_context(job) -> dict:
    """The job's state in words, and its preview and result as the page shows them."""
    from django.utils.formats import number_format

    from students.edexml.planning import action_label, counts_summary, kind_label

    from .constants import ImportStatus

    done = number_format(job.progress_done, force_grouping=True)
    total = number_format(job.progress_total, force_grouping=True)
    if job.status == ImportStatus.WAITING:
        progress = _("Waiting for the check to start.")
    elif job.status == ImportStatus.PREVIEWING and job.progress_total:
        progress = _("Checking: %(done)s of %(total)s pupils") % {"done": done, "total": total}
    elif job.status == ImportStatus.PREVIEWING:
        progress = _("Checking the file against the EDEXML 2.1 schema.")
    elif job.status == ImportStatus.APPLYING and job.progress_done < job.progress_total:
        progress = _("Importing: %(done)s of %(total)s pupils read") % {
            "done": done,
            "total": total,
        }
    elif job.status == ImportStatus.APPLYING:
        progress = _("Importing: writing %(total)s pupils into the portal.") % {"total": total}
    else:
        progress = ""
    preview = job.preview or {}
    rows = [
        {**row, "kind_label": kind_label(row["kind"]), "action_label": action_label(row["action"])}
        for row in preview.get("records", [])
    ]
    result = job.result or {}
    return {
        "job": job,
        "school": job.school,
        "progress": progress,
        "percent": (100 * job.progress_done // job.progress_total) if job.progress_total else 0,
        "preview": preview,
        "rows": rows,
        "summary": counts_summary(preview.get("counts") or {}),
        "result": result,
        "result_summary": counts_summary(result.get("counts") or {}),
        "can_apply": job.status == ImportStatus.PREVIEWED and bool(job.file),
        "can_retry": job.status == ImportStatus.FAILED and bool(job.file),
        "retry_checks": job.step == "preview",
    }
