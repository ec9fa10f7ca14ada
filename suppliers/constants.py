from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AgreementModel(models.TextChoices):
    MODEL_4 = "model_4_0", _("Model Verwerkersovereenkomst 4.0")
    MODEL_3 = "model_3_0", _("Model Verwerkersovereenkomst 3.0")
    GENERAL = "general", _("Algemene verwerkersovereenkomst")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring within 60 days")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class RecipientKind(models.TextChoices):
    BOARD = "board", _("School board (same controller)")
    ATTENDANCE_OFFICER = "attendance_officer", _("Attendance officer (leerplicht)")
    DUO = "duo", _("DUO (BRON)")
    NEXT_SCHOOL = "next_school", _("Next school (onderwijskundig rapport)")
    VEILIG_THUIS = "veilig_thuis", _("Veilig Thuis (Meldcode)")
    POLICE = "police", _("Police or public prosecutor (legal demand)")
    CONSENT = "consent", _("Organisation with guardians' consent")


class Basis(models.TextChoices):
    AGREEMENT = "agreement", _("Processing agreement")
    SAME_CONTROLLER = "same_controller", _("Same controller (the board)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    CONSENT = "consent", _("Consent of the guardians")
    ACCESS_RIGHT = "access_right", _("The data subject's own right of access")


# By the kind as a recipient stores it (a plain string).
RECIPIENT_BASIS: dict[str, Basis] = {
    RecipientKind.BOARD: Basis.SAME_CONTROLLER,
    RecipientKind.ATTENDANCE_OFFICER: Basis.LEGAL_OBLIGATION,
    RecipientKind.DUO: Basis.LEGAL_OBLIGATION,
    RecipientKind.NEXT_SCHOOL: Basis.LEGAL_OBLIGATION,
    RecipientKind.VEILIG_THUIS: Basis.LEGAL_OBLIGATION,
    RecipientKind.POLICE: Basis.LEGAL_OBLIGATION,
    RecipientKind.CONSENT: Basis.CONSENT,
}
LEGAL_RECIPIENT_KINDS = frozenset(
    kind for kind, basis in RECIPIENT_BASIS.items() if basis == Basis.LEGAL_OBLIGATION
)


class LegalGround(models.TextChoices):
    """The laws that oblige or allow the school to send pupil data without consent, in the
    words a director or a parent reads on the record."""

    ABSENCE_REPORT = (
        "leerplicht_absence",
        _("Leerplichtwet 1969, art. 21 and 21a: report of unauthorised absence"),
    )
    ABSENCE_INVESTIGATION = (
        "leerplicht_investigation",
        _("Leerplichtwet 1969, art. 22: information for the attendance officer's investigation"),
    )
    WITHDRAWAL_NOTICE = (
        "leerplicht_withdrawal",
        _("Leerplichtwet 1969, art. 18: notice of a pupil's withdrawal"),
    )
    BRON_REGISTRATION = (
        "bron_registration",
        _("Wet register onderwijsdeelnemers: enrolment or leaving registered with DUO (BRON)"),
    )
    EDUCATION_REPORT = (
        "education_report",
        _("Wet op het primair onderwijs, art. 42: education report for the next school"),
    )
    MELDCODE = (
        "meldcode",
        _(
            "Wet verplichte meldcode huiselijk geweld en kindermishandeling and Wmo 2015, "
            "art. 5.2.6: report to Veilig Thuis"
        ),
    )
    CRIMINAL_DEMAND = (
        "criminal_demand",
        _("Wetboek van Strafvordering, art. 126nd: demand for data by the public prosecutor"),
    )
    # Only on disclosures recorded before the portal asked for a ground (migration 0002).
    UNRECORDED = "unrecorded", _("Not recorded (sent before the portal asked for the ground)")


@dataclass(frozen=True)
class GroundRule:
    """What a legal ground allows: to whom, whether the director may withhold the disclosure
    from the guardians (AVG art. 23, UAVG art. 41), and the law that asks for a whole school
    at once (None: the law asks per pupil, so the gate sends only a list of pupils)."""

    recipients: frozenset[str]
    withholdable: bool = False
    whole_school_law: Promise | None = None
    # The one named exception to "special-category data leaves only to the child's own
    # guardians": care records the director marks necessary for the support the pupil needs at
    # the next school, each with its reason (``CARE_EXCEPTION``). Only the education report.
    care_records: bool = False


# The law that lets named care records go with the education report (AVG art. 9(2)(g) with
# UAVG art. 30: health data a school processes for the special guidance of a pupil), in the
# words the director and the guardians read. docs/domain.md, "The education report".
CARE_EXCEPTION = _(
    "Care data only where the director marked it necessary for the support the pupil needs at "
    "the new school (AVG art. 9(2)(g) with UAVG art. 30: special guidance of pupils)"
)


# Every ground here names single pupils. The absence report concerns the pupil who was absent;
# the attendance officer's investigation one pupil; DUO's registration (BRON) is a message per
# enrolment or leaving, never a list of the school; the education report one pupil who
# leaves; a Meldcode report and a prosecutor's demand one child. No law in this list asks for
# the whole school, so the portal offers no whole-school variant and the gate refuses one.
LEGAL_GROUND_RULES: dict[str, GroundRule] = {
    LegalGround.ABSENCE_REPORT: GroundRule(frozenset({RecipientKind.ATTENDANCE_OFFICER})),
    LegalGround.ABSENCE_INVESTIGATION: GroundRule(frozenset({RecipientKind.ATTENDANCE_OFFICER})),
    # A pupil of compulsory-education age who leaves abroad or to no known school.
    LegalGround.WITHDRAWAL_NOTICE: GroundRule(frozenset({RecipientKind.ATTENDANCE_OFFICER})),
    LegalGround.BRON_REGISTRATION: GroundRule(frozenset({RecipientKind.DUO})),
    LegalGround.EDUCATION_REPORT: GroundRule(
        frozenset({RecipientKind.NEXT_SCHOOL}), care_records=True
    ),
    LegalGround.MELDCODE: GroundRule(frozenset({RecipientKind.VEILIG_THUIS}), withholdable=True),
    LegalGround.CRIMINAL_DEMAND: GroundRule(frozenset({RecipientKind.POLICE}), withholdable=True),
}


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    EDEXML = "edexml", "EDEXML 2.1"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


# An uploaded EDEXML file is kept (sealed) between its preview and the confirmation; one that
# waits longer than this was abandoned and is deleted by the hourly expiry job.
IMPORT_UPLOAD_DIR = "private/imports"
IMPORT_UPLOAD_HOURS = 24
# Refused before anything is stored or parsed: a school's file is far smaller. The reader's
# own limits (pupils per file, progress every so many pupils) are in students/edexml/reading.py.
IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ImportKind(models.TextChoices):
    """What an import job reads; results (a later issue) will travel the same road."""

    EDEXML = "edexml", _("Pupils, groups and teachers (EDEXML 2.1)")


class ImportStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting to be checked")
    PREVIEWING = "previewing", _("Being checked")
    PREVIEWED = "previewed", _("Checked, waiting for your confirmation")
    APPLYING = "applying", _("Being imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")


class ImportStep(models.TextChoices):
    """The step a job runs or last ran: "try again" repeats it."""

    PREVIEW = "preview", _("Check")
    APPLY = "apply", _("Import")


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in SuppliersConfig.ready()."""
    from kernel.labels import register

    register("agreement_model", AgreementModel)
    register("agreement_status", AgreementStatus)
    register("recipient_kind", RecipientKind)
    register("basis", Basis)
    register("legal_ground", LegalGround)
    register("export_format", ExportFormat)
    register("export_status", ExportStatus)
    register("import_kind", ImportKind)
    register("import_status", ImportStatus)
    register("import_step", ImportStep)
