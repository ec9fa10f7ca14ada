"""Writes of consent, by concern: ``decisions`` (guardians' decisions, append-only evidence),
``campaigns`` (the director's purposes and campaigns), ``publications`` (publications and
takedowns) and ``reads`` (opening a child's consent, a dashboard or a photo list: reads that
record an access event)."""

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
from .reads import (
    board_consent_overview_open_for,
    child_consents_open_for,
    dashboard_school_open_for,
    photo_list_open_for,
)

__all__ = [
    "ConsentError",
    "ConsentLockedError",
    "NotAGuardianError",
    "board_consent_overview_open_for",
    "campaign_invite",
    "campaign_reminders_send",
    "campaign_start",
    "child_consents_open_for",
    "consent_record",
    "dashboard_school_open_for",
    "guardians_inform",
    "photo_list_open_for",
    "publication_create",
    "publication_publish",
    "publication_remove_pupil",
    "purpose_text_change",
    "purposes_seed",
    "takedown_resolve",
    "takedowns_flag",
    "takedowns_notify",
]
