"""How the audit trail describes this capability's objects (``students/audit_objects.py``): a
retention rule (and a change of it) by its kind of data and school, linked to the school's
retention page (its rules, or its changes) for a reader who sees the school's retention; a
retention run by its day and school, linked to the run's page for a reader who sees the school's
retention. One query per kind for a page."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.constants import Function
from students.audit_objects import (
    AuditReader,
    Description,
    describer_register,
    numbered,
    object_pk,
    object_pks,
)
from students.selectors import school_ids_with

from .models import RetentionRule, RetentionRun, RuleChange


def _rule_label(category_label: str, school: str, *, change: bool = False) -> str:
    words = {"data": category_label, "school": school}
    if change:
        return _("Change of the retention rule for %(data)s, %(school)s") % words
    return _("Retention rule for %(data)s, %(school)s") % words


def _describe_rules(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    found: dict[int, tuple[int, str]] = {}  # object id -> (school id, label)
    # Checked first: the retention selectors refuse (and record it) for anyone else.
    if ids and reader.user.has_function(Function.VIEW_RETENTION):
        schools = school_ids_with(reader.user, "view_school_retention")
        if events[0].object_type == "retention_rule_change":
            changes = RuleChange.objects.filter(pk__in=ids, rule__school_id__in=schools)
            rows = changes.select_related("rule", "rule__school")
            found = {
                c.pk: (
                    c.rule.school_id,
                    _rule_label(c.rule.get_category_display(), c.rule.school.name, change=True),
                )
                for c in rows
            }
        else:
            rules = RetentionRule.objects.filter(pk__in=ids, school_id__in=schools)
            found = {
                r.pk: (r.school_id, _rule_label(r.get_category_display(), r.school.name))
                for r in rules.select_related("school")
            }
    result = {}
    for e in events:
        hit = found.get(object_pk(e.object_id) or 0)
        if hit is None:
            result[e.pk] = Description(numbered(e.object_type, e.object_id))
            continue
        school_id, label = hit
        anchor = "rules-heading"
        if e.object_type == "retention_rule_change":
            anchor = "changes-heading"
        url = f"{reverse('retention')}?school={school_id}#{anchor}"
        result[e.pk] = Description(label, url)
    return result


def _describe_runs(reader: AuditReader, events: Sequence) -> dict[int, Description]:
    ids = object_pks(events)
    found = {}
    if ids and reader.user.has_function(Function.VIEW_RETENTION):
        found = {
            run.pk: run
            for run in RetentionRun.objects.filter(
                pk__in=ids, school_id__in=school_ids_with(reader.user, "view_school_retention")
            ).select_related("school")
        }
    result = {}
    for e in events:
        run = found.get(object_pk(e.object_id) or 0)
        if run is None:
            result[e.pk] = Description(numbered(e.object_type, e.object_id))
            continue
        label = _("Retention run of %(day)s, %(school)s") % {
            "day": formats.date_format(timezone.localtime(run.started_at).date()),
            "school": run.school.name,
        }
        result[e.pk] = Description(label, reverse("retention-run-detail", args=[run.pk]))
    return result


def audit_objects_register() -> None:
    describer_register("retention_rule", _describe_rules)
    describer_register("retention_rule_change", _describe_rules)
    describer_register("retention_run", _describe_runs)
