from django.db import models
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
    CONSENT = "consent", _("Organisation with guardians' consent")


class Basis(models.TextChoices):
    AGREEMENT = "agreement", _("Processing agreement")
    SAME_CONTROLLER = "same_controller", _("Same controller (the board)")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    CONSENT = "consent", _("Consent of the guardians")
    ACCESS_RIGHT = "access_right", _("The data subject's own right of access")


RECIPIENT_BASIS = {
    RecipientKind.BOARD: Basis.SAME_CONTROLLER,
    RecipientKind.ATTENDANCE_OFFICER: Basis.LEGAL_OBLIGATION,
    RecipientKind.DUO: Basis.LEGAL_OBLIGATION,
    RecipientKind.NEXT_SCHOOL: Basis.LEGAL_OBLIGATION,
    RecipientKind.CONSENT: Basis.CONSENT,
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
