"""Download links that stop working: a signed token in the link names one stored object,
carries the time it was signed and is bound to one more value.

What the binding is, is each kind's rule. An export's file (``suppliers.api``) is bound to the
login that requested it: anyone else's login gets a 404. An access package's files
(``privacy_requests.views``) are bound to the format, not to a login: each of the child's
guardians with parental authority may download the package, and the selector that finds the
package decides who that is. Either way a token opens only its own object, with its own
binding, within the link's lifetime (from the time the file was ready until it expires); the
caller answers anything else with a 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing


@dataclass(frozen=True)
class DownloadLink:
    """One kind of download link. Its salt keeps a token of one kind from opening another."""

    salt: str

    def token(self, *, object_id: int, bound_to: object) -> str:
        """The token for the link to ``object_id``, signed now."""
        return signing.TimestampSigner(salt=self.salt).sign(_payload(object_id, bound_to))

    def opens(
        self,
        token: str,
        *,
        object_id: int,
        bound_to: object,
        ready_at: datetime.datetime | None,
        expires_at: datetime.datetime | None,
    ) -> bool:
        """Whether ``token`` was signed for this object and binding no longer ago than the
        link lasts: ``expires_at - ready_at``; without an expiry, for as long as the file."""
        if expires_at is None:
            max_age = None
        elif ready_at is None:
            return False  # an expiring link to a file that was never ready opens nothing
        else:
            max_age = expires_at - ready_at
        try:
            value = signing.TimestampSigner(salt=self.salt).unsign(token, max_age=max_age)
        except signing.BadSignature:
            return False
        return value == _payload(object_id, bound_to)


def _payload(object_id: int, bound_to: object) -> str:
    return f"{object_id}:{bound_to}"
