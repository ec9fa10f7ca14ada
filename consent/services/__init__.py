"""Writes of consent, by concern: ``decisions`` (guardians' decisions, append-only evidence),
``campaigns`` (the director's purposes and campaigns) and ``publications`` (publications and
takedowns)."""

from .campaigns import (
    campaign_invite,
    campaign_reminders_send,
    campaign_start,
    purpose_text_change,
    purposes_seed,
)
from .common import ConsentError, ConsentLockedError, NotAGuardianError
from .decisions import consent_record, guardians_inform
from .publications import (
    publication_create,
    publication_publish,
    publication_remove_pupil,
    takedown_resolve,
    takedowns_flag,
    takedowns_notify,
)

__all__ = [
    "ConsentError",
    "ConsentLockedError",
    "NotAGuardianError",
    "campaign_invite",
    "campaign_reminders_send",
    "campaign_start",
    "consent_record",
    "guardians_inform",
    "publication_create",
    "publication_publish",
    "publication_remove_pupil",
    "purpose_text_change",
    "purposes_seed",
    "takedown_resolve",
    "takedowns_flag",
    "takedowns_notify",
]
