"""The privacy statement on a page: its text as HTML, and two blocks other pages include.

``{% load statements %}``, then:

- ``{{ text|statement }}``: a statement's plain text as HTML, every character escaped.
  Paragraphs are separated by blank lines; a line that starts with ``## `` is a heading
  (``<h2>``, or another level: ``{{ text|statement:3 }}``); single line breaks stay.
- ``{% privacy_contacts student %}``: whom a parent asks about privacy (the child's page).
- ``{% media_guidance school_id %}``: the school's guidance on photos and media, from the
  statement in force (the consent page), with a link to the whole statement.
"""

from __future__ import annotations

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from ..models import PrivacyStatement, Student
from ..selectors.statements import privacy_contacts_for, statement_in_force

register = template.Library()

HEADING = "## "


def _paragraph(lines: list[str]) -> str:
    return f"<p>{'<br>'.join(str(conditional_escape(line)) for line in lines)}</p>"


def statement_html(text: str, level: int = 2) -> SafeString:
    """``text`` (the statement's plain-text format) as escaped HTML."""
    level = min(max(int(level), 2), 6)
    parts: list[str] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        pending: list[str] = []
        for line in block.split("\n"):
            heading = line[len(HEADING) :].strip() if line.startswith(HEADING) else ""
            if heading:
                if pending:
                    parts.append(_paragraph(pending))
                    pending = []
                parts.append(str(format_html("<h{0}>{1}</h{0}>", level, heading)))
            elif line.strip():
                pending.append(line.strip())
        if pending:
            parts.append(_paragraph(pending))
    # Every piece of text went through conditional_escape or format_html above.
    return mark_safe("\n".join(parts))  # noqa: S308


@register.filter
def statement(text: str, level: int = 2) -> SafeString:
    return statement_html(text or "", level)


@register.inclusion_tag("students/_privacy_contacts.html")
def privacy_contacts(student: Student) -> dict:
    return {"contacts": privacy_contacts_for(student), "student": student}


@register.inclusion_tag("students/_media_guidance.html")
def media_guidance(school_id: int) -> dict:
    """The media guidance of the statement in force at the school (one query)."""
    versions = list(PrivacyStatement.objects.filter(school_id=school_id).order_by("-version"))
    current = statement_in_force(versions)
    reader = get_language() or "nl"
    text, language = current.media_guidance_for(reader) if current else ("", "")
    return {
        "school_id": school_id,
        "statement": current,
        "text": text,
        "language": language,
        "untranslated": bool(text) and language != reader,
    }
