from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from students import erasure, expiry, lifecycle
        from students.start_page import todo_register

        from . import permissions  # noqa: F401 - registers its object permissions
        from .audit_objects_funding import audit_objects_register as funding_objects_register
        from .constants import labels_register
        from .services.funding import (
            enrolled_registration_create,
            registration_files_erase,
            registration_files_expire,
            withdrawn_registration_create,
        )
        from .todos_funding import funding_todos

        labels_register()
        # Funding registrations: every enrolment and leaving is due at DUO within 7 days.
        lifecycle.enrolled_register(enrolled_registration_create)
        lifecycle.withdrawn_register(withdrawn_registration_create)
        todo_register(funding_todos)
        funding_objects_register()
        expiry.expiry_register("funding_registrations", registration_files_expire, order=25)
        erasure.handler_register(
            erasure.ENROLMENT, "funding_registration_files", registration_files_erase, order=25
        )
