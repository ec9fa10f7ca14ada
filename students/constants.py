from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other or not stated")


class WithdrawalDestination(models.TextChoices):
    PRIMARY_SCHOOL = "primary_school", _("Another primary school")
    SPECIAL_EDUCATION = "special_education", _("Special education")
    SECONDARY_SCHOOL = "secondary_school", _("Secondary school")
    ABROAD = "abroad", _("Abroad")
    OTHER = "other", _("Other")


YEAR_GROUPS = range(1, 9)
