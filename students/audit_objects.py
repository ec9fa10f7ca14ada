"""What the objects of access events are, in words, and where a reader may open them: the registry
the audit trail (``audit_trail/readable.py``) reads and every capability registers in.

It lives in the core so that every capability can register, ``consent`` too (a sibling of
``audit_trail`` that may not import it), like the other registries of the core.

An event names its object by a code (``object_type``) and an id. The audit trail shows a label for
the code (``OBJECT_LABELS``, or the label of the function or kind of data that a refusal recorded as
its object) and, where a capability registered a *describer* for the code, a description of the
object itself with a link for a reader who may open it.

A describer is registered in the capability's ``AppConfig.ready()`` (the core imports no
capability): ``describer_register("export", describe)``, usually from its
``<app>/audit_objects.py``. It receives the reader (``AuditReader``) and the events of its object
type on one page (or one chunk of a download) and answers ``{event id: Description}``, reading every
object in one query so the number of queries does not grow with the rows. It describes only what the
reader may see: a name of a pupil only for a reader who sees pupils' names, a link only to a page
the reader may open."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext_lazy as _

from accounts.constants import Function
from audit.constants import DataKind

if TYPE_CHECKING:
    from accounts.models import User
    from audit.models import AccessEvent


class AuditReader(Protocol):
    """Who reads the trail (``audit_trail.readable.Reader``): the user, and whether they see
    pupils (by name, with links: the director; not the board's privacy officer)."""

    @property
    def user(self) -> User: ...

    @property
    def sees_pupils(self) -> bool: ...


@dataclass(frozen=True)
class Description:
    """An object in words; ``url`` only when the reader may open it."""

    label: str
    url: str | None = None


Describer = Callable[[AuditReader, Sequence["AccessEvent"]], dict[int, Description]]

_DESCRIBERS: dict[str, Describer] = {}


def describer_register(object_type: str, describe: Describer) -> None:
    """Let the audit trail describe the objects of one type (see the module's docstring)."""
    _DESCRIBERS[object_type] = describe


def describer_for(object_type: str) -> Describer | None:
    return _DESCRIBERS.get(object_type)


def object_pk(object_id: str) -> int | None:
    """An event's object id as a database id, or None (ids from a URL are whatever was
    typed)."""
    return (
        int(object_id)
        if object_id.isascii() and object_id.isdigit() and len(object_id) < 19
        else None
    )


def object_pks(events: Sequence[AccessEvent]) -> set[int]:
    return {pk for e in events if (pk := object_pk(e.object_id))}


def numbered(object_type: str, object_id: str, name: str | None = None) -> str:
    """The object in words: its type and name, or its type and number."""
    label = object_type_label(object_type)
    return f"{label}: {name}" if name else f"{label} {object_id}".strip()


# Every object type the portal records, in words.
OBJECT_LABELS = {
    "access_log": _("Access log"),
    "access_package": _("Access package"),
    "account": _("Account"),
    "address_change": _("Reported move"),
    "agreement": _("Agreement"),
    "api_token": _("API token"),
    "application": _("Application for a place"),
    "application_letter": _("Refusal letter of an application"),
    "attendance_notice": _("Notice of a leaving to the attendance officer"),
    "audit": _("Audit trail"),
    "audit_export": _("Download of the audit trail"),
    "authority": _("Parental authority (court decision)"),
    "backup_codes": _("Backup codes"),
    "breach": _("Data breach"),
    "breach_notices": _("Letters about a data breach"),
    "care": _("Care data"),
    "care_file": _("Care file"),
    "care_record": _("Care record"),
    "care_withholding": _("Withholding a care record from the guardians"),
    "consent": _("Consent"),
    "consent_campaign": _("Consent round"),
    "consent_dashboard": _("Consent overview"),
    "consent_dashboard_board": _("Consent overview of the board"),
    "consent_purpose": _("Purpose of consent"),
    "consent_settings": _("Consent settings"),
    "departure": _("Leaving of a pupil"),
    "disclosure": _("Disclosure"),
    "disclosure_register": _("Disclosure register"),
    "disclosure_withholding": _("Withholding a disclosure from the guardians"),
    "education_report": _("Education report"),
    "emergency_contacts": _("Emergency contacts"),
    "export": _("Export"),
    "export_download": _("Download of an export"),
    "funding_registration": _("Funding registration for DUO"),
    "group": _("Group"),
    "group_teacher": _("Teacher of a group"),
    "group_teacher_end": _("End of a teacher's assignment"),
    "group_teacher_start": _("Start of a teacher's assignment"),
    "guardian": _("Guardian"),
    "guardianship": _("Parental authority"),
    "import": _("Import"),
    "invitation": _("Invitation"),
    "leaving_proof": _("Proof of withdrawal"),
    "legal_hold": _("Legal hold"),
    "lockout": _("Locked account"),
    "measures": _("Security measures"),
    "password_reset": _("Password reset"),
    "password_reset_request": _("Request to reset a password"),
    "photo_list": _("Photo list"),
    "privacy_overview": _("Privacy overview"),
    "privacy_request": _("Privacy request"),
    "privacy_statement": _("Privacy statement"),
    "processing_limit": _("Restriction of processing"),
    "processing_register": _("Processing register"),
    "product": _("Product"),
    "progress": _("Progress"),
    "publication": _("Publication"),
    "recipient": _("Recipient"),
    "recipients": _("Who receives the child's data"),
    "religion": _("Religion"),
    "religion_consent": _("Consent to record religion"),
    "retention": _("Retention"),
    "retention_log_policy": _("How long access events are kept"),
    "retention_log_policy_change": _("Change of how long access events are kept"),
    "retention_rule": _("Retention rule"),
    "retention_rule_change": _("Change of a retention rule"),
    "retention_run": _("Retention run"),
    "rollover": _("School year rollover"),
    "rollover_plan": _("Plan for the next school year"),
    "school": _("School"),
    "second_factor": _("Second login step"),
    "session_timeout": _("Session ended after inactivity"),
    "staff": _("Staff member"),
    "staff_deactivation": _("Deactivation of a staff account"),
    "staff_invitation": _("Invitation of a colleague"),
    "student": _("Pupil's details"),
    "supplier": _("Supplier"),
    "takedown": _("Request to take down a publication"),
    "teacher_proposal": _("Proposed teacher"),
}


def object_type_label(object_type: str) -> str:
    """The object type in words: its label, or the label of the function or kind of data a
    refusal recorded in its place; '—' for none."""
    if not object_type:
        return "—"
    if object_type in OBJECT_LABELS:
        return str(OBJECT_LABELS[object_type])
    if object_type in Function.values:
        return str(Function(object_type).label)
    if object_type in DataKind.values:
        return str(DataKind(object_type).label)
    return object_type.replace("_", " ").capitalize()
