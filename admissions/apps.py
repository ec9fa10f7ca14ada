from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from students import erasure, expiry, lifecycle
        from students.start_page import todo_register

        from . import (
            permissions,  # noqa: F401 - registers its object permissions
            tasks_okr,  # noqa: F401 - the education report's job, for the worker
        )
        from .audit_objects import audit_objects_register
        from .audit_objects_funding import audit_objects_register as funding_objects_register
        from .constants import labels_register
        from .erasure import erasure_handlers_register as applications_erasure
        from .erasure_okr import erasure_handlers_register as okr_erasure
        from .services.funding import (
            enrolled_registration_create,
            registration_files_erase,
            registration_files_expire,
            withdrawn_registration_create,
        )
        from .services.leaving import departure_ensure
        from .todos_decisions import application_todos
        from .todos_funding import funding_todos
        from .todos_leaving import leaving_todos

        labels_register()
        audit_objects_register()
        funding_objects_register()
        okr_erasure()
        applications_erasure()
        # Funding registrations: every enrolment and leaving is due at DUO within 7 days.
        lifecycle.enrolled_register(enrolled_registration_create)
        lifecycle.withdrawn_register(withdrawn_registration_create)
        lifecycle.withdrawn_register(departure_ensure)
        expiry.expiry_register("funding_registrations", registration_files_expire, order=25)
        erasure.handler_register(
            erasure.ENROLMENT, "funding_registration_files", registration_files_erase, order=25
        )
        todo_register(application_todos)
        todo_register(funding_todos)
        todo_register(leaving_todos)
