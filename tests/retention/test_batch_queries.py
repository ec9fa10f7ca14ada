"""A run processes its due pupils in batches: per batch a fixed number of statements, per
pupil only its audit event (one per category), so a board-wide run stays fast."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AccessEvent
from consent.models import ConsentDecision
from retention.constants import Category, RunStatus
from retention.models import ArchivedResult, ErasureRecord
from retention.services import retention_run
from students.models import CareRecord, ProgressRecord, ReligionRecord, School

from .conftest import years_ago

CATEGORIES = [Category.PUPIL_FILE, Category.CONSENT_EVIDENCE]


def _run(school: School) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        run = retention_run(school=school, categories=CATEGORIES)
    assert run.status == RunStatus.DONE
    return len(captured.captured_queries), run.counts


@pytest.mark.parametrize("many", [5, 12])
def test_queries_grow_only_by_one_audit_event_per_pupil_and_category_when_more_pupils_due(
    ret, many
):
    one, other = ret.school, ret.second_school()
    ret.leaver(left_on=years_ago(3))
    for _ in range(many):
        ret.leaver(left_on=years_ago(3), school=other)

    queries_one, counts_one = _run(one)
    queries_many, counts_many = _run(other)

    assert counts_one[Category.PUPIL_FILE] == counts_one[Category.CONSENT_EVIDENCE] == {"pupils": 1}
    assert counts_many[Category.PUPIL_FILE] == {"pupils": many}
    assert counts_many[Category.CONSENT_EVIDENCE] == {"pupils": many}
    assert queries_many - queries_one == (many - 1) * len(CATEGORIES)


def test_every_pupil_of_a_batch_gets_its_tombstone_lines_and_events_when_processed(ret):
    pupils = [ret.leaver(left_on=years_ago(3)) for _ in range(4)]

    run = retention_run(school=ret.school, categories=CATEGORIES, batch=3)

    assert run.counts == {
        Category.PUPIL_FILE: {"pupils": 4},
        Category.CONSENT_EVIDENCE: {"pupils": 4},
    }
    for pupil in pupils:
        lines = dict(
            ErasureRecord.objects.filter(student=pupil, run=run).values_list("category", "count")
        )
        # two care records, religion, two grades; one consent decision
        assert lines == {Category.PUPIL_FILE: 5, Category.CONSENT_EVIDENCE: 1}
        events = AccessEvent.objects.filter(student_id=pupil.pk, object_type__startswith="erasure:")
        assert sorted(events.values_list("object_type", "object_id")) == [
            ("erasure:consent_evidence", "1"),
            ("erasure:pupil_file", "5"),
        ]
        assert not CareRecord.objects.filter(student=pupil).exists()
        assert not ReligionRecord.objects.filter(student=pupil).exists()
        assert not ProgressRecord.objects.filter(student=pupil).exists()
        assert not ConsentDecision.objects.filter(student=pupil).exists()
    assert ArchivedResult.objects.filter(school=ret.school).count() == 2 * 4
