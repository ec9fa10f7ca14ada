from django.db import models
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Renewal(models.TextChoices):
    UNTIL_WITHDRAWN = "until_withdrawn", _("Until withdrawn")
    YEARLY = "yearly", _("Per school year")


class Decision(models.TextChoices):
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Status(models.TextChoices):
    """The derived, effective status of one pupil and purpose. Unknown counts as no consent."""

    GRANTED = "granted", _("Consent")
    REFUSED = "refused", _("No consent")
    UNKNOWN = "unknown", _("Not answered (no consent)")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Parent portal")
    PAPER = "paper", _("Paper form, recorded by staff")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Taken offline")


# The purposes every school starts with (docs/domain.md), in the order parents see them.
DEFAULT_PURPOSES = [
    (
        "school_guide",
        Renewal.UNTIL_WITHDRAWN,
        "Foto's en video in de schoolgids",
        "Photos and video in the school guide",
        "Wij mogen foto's en video's waarop uw kind te zien is gebruiken in de schoolgids.",
        "We may use photos and videos showing your child in the school guide.",
    ),
    (
        "website",
        Renewal.YEARLY,
        "Foto's en video op de website",
        "Photos and video on the website",
        "Wij mogen foto's en video's waarop uw kind te zien is plaatsen op de website van "
        "de school.",
        "We may publish photos and videos showing your child on the school's website.",
    ),
    (
        "newsletter",
        Renewal.YEARLY,
        "Foto's in de nieuwsbrief",
        "Photos in the newsletter",
        "Wij mogen foto's waarop uw kind te zien is gebruiken in de nieuwsbrief voor ouders.",
        "We may use photos showing your child in the newsletter for parents.",
    ),
    (
        "social_media",
        Renewal.YEARLY,
        "Foto's en video op sociale media",
        "Photos and video on social media",
        "Wij mogen foto's en video's waarop uw kind te zien is plaatsen op de "
        "sociale-media-accounts van de school.",
        "We may post photos and videos showing your child on the school's social media accounts.",
    ),
    (
        "parent_app",
        Renewal.YEARLY,
        "Foto's in de ouderapp en dit portaal",
        "Photos in the parent app and this portal",
        "Wij mogen foto's waarop uw kind te zien is delen met de ouders van de groep in de "
        "ouderapp.",
        "We may share photos showing your child with the group's parents in the parent app.",
    ),
    (
        "regional_press",
        Renewal.UNTIL_WITHDRAWN,
        "Foto's in de regionale pers",
        "Photos in the regional press",
        "Wij mogen de regionale pers toestaan foto's te maken waarop uw kind te zien is.",
        "We may allow the regional press to take photos showing your child.",
    ),
    (
        "school_photographer",
        Renewal.UNTIL_WITHDRAWN,
        "Adresgegevens aan de schoolfotograaf",
        "Address details to the school photographer",
        "Wij mogen uw naam en adres doorgeven aan de schoolfotograaf om de foto's te bestellen.",
        "We may pass your name and address to the school photographer to order the photos.",
    ),
    (
        "research",
        Renewal.UNTIL_WITHDRAWN,
        "Deelname aan onderwijsonderzoek",
        "Taking part in educational research",
        "Uw kind mag meedoen aan onderwijsonderzoek waarvoor gegevens worden gedeeld.",
        "Your child may take part in educational research for which data is shared.",
    ),
    (
        "data_sharing",
        Renewal.UNTIL_WITHDRAWN,
        "Gegevens delen met de buitenschoolse opvang",
        "Sharing data with the after-school care",
        "Wij mogen naam, groep en ophaalafspraken delen met de buitenschoolse opvang.",
        "We may share name, group and pick-up arrangements with the after-school care.",
    ),
]


def _purpose_title(title_nl: str, title_en: str):
    return lazy(lambda: title_en if get_language() == "en" else title_nl, str)()


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in ConsentConfig.ready().
    A purpose's label is its default title; a school that renamed one shows its own title
    where the page has the purpose itself (``ConsentPurpose.title``)."""
    from kernel.labels import register

    register("purpose", [(p[0], _purpose_title(p[2], p[3])) for p in DEFAULT_PURPOSES])
    register("renewal", Renewal)
    register("consent_decision", Decision)
    register("consent_status", Status)
    register("consent_channel", Channel)
    register("publication_status", PublicationStatus)
