"""Writes for suppliers: exports through the gate (as background jobs), agreements."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import tempfile
from functools import partial

from django.conf import settings
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from kernel.csvfiles import CsvMode, csv_file_write
from students.edexml.validation import EdexmlError
from students.models import Group, School, Student

from .constants import ExportFormat, ExportStatus, RecipientKind
from .gate import (
    DisclosureRefusedError,
    LegalRequest,
    disclose,
    disclosure_plan,
    legal_actor_check,
)
from .models import Agreement, Export, Product, Recipient
from .selectors import child_for_recipients, child_recipients

logger = logging.getLogger(__name__)

DOWNLOAD_HOURS = 24


@transaction.atomic
def export_request(
    *,
    user: User,
    school: School,
    format: str,
    agreement: Agreement | None = None,
    product: Product | None = None,
    recipient: Recipient | None = None,
    student_ids: list[int] | None = None,
    legal: LegalRequest | None = None,
) -> Export:
    """Check the basis at once (a refusal is an immediate, clear error), then queue the job.
    A recipient on a legal obligation needs ``legal``: its pupils (already checked against the
    user's scope by the caller), ground, reference and reason, which the gate records."""
    from .tasks import export_build_task

    if format not in ExportFormat.values:
        raise DisclosureRefusedError(_("Choose CSV, JSON or EDEXML."))
    plan = disclosure_plan(
        school=school, agreement=agreement, product=product, recipient=recipient, legal=legal
    )
    legal_actor_check(actor=user, plan=plan)
    if plan.legal is not None:
        student_ids = list(plan.legal.student_ids) or None
    if format == ExportFormat.EDEXML:
        from .edexml.writer import check_school_year, missing_attributes

        reasons = missing_attributes(plan.attributes)
        if reasons:
            raise DisclosureRefusedError(" ".join(str(reason) for reason in reasons))
        try:
            check_school_year(_school_year())
        except EdexmlError as exc:
            raise DisclosureRefusedError(exc.message) from exc
    if student_ids is not None and not student_ids:
        raise DisclosureRefusedError(_("Choose at least one pupil."))
    export = Export.objects.create(
        school=school,
        requested_by=user,
        agreement=agreement,
        product=product,
        recipient=recipient,
        format=format,
        attributes=plan.attributes,
        student_ids=student_ids,
        legal_ground=plan.legal.ground if plan.legal else "",
        legal_reference=plan.legal.reference.strip() if plan.legal else "",
        legal_reason=plan.legal.reason.strip() if plan.legal else "",
        withheld_reason=plan.legal.withheld_reason.strip() if plan.legal else "",
    )
    event_record(
        user=user,
        action=Action.EXPORT,
        object_type="export",
        object_id=export.pk,
        school_id=school.pk,
        data_kind=DataKind.BASICS,
    )
    transaction.on_commit(partial(export_build_task.delay, export.pk))
    return export


def _legal_of(export: Export) -> LegalRequest | None:
    """The legal request an export was asked with (None for agreements and consent)."""
    if not export.legal_ground:
        return None
    return LegalRequest(
        ground=export.legal_ground,
        reference=export.legal_reference,
        reason=export.legal_reason,
        student_ids=tuple(export.student_ids or ()),
        withheld_reason=export.withheld_reason,
    )


def _student_filter(export: Export):
    if export.student_ids:
        return Student.objects.filter(pk__in=export.student_ids)
    return None


def _write_csv(handle, run, attributes, progress):
    # For the recipient's system, so every value exactly as it is (a leading quote would change
    # a name or a phone number); the download page says not to open it in a spreadsheet.
    csv_file_write(
        handle,
        ([row["pseudonym"], *(row[c] for c in attributes)] for row in run.rows(progress=progress)),
        mode=CsvMode.MACHINE,
        header=["pseudonym", *attributes],
    )


def _write_json(handle, run, attributes, progress):
    handle.write(b'{"attributes": ')
    handle.write(json.dumps(["pseudonym", *attributes]).encode())
    handle.write(b', "pupils": [')
    for index, row in enumerate(run.rows(progress=progress)):
        handle.write((b"," if index else b"") + b"\n" + json.dumps(row).encode())
    handle.write(b"\n]}\n")


def _write_edexml(handle, run, attributes, progress, school):
    from .edexml.writer import write_edexml

    groups = []
    teachers = []
    if "group_name" in attributes:
        group_qs = Group.objects.filter(school=school, school_year=_school_year())
        if run.plan.group_ids is not None:
            group_qs = group_qs.filter(pk__in=run.plan.group_ids)
        for group in group_qs.prefetch_related("teachers"):
            groups.append(
                {
                    "key": group.name,
                    "name": group.name,
                    "year_group_low": group.year_group_low,
                    "year_group_high": group.year_group_high,
                }
            )
            if "teacher_name" in attributes:
                for teacher in group.teachers.all():
                    teachers.append(
                        {
                            "key": f"T{teacher.pk}",
                            "name": teacher.full_name,
                            "email": teacher.email if "teacher_email" in attributes else "",
                            "group_keys": [group.name],
                        }
                    )
    write_edexml(
        handle,
        school=school,
        school_year=_school_year(),
        attributes=attributes,
        rows=run.rows(progress=progress),
        groups=groups,
        teachers=teachers,
    )


def _school_year() -> int:
    from students.models import school_year_of

    return school_year_of(timezone.localdate())


def guardians_copy_notify(*, disclosure_id: int, copy_url: str = "") -> int:
    """Email the guardians with authority of each pupil in a next-school disclosure. With
    ``copy_url`` (the education report's page of the parent portal) the e-mail says where
    their copy of exactly what was sent is; it names no child data."""
    from students.attributes import CATALOGUE
    from students.models import Guardian

    from .models import Disclosure

    disclosure = Disclosure.objects.get(pk=disclosure_id)
    emails = list(
        Guardian.objects.filter(links__student__disclosures=disclosure, links__has_authority=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if emails:
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Your child's school report was sent to the next school")
            body = render_to_string(
                "suppliers/email_next_school.txt",
                {
                    "disclosure": disclosure,
                    "labels": [
                        str(CATALOGUE[c].label) for c in disclosure.attributes if c in CATALOGUE
                    ],
                    "copy_url": copy_url,
                },
            )
        for email in emails:
            send_mail(subject, body, None, [email])
    return len(emails)


def export_build(*, export_id: int) -> Export:
    """Build the file through the gate. Safe to run twice: a finished export returns at once,
    and the disclosure is recorded in the same transaction that marks the export done."""
    from .tasks import guardians_copy_notify_task

    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id)
        if export.status == ExportStatus.DONE:
            return export
        export.status = ExportStatus.RUNNING
        export.progress = 0
        export.save(update_fields=["status", "progress"])
    try:
        plan = disclosure_plan(
            school=export.school,
            agreement=export.agreement,
            product=export.product,
            recipient=export.recipient,
            legal=_legal_of(export),
        )
        run = disclose(actor=export.requested_by, plan=plan, students=_student_filter(export))

        def progress(percent: int) -> None:
            Export.objects.filter(pk=export.pk).update(progress=min(percent, 99))

        digest = hashlib.sha256()
        with tempfile.TemporaryFile() as handle:
            if export.format == ExportFormat.CSV:
                _write_csv(handle, run, plan.attributes, progress)
            elif export.format == ExportFormat.JSON:
                _write_json(handle, run, plan.attributes, progress)
            else:
                _write_edexml(handle, run, plan.attributes, progress, export.school)
            handle.seek(0)
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
            handle.seek(0)
            with transaction.atomic():
                locked = Export.objects.select_for_update().get(pk=export.pk)
                if locked.status == ExportStatus.DONE:
                    return locked
                disclosure = run.record(checksum=digest.hexdigest())
                extension = "xml" if export.format == ExportFormat.EDEXML else export.format
                locked.file.save(f"export-{locked.pk}.{extension}", File(handle), save=False)
                locked.status = ExportStatus.DONE
                locked.progress = 100
                locked.pupil_count = disclosure.pupil_count
                locked.dropped_count = disclosure.dropped_count
                locked.disclosure = disclosure
                locked.finished_at = timezone.now()
                locked.expires_at = locked.finished_at + datetime.timedelta(hours=DOWNLOAD_HOURS)
                locked.error = ""
                locked.save()
                if (
                    export.recipient is not None
                    and export.recipient.kind == RecipientKind.NEXT_SCHOOL
                ):
                    # The onderwijskundig rapport goes to the next school with a copy to the
                    # guardians: they are told what was sent.
                    transaction.on_commit(partial(guardians_copy_notify_task.delay, disclosure.pk))
        logger.info(
            "export %s: %d pupil(s), %d left out",
            export.pk,
            disclosure.pupil_count,
            disclosure.dropped_count,
        )
        return locked
    except DisclosureRefusedError as exc:
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc.message)
        )
        raise
    except EdexmlError as exc:
        # E.g. a school year the schema does not know: the job fails with the reason.
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.FAILED, error=str(exc.message)
        )
        raise DisclosureRefusedError(exc.message) from exc


