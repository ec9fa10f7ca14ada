"""The demo's privacy statements: OBS Samen Een publishes its own statement (the text the
school gave, ``privacy_statement_nl.txt``, with an English translation,
``privacy_statement_en.txt``), its "Eerst denken dan delen" section as the guidance on photos
and media the consent page shows; OBS De Brug has a short statement of its own."""

from __future__ import annotations

import datetime
from pathlib import Path

from students.models import School
from students.services.statements import statement_publish

from .people import Demo, user_of

HERE = Path(__file__).parent
STATEMENT_NL = HERE / "privacy_statement_nl.txt"
STATEMENT_EN = HERE / "privacy_statement_en.txt"
# The section that is also the media guidance: from its heading to the end of the text.
MEDIA_HEADING_NL = "## Eerst denken dan delen…"
MEDIA_HEADING_EN = "## Think first, then share…"

BRUG_NL = """## Privacyverklaring OBS De Brug

OBS De Brug gebruikt de gegevens van leerlingen en hun ouders alleen voor het onderwijs, de \
begeleiding van de leerlingen en de organisatie die daarvoor nodig is. Wij bewaren niet meer \
dan nodig en niet langer dan de wet toestaat.

## Uw rechten

U mag de gegevens over uw kind inzien en laten verbeteren of verwijderen. Voor foto's en \
video's vragen wij vooraf uw toestemming; die kunt u altijd intrekken. Met vragen kunt u \
terecht bij de leerkracht van uw kind of bij de directeur.

## Eerst denken dan delen

Plaats geen foto's of filmpjes van andere kinderen op internet of sociale media zonder \
toestemming van hun ouders."""

BRUG_EN = """## Privacy statement OBS De Brug

OBS De Brug uses the data of pupils and their parents only for teaching, for supporting the \
pupils and for the organisation this requires. We keep no more than needed and no longer than \
the law allows.

## Your rights

You may see the data about your child and have it corrected or deleted. For photos and videos \
we ask your consent beforehand; you can always withdraw it. With questions you can go to your \
child's teacher or to the head of the school.

## Think first, then share

Do not post photos or videos of other children on the internet or social media without their \
parents' consent."""


def _section_from(text: str, heading: str) -> str:
    """The part of ``text`` from the line ``heading`` to the end."""
    start = text.index(heading)
    return text[start:]


def statements_load(demo: Demo, *, samen: School, brug: School) -> None:
    """Version 1 of each demo school's statement, in force since the school year began."""
    since = datetime.date(demo.year, 8, 1)
    text_nl = STATEMENT_NL.read_text(encoding="utf-8")
    text_en = STATEMENT_EN.read_text(encoding="utf-8")
    statement_publish(
        user=user_of("directeur"),
        school=samen,
        text_nl=text_nl,
        text_en=text_en,
        media_guidance_nl=_section_from(text_nl, MEDIA_HEADING_NL),
        media_guidance_en=_section_from(text_en, MEDIA_HEADING_EN),
        published_on=since,
    )
    statement_publish(
        user=user_of("directeur2"),
        school=brug,
        text_nl=BRUG_NL,
        text_en=BRUG_EN,
        media_guidance_nl=_section_from(BRUG_NL, "## Eerst denken dan delen"),
        media_guidance_en=_section_from(BRUG_EN, "## Think first, then share"),
        published_on=since,
    )
