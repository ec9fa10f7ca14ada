from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class StudentsConfig(AppConfig):
    name = "students"
    verbose_name = _("Pupils")

    def ready(self) -> None:
        from kernel.crypto import check_keys

        from . import (
            checks,  # noqa: F401 - registers the system check
            permissions,  # noqa: F401 - registers the core's object permissions
        )
        from .constants import labels_register
        from .services.erasure import erasure_handlers_register
        from .services.permissions import permissions_sync_after_migrate
        from .start_page import todo_register
        from .todos import religion_unconsented_todos, teacher_proposal_todos, withholding_todos

        # Missing or malformed keys are a start-up error for every process.
        check_keys()
        erasure_handlers_register()
        todo_register(withholding_todos)
        todo_register(teacher_proposal_todos)
        todo_register(religion_unconsented_todos)
        from .todos_address import address_change_todos

        todo_register(address_change_todos)
        labels_register()
        # Every migrate (and flush) ends with the Permission rows and grants of the role table.
        post_migrate.connect(
            permissions_sync_after_migrate, sender=self, dispatch_uid="students.permissions_sync"
        )