def agreements_expiring_notify(*, today: datetime.date | None = None) -> int:
    """Email each board's directors about agreements that expire within 60 days."""
    today = today or timezone.localdate()
    sent = 0
    expiring = [
        a
        for a in Agreement.objects.select_related("supplier", "supplier__board")
        if a.status_on(today) == "expiring"
    ]
    by_board: dict[int, list[Agreement]] = {}
    for agreement in expiring:
        by_board.setdefault(agreement.supplier.board_id, []).append(agreement)
    for board_id, agreements in by_board.items():
        recipients = list(
            User.objects.filter(
                groups__name=Role.DIRECTOR,
                is_active=True,
                schooluserobjectpermission__content_object__board_id=board_id,
            )
            .distinct()
            .values_list("email", flat=True)
        )
        if not recipients:
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("Processing agreements expiring soon: %(count)s") % {
                "count": len(agreements)
            }
            body = render_to_string("suppliers/email_expiring.txt", {"agreements": agreements})
        send_mail(subject, body, None, recipients)
        sent += len(recipients)
    return sent


@transaction.atomic
def supplier_save(*, user: User, board_id: int, supplier=None, **fields):
    from .models import Supplier

    if supplier is None:
        supplier = Supplier.objects.create(board_id=board_id, **fields)
    else:
        for name, value in fields.items():
            setattr(supplier, name, value)
        supplier.save()
    event_record(user=user, action=Action.UPDATE, object_type="supplier", object_id=supplier.pk)
    return supplier


