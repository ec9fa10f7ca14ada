from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are Django auth groups of these names; a person may hold several."""

    DIRECTOR = "director", _("Director")
    ADMINISTRATION = "administration", _("Administration")
    CARE_COORDINATOR = "care_coordinator", _("Care coordinator")
    TEACHER = "teacher", _("Teacher")
    PRIVACY_OFFICER = "privacy_officer", _("Privacy officer")
    GUARDIAN = "guardian", _("Guardian")


STAFF_ROLES = frozenset(
    {Role.DIRECTOR, Role.ADMINISTRATION, Role.CARE_COORDINATOR, Role.TEACHER, Role.PRIVACY_OFFICER}
)


class Function(models.TextChoices):
    """What a role may do at all (403 without it). Scope (404) is decided by the selectors."""

    VIEW_PUPILS = "view_pupils", _("View pupils")
    VIEW_BSN = "view_bsn", _("View BSN / education number")
    MANAGE_PUPILS = "manage_pupils", _("Enrol, move and withdraw pupils")
    VIEW_AUDIT = "view_audit", _("View audit events")
    VIEW_OWN_CHILDREN = "view_own_children", _("View own children")
    VIEW_PROGRESS = "view_progress", _("Read progress and grades")
    WRITE_PROGRESS = "write_progress", _("Record progress and grades")
    VIEW_CARE = "view_care", _("Read care data")
    WRITE_CARE = "write_care", _("Record care data")
    DECIDE_WITHHOLDING = "decide_withholding", _("Decide on withholding care records")
    VIEW_RELIGION = "view_religion", _("Read religion")
    WRITE_RELIGION = "write_religion", _("Record religion")
    VIEW_ACCESS_LOG = "view_access_log", _("Read a pupil's access log")
    VIEW_CONSENT = "view_consent", _("See consent status")
    RECORD_CONSENT = "record_consent", _("Record paper consent forms")
    GIVE_CONSENT = "give_consent", _("Give or withdraw consent for own children")
    MANAGE_CONSENT = "manage_consent", _("Manage consent purposes and campaigns")
    VIEW_CONSENT_DASHBOARD = "view_consent_dashboard", _("See the consent dashboard")
    PUBLISH = "publish", _("Register publications of photos and video")
    VIEW_SUPPLIERS = "view_suppliers", _("See suppliers and agreements")
    MANAGE_SUPPLIERS = "manage_suppliers", _("Manage suppliers and agreements")
    RUN_EXPORTS = "run_exports", _("Export pupil data through the gate")
    VIEW_DISCLOSURES = "view_disclosures", _("See the disclosure register")
    VIEW_RECIPIENTS = "view_recipients", _("See who receives own children's data")
    SUBMIT_REQUESTS = "submit_requests", _("Submit privacy requests for own children")
    HANDLE_REQUESTS = "handle_requests", _("Handle privacy requests")
    DECIDE_REQUESTS = "decide_requests", _("Decide on privacy requests")
    RELEASE_PACKAGES = "release_packages", _("Review and release access packages")
    OVERSEE_REQUESTS = "oversee_requests", _("Oversee the board's privacy requests")
    VIEW_RETENTION = "view_retention", _("See the retention rules, preview and runs")
    MANAGE_RETENTION = "manage_retention", _("Set retention rules, legal holds and runs")
    SET_LOG_POLICY = "set_log_policy", _("Set how long the board keeps access events")
    MANAGE_STAFF = "manage_staff", _("Manage staff accounts and substitutes")
    ROLLOVER = "rollover", _("Prepare and apply the next school year")
    MANAGE_BREACHES = "manage_breaches", _("Record and assess data breaches")
    VIEW_PROCESSING_REGISTER = "view_processing_register", _("See the processing register")
    VIEW_PRIVACY_OVERVIEW = "view_privacy_overview", _("See the privacy officer's overview")
    HANDLE_APPLICATIONS = "handle_applications", _("Handle applications for a place")
    DECIDE_APPLICATIONS = "decide_applications", _("Decide on applications for a place")
    READ_APPLICATION_SUPPORT = (
        "read_application_support",
        _("Read the support needs and religion given in an application"),
    )
    HANDLE_FUNDING_REGISTRATIONS = (
        "handle_funding_registrations",
        _("Prepare and record the funding registrations for DUO"),
    )
    EDIT_OWN_CONTACT = (
        "edit_own_contact",
        _("Keep own contact data and the children's emergency contacts current"),
    )
    MANAGE_PRIVACY_STATEMENT = (
        "manage_privacy_statement",
        _("Write and publish the school's privacy statement"),
    )


ROLE_FUNCTIONS: dict[str, frozenset[str]] = {
    Role.DIRECTOR: frozenset(
        {
            Function.VIEW_PUPILS,
            Function.VIEW_BSN,
            Function.MANAGE_PUPILS,
            Function.VIEW_AUDIT,
            Function.VIEW_PROGRESS,
            Function.VIEW_CARE,
            Function.WRITE_CARE,
            Function.DECIDE_WITHHOLDING,
            Function.VIEW_RELIGION,
            Function.WRITE_RELIGION,
            Function.VIEW_ACCESS_LOG,
            Function.VIEW_CONSENT,
            Function.RECORD_CONSENT,
            Function.MANAGE_CONSENT,
            Function.VIEW_CONSENT_DASHBOARD,
            Function.PUBLISH,
            Function.VIEW_SUPPLIERS,
            Function.MANAGE_SUPPLIERS,
            Function.RUN_EXPORTS,
            Function.VIEW_DISCLOSURES,
            Function.HANDLE_REQUESTS,
            Function.DECIDE_REQUESTS,
            Function.RELEASE_PACKAGES,
            Function.VIEW_RETENTION,
            Function.MANAGE_RETENTION,
            Function.MANAGE_STAFF,
            Function.ROLLOVER,
            Function.MANAGE_BREACHES,
            Function.VIEW_PROCESSING_REGISTER,
            Function.HANDLE_APPLICATIONS,
            Function.DECIDE_APPLICATIONS,
            Function.READ_APPLICATION_SUPPORT,
            Function.HANDLE_FUNDING_REGISTRATIONS,
            Function.MANAGE_PRIVACY_STATEMENT,
        }
    ),
    Role.ADMINISTRATION: frozenset(
        {
            Function.VIEW_PUPILS,
            Function.VIEW_BSN,
            Function.MANAGE_PUPILS,
            Function.VIEW_RELIGION,
            Function.WRITE_RELIGION,
            Function.VIEW_CONSENT,
            Function.RECORD_CONSENT,
            Function.PUBLISH,
            Function.VIEW_SUPPLIERS,
            Function.RUN_EXPORTS,
            Function.VIEW_DISCLOSURES,
            Function.HANDLE_REQUESTS,
            Function.HANDLE_APPLICATIONS,
            Function.HANDLE_FUNDING_REGISTRATIONS,
        }
    ),
    Role.CARE_COORDINATOR: frozenset(
        {
            Function.VIEW_PUPILS,
            Function.VIEW_PROGRESS,
            Function.VIEW_CARE,
            Function.WRITE_CARE,
            Function.VIEW_CONSENT,
            Function.VIEW_SUPPLIERS,
            Function.RELEASE_PACKAGES,
            Function.READ_APPLICATION_SUPPORT,
        }
    ),
    Role.TEACHER: frozenset(
        {
            Function.VIEW_PUPILS,
            Function.VIEW_PROGRESS,
            Function.WRITE_PROGRESS,
            Function.VIEW_CARE,
            Function.VIEW_CONSENT,
            Function.PUBLISH,
            Function.VIEW_SUPPLIERS,
        }
    ),
    Role.PRIVACY_OFFICER: frozenset(
        {
            Function.VIEW_AUDIT,
            Function.VIEW_ACCESS_LOG,
            Function.VIEW_CONSENT_DASHBOARD,
            Function.VIEW_SUPPLIERS,
            Function.VIEW_DISCLOSURES,
            Function.OVERSEE_REQUESTS,
            Function.VIEW_RETENTION,
            Function.SET_LOG_POLICY,
            Function.MANAGE_BREACHES,
            Function.VIEW_PROCESSING_REGISTER,
            Function.VIEW_PRIVACY_OVERVIEW,
        }
    ),
    Role.GUARDIAN: frozenset(
        {
            Function.VIEW_OWN_CHILDREN,
            Function.VIEW_PROGRESS,
            Function.VIEW_CARE,
            Function.VIEW_RELIGION,
            Function.WRITE_RELIGION,
            Function.VIEW_ACCESS_LOG,
            Function.GIVE_CONSENT,
            Function.VIEW_RECIPIENTS,
            Function.SUBMIT_REQUESTS,
            Function.EDIT_OWN_CONTACT,
        }
    ),
}


def labels_register() -> None:
    """The words for this app's codes (kernel/labels.py); called in AccountsConfig.ready()."""
    from kernel.labels import register

    register("role", Role)
    register("function", Function)
