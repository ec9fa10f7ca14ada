"""The admissions jobs: the hourly deletion of unconfirmed applications, and every e-mail to
an applicant. An e-mail is queued once the request's transaction commits
(``transaction.on_commit``) and sent by a worker, never inside the request: a slow or failing
mail server then neither holds a page nor its database transaction, and a failed send is
tried again. Each task gets ids (and what it cannot read back: the confirmation link's token,
of which only a hash is stored) and renders its mail itself."""

from smtplib import SMTPException

from celery import shared_task
from django.db import OperationalError

# A mail server or the database that is away for a moment: tried again, later each time.
MAIL_RETRY = {
    "autoretry_for": (SMTPException, ConnectionError, OperationalError),
    "retry_backoff": True,
    "max_retries": 5,
    "ignore_result": True,
}


@shared_task(ignore_result=True)
def applications_unconfirmed_delete_task() -> None:
    """Hourly: delete the online applications whose confirmation link expired unused."""
    from .services.applications import applications_unconfirmed_delete

    applications_unconfirmed_delete()


@shared_task(**MAIL_RETRY)
def application_confirm_mail_task(
    application_id: int, token: str, site_url: str = "", language: str = ""
) -> None:
    """The link that confirms a new application (nothing once it was confirmed or deleted)."""
    from .services.applications import application_confirm_mail

    application_confirm_mail(
        application_id=application_id, token=token, site_url=site_url, language=language
    )


@shared_task(**MAIL_RETRY)
def application_confirmed_mail_task(
    application_id: int, site_url: str = "", language: str = ""
) -> None:
    """The application counts: its reference, the decision date and the follow link."""
    from .services.applications import application_confirmed_mail

    application_confirmed_mail(application_id=application_id, site_url=site_url, language=language)


@shared_task(**MAIL_RETRY)
def follow_link_mail_task(
    reference: str, email: str, site_url: str = "", language: str = ""
) -> None:
    """A fresh follow link, when the reference and the address match a confirmed application
    (queued for every request alike, so the page's answer and its timing tell nothing)."""
    from .services.applications import follow_link_mail

    follow_link_mail(reference=reference, email=email, site_url=site_url, language=language)


@shared_task(**MAIL_RETRY)
def application_news_mail_task(application_id: int, what: str) -> None:
    """There is news about the application (a decision or an extension): the follow link."""
    from .services.decisions import application_notify

    application_notify(application_id=application_id, what=what)
