"""Publications (photos, newsletters, the website) and the takedowns a withdrawal leaves."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.constants import Role
from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record
from students.models import School, Student

from ..constants import PublicationStatus, Status
from ..models import (
    ConsentDecision,
    ConsentPurpose,
    Publication,
    Takedown,
)
from ..selectors.publications import published_with
from ..selectors.status import statuses_for
from .common import ConsentError, _send


def takedowns_flag(*, decision: ConsentDecision) -> int:
    """Open a takedown for every published publication showing the pupil for the purpose."""
    count = 0
    for publication in published_with(
        student_id=decision.student_id, purpose_id=decision.purpose_id
    ):
        _takedown, created = Takedown.objects.get_or_create(
            publication=publication,
            student_id=decision.student_id,
            resolved_at__isnull=True,
            defaults={"decision": decision},
        )
        count += created
    return count


def takedowns_notify(*, decision_id: int) -> int:
    """Tell the school's director(s) that publications must come down."""
    decision = ConsentDecision.objects.select_related("student").get(pk=decision_id)
    open_takedowns = Takedown.objects.filter(decision=decision, resolved_at__isnull=True)
    count = open_takedowns.count()
    if not count:
        return 0
    directors = list(
        User.objects.filter(
            groups__name=Role.DIRECTOR,
            is_active=True,
            schooluserobjectpermission__permission__codename="manage_school_consent",
            schooluserobjectpermission__content_object_id=decision.student.school_id,
        )
        .distinct()
        .values_list("email", flat=True)
    )
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Consent withdrawn: %(count)s publication(s) to take down") % {"count": count}
    _send(subject, "consent/email_takedown.txt", {"count": count}, directors)
    return count


@transaction.atomic
def publication_create(
    *,
    user: User,
    school: School,
    title: str,
    purpose: ConsentPurpose,
    publish_on: datetime.date,
    pupils: list[Student],
) -> Publication:
    if purpose.school_id != school.pk or any(p.school_id != school.pk for p in pupils):
        raise ConsentError(_("The purpose and pupils must belong to one school."))
    publication = Publication.objects.create(
        school=school,
        title=title.strip(),
        purpose=purpose,
        publish_on=publish_on,
        created_by=user,
    )
    publication.pupils.set(pupils)
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="publication",
        object_id=publication.pk,
        school_id=school.pk,
        data_kind=DataKind.CONSENT,
    )
    return publication


@transaction.atomic
def publication_publish(*, user: User, publication: Publication, weighed: bool) -> Publication:
    """Mark as published: every pupil shown needs effective consent, and the case was weighed."""
    locked = Publication.objects.select_for_update().get(pk=publication.pk)
    if locked.status == PublicationStatus.PUBLISHED:
        return locked
    if not weighed:
        raise ConsentError(_("Confirm that you weighed this publication for every pupil."))
    pupil_ids = list(locked.pupils.values_list("pk", flat=True))
    statuses = statuses_for(student_ids=pupil_ids, purposes=[locked.purpose])
    missing = [pk for pk in pupil_ids if statuses[(pk, locked.purpose_id)] != Status.GRANTED]
    if missing:
        raise ConsentError(
            _(
                "%(count)s pupil(s) in this publication have no consent for this purpose. Remove "
                "them from the publication (or make them unrecognisable) first."
            )
            % {"count": len(missing)}
        )
    locked.status = PublicationStatus.PUBLISHED
    locked.weighed_by = user
    locked.published_at = timezone.now()
    locked.save(update_fields=["status", "weighed_by", "published_at"])
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="publication",
        object_id=locked.pk,
        school_id=locked.school_id,
        data_kind=DataKind.CONSENT,
    )
    return locked


@transaction.atomic
def publication_remove_pupil(*, user: User, publication: Publication, student_id: int) -> None:
    publication.pupils.remove(student_id)
    event_record(
        user=user,
        action=Action.UPDATE,
        object_type="publication",
        object_id=publication.pk,
        school_id=publication.school_id,
        data_kind=DataKind.CONSENT,
    )


@transaction.atomic
def takedown_resolve(*, user: User, takedown: Takedown) -> Takedown:
    """The pupil was removed from the published item (or the item taken offline)."""
    locked = Takedown.objects.select_for_update().get(pk=takedown.pk)
    if locked.resolved_at is None:
        locked.resolved_at = timezone.now()
        locked.resolved_by = user
        locked.save(update_fields=["resolved_at", "resolved_by"])
        event_record(
            user=user,
            action=Action.UPDATE,
            object_type="takedown",
            object_id=locked.pk,
            student_id=locked.student_id,
            data_kind=DataKind.CONSENT,
        )
    return locked
