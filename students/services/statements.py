"""Publishing a school's privacy statement: each change is a new version, never an edit.

``statement_publish`` is the only writer of ``PrivacyStatement``. It writes nothing when the
texts are those of the newest version (a version is a text: another date for the same text
would be an edit of that version, which is never made), and refuses (``StatementError``, each
reason at its field) a Dutch text that is empty, a date before that of the newest version, or
a form that started from a version someone else has since replaced."""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from audit.constants import Action, DataKind
from audit.services import event_record

from ..exceptions import StudentError
from ..models import PrivacyStatement, School

TEXT_FIELDS = ("text_nl", "text_en", "media_guidance_nl", "media_guidance_en")


class StatementError(StudentError):
    default_message = _("The privacy statement was not published; check the fields marked.")


def statement_text_normalise(text: str) -> str:
    """One spelling of a text: line breaks as LF (a browser sends CR LF), no spaces at the
    ends of lines, at most one blank line between paragraphs, none at the start or end."""
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


@transaction.atomic
def statement_publish(
    *,
    user: User | None,
    school: School,
    text_nl: str,
    text_en: str = "",
    media_guidance_nl: str = "",
    media_guidance_en: str = "",
    published_on: datetime.date,
    based_on: int | None = None,
) -> PrivacyStatement | None:
    """Publish the next version of ``school``'s statement, in force from ``published_on``.

    ``based_on`` is the number of the newest version when the director's form was opened (0
    for none): if another version was published since, the change is refused, so that neither
    text is lost unseen. Returns the new version, or None when its texts are the newest's.
    """
    texts = {
        "text_nl": statement_text_normalise(text_nl),
        "text_en": statement_text_normalise(text_en),
        "media_guidance_nl": statement_text_normalise(media_guidance_nl),
        "media_guidance_en": statement_text_normalise(media_guidance_en),
    }
    # The school's row is the lock: two directors saving at once get numbers one after another.
    School.objects.select_for_update().filter(pk=school.pk).first()
    latest = PrivacyStatement.objects.filter(school=school).order_by("-version").first()
    if latest is not None and all(getattr(latest, name) == value for name, value in texts.items()):
        return None
    if based_on is not None and based_on != (latest.version if latest else 0):
        raise StatementError(
            _(
                "Meanwhile someone else published version %(number)s of the statement. Your "
                "text is kept below: compare it with the current version and save again."
            )
            % {"number": latest.version if latest else 0}
        )
    errors: dict[str, list] = {}
    if not texts["text_nl"]:
        errors["text_nl"] = [_("Write the statement in Dutch; the English text is optional.")]
    if latest is not None and published_on < latest.published_on:
        errors["published_on"] = [
            _(
                "A new version cannot take effect before version %(number)s, which is in force "
                "from %(date)s."
            )
            % {"number": latest.version, "date": date_format(latest.published_on)}
        ]
    if errors:
        raise StatementError(field_errors=errors)
    statement = PrivacyStatement.objects.create(
        school=school,
        version=(latest.version if latest else 0) + 1,
        published_on=published_on,
        created_by=user,
        **texts,
    )
    event_record(
        user=user,
        action=Action.CREATE,
        object_type="privacy_statement",
        object_id=statement.pk,
        school_id=school.pk,
        data_kind=DataKind.SCHOOL,
    )
    return statement