@transaction.atomic
def product_save(
    *,
    user: User | None,
    supplier,
    product=None,
    attribute_reasons: dict[str, str],
    group_ids: list[int],
    **fields,
) -> Product:
    """Save a product and its privacybijsluiter attributes (the database refuses special
    categories)."""
    from students.attributes import SPECIAL_CATEGORY_CODES

    from .models import ProductAttribute

    if set(attribute_reasons) & SPECIAL_CATEGORY_CODES:
        raise DisclosureRefusedError(_("Special-category data can never be part of a product."))
    if product is None:
        product = Product.objects.create(supplier=supplier, **fields)
    else:
        for name, value in fields.items():
            setattr(product, name, value)
        product.save()
    product.attributes.all().delete()
    ProductAttribute.objects.bulk_create(
        [
            ProductAttribute(product=product, attribute=code, reason=reason)
            for code, reason in attribute_reasons.items()
        ]
    )
    product.groups.set(Group.objects.filter(pk__in=group_ids, school__board_id=supplier.board_id))
    event_record(user=user, action=Action.UPDATE, object_type="product", object_id=product.pk)
    return product


@transaction.atomic
def agreement_save(
    *,
    user: User | None,
    supplier,
    agreement=None,
    attributes: list[str],
    product_ids: list[int],
    document=None,
    **fields,
) -> Agreement:
    from students.attributes import SPECIAL_CATEGORY_CODES

    from .models import AgreementAttribute

    if set(attributes) & SPECIAL_CATEGORY_CODES:
        raise DisclosureRefusedError(_("Special-category data can never be part of an agreement."))
    if agreement is None:
        agreement = Agreement.objects.create(supplier=supplier, **fields)
    else:
        for name, value in fields.items():
            setattr(agreement, name, value)
        agreement.save()
    if document is not None:
        agreement.document.save(f"agreement-{agreement.pk}.pdf", document, save=True)
    agreement.attributes.all().delete()
    AgreementAttribute.objects.bulk_create(
        [AgreementAttribute(agreement=agreement, attribute=code) for code in attributes]
    )
    agreement.products.set(Product.objects.filter(pk__in=product_ids, supplier=supplier))
    event_record(user=user, action=Action.UPDATE, object_type="agreement", object_id=agreement.pk)
    return agreement


def child_recipients_open_for(*, user, student_id) -> dict:
    """For a guardian: who receives their child's data, why, and what was sent
    (``child_recipients``). Opening it is an access event."""
    student = child_for_recipients(user=user, student_id=student_id)
    event_record(
        user=user,
        action=Action.VIEW,
        object_type="recipients",
        object_id=student.pk,
        student_id=student.pk,
        school_id=student.school_id,
        data_kind=DataKind.BASICS,
    )
    return child_recipients(student=student)
