"""The describers of the audit trail's objects moved to the core, ``students/audit_objects.py``,
so that every capability can register one (``consent`` may not import ``audit_trail``). This
module keeps the old import path working."""

from students.audit_objects import (
    OBJECT_LABELS,
    AuditReader,
    Describer,
    Description,
    describer_for,
    describer_register,
    object_pk,
    object_pks,
    object_type_label,
)

__all__ = [
    "OBJECT_LABELS",
    "AuditReader",
    "Describer",
    "Description",
    "describer_for",
    "describer_register",
    "object_pk",
    "object_pks",
    "object_type_label",
]
