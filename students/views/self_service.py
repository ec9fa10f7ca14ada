"""Parents keep their own data current, and the school confirms their moves.

- ``/account/contact/`` (``my-contact``): the parent's own phone number and contact e-mail.
- ``/children/<id>/emergency-contacts/`` (``child-emergency-contacts``): a child's emergency
  contacts, for each guardian of the child (with or without parental authority).
- ``/account/address/`` (``my-address``): report a move, see it wait, withdraw it.
- ``/students/address-changes/`` and ``…/<id>/``: the administration's queue and decision.

Every form is post/redirect/get (``kernel.prg``): a refused form comes back with what was typed
and each error at its field; saved unchanged, nothing is written (``kernel.editing``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.constants import Function
from accounts.services import email_normalise
from kernel.editing import nothing_changed
from kernel.prg import refused_form, refused_redirect

from ..exceptions import AddressChangeError, EditError, FormerPupilError
from ..forms_self_service import (
    AddressChangeForm,
    AddressDecisionForm,
    EmergencyContactsForm,
    OwnContactForm,
)
from ..models import AddressChange, ChangeRecord
from ..selectors.self_service import (
    address_change_children_for,
    address_change_get_for,
    address_change_last_decided_of,
    address_change_pending_of,
    address_changes_pending_for,
    own_child_get,
    own_children_enrolled,
    own_guardian_get,
)
from ..services.emergency import emergency_contacts_of, emergency_contacts_replace
from ..services.former import pupil_require_enrolled
from ..services.reads import child_open_for
from ..services.self_service import (
    NO_CHILD_AT_SCHOOL,
    address_change_confirm,
    address_change_propose,
    address_change_reject,
    address_change_withdraw,
    own_contact_update,
)

CONTACT_KEY = "my-contact"
ADDRESS_KEY = "my-address"


def _field_errors_add(form, error) -> None:
    """A service's refusal on the form: each reason at its field, else above the form."""
    for field, reasons in error.field_errors.items():
        for reason in reasons:
            form.add_error(field if field in form.fields else None, str(reason))
    if not error.field_errors:
        form.add_error(None, str(error.message))


def _children_links(user) -> list:
    from ..selectors import children_of

    return list(children_of(user).filter(withdrawn_on__isnull=True, anonymised_at__isnull=True))


class MyContactView(LoginRequiredMixin, View):
    """A parent's own phone number and contact e-mail address, changed at once."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py
    starts_work = True  # a changed e-mail address sends a notice to the old one

    def _initial(self, guardian) -> dict:
        return {"phone": guardian.phone, "email": guardian.email}

    def get(self, request):
        guardian = own_guardian_get(user=request.user)
        form = refused_form(request, OwnContactForm, CONTACT_KEY, initial=self._initial(guardian))
        return render(
            request,
            "students/self_service/contact.html",
            {
                "guardian": guardian,
                "form": form,
                "login_email": request.user.email,
                "pending": address_change_pending_of(guardian),
                "children": _children_links(request.user),
                # A correction request is for a parent with authority (for some child).
                "may_request": guardian.links.filter(has_authority=True).exists(),
            },
        )

    def post(self, request):
        guardian = own_guardian_get(user=request.user)
        form = OwnContactForm(request.POST, initial=self._initial(guardian), guardian=guardian)
        if not form.has_changed():
            nothing_changed(request)
            return redirect("my-contact")
        if not form.is_valid():
            return refused_redirect(request, reverse("my-contact"), key=CONTACT_KEY, form=form)
        old_email = guardian.email
        try:
            changed = own_contact_update(
                actor=request.user,
                guardian=guardian,
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
            )
        except EditError as error:  # taken meanwhile: at its field, what was typed stays
            _field_errors_add(form, error)
            return refused_redirect(request, reverse("my-contact"), key=CONTACT_KEY, form=form)
        if not changed:
            nothing_changed(request)
        elif old_email and email_normalise(old_email) != email_normalise(guardian.email):
            messages.success(
                request,
                _(
                    "Your contact details were saved. We sent a message about the change to "
                    "your previous e-mail address."
                ),
            )
        else:
            messages.success(request, _("Your contact details were saved."))
        return redirect("my-contact")


def _emergency_key(student) -> str:
    return f"child-emergency-contacts:{student.pk}"


class ChildEmergencyContactsView(LoginRequiredMixin, View):
    """A child's emergency contacts, kept by each of the child's guardians."""

    edits_object = True  # registered in tests/test_edit_forms_unchanged.py

    def _form(self, student, data=None):
        contacts = emergency_contacts_of(student)
        if data is None:
            return lambda *args, **kwargs: EmergencyContactsForm(*args, contacts=contacts, **kwargs)
        return EmergencyContactsForm(data, contacts=contacts)

    def get(self, request, student_id):
        student = own_child_get(user=request.user, student_id=student_id)
        student = child_open_for(user=request.user, student_id=student.pk)  # a read: an event
        form = refused_form(request, self._form(student), _emergency_key(student))
        return render(
            request,
            "students/self_service/emergency_contacts.html",
            {"student": student, "form": form, "editable": student.withdrawn_on is None},
        )

    def post(self, request, student_id):
        student = own_child_get(user=request.user, student_id=student_id)
        page = reverse("child-emergency-contacts", args=[student.pk])
        form = self._form(student, request.POST)
        if not form.has_changed():
            nothing_changed(request)
            return redirect(page)
        if not form.is_valid():
            return refused_redirect(request, page, key=_emergency_key(student), form=form)
        try:
            pupil_require_enrolled(student)
            changed = emergency_contacts_replace(
                actor=request.user,
                student=student,
                contacts=form.contacts(),
                channel=ChangeRecord.Channel.GUARDIAN,
            )
        except FormerPupilError as error:
            return refused_redirect(
                request, page, key=_emergency_key(student), form=form, errors=[error.message]
            )
        if changed:
            messages.success(request, _("The emergency contacts were saved."))
        else:
            nothing_changed(request)
        return redirect(page)


class MyAddressView(LoginRequiredMixin, View):
    """Report a move for the school to confirm; see it wait; withdraw it."""

    def _builder(self, guardian, children):
        def build(*args, **kwargs):
            kwargs.setdefault("initial", {"students": [child.pk for child in children]})
            return AddressChangeForm(
                *args, children=children, current_address=guardian.address, **kwargs
            )

        return build

    def get(self, request):
        guardian = own_guardian_get(user=request.user)
        children = list(own_children_enrolled(guardian))
        pending = address_change_pending_of(guardian)
        form = refused_form(request, self._builder(guardian, children), ADDRESS_KEY)
        return render(
            request,
            "students/self_service/address.html",
            {
                "guardian": guardian,
                "pending": pending,
                "last_decided": None if pending else address_change_last_decided_of(guardian),
                # Without a child at the school, a move goes through the school (the page says).
                "form": None if pending or not children else form,
                "children": children,
            },
        )

    def post(self, request):
        guardian = own_guardian_get(user=request.user)
        page = reverse("my-address")
        if request.POST.get("action") == "withdraw":
            pending = address_change_pending_of(guardian)
            if pending is None:
                nothing_changed(request)
                return redirect(page)
            try:
                address_change_withdraw(actor=request.user, change=pending)
            except AddressChangeError as error:
                return refused_redirect(request, page, errors=[error.message])
            messages.success(request, _("Your report of a move was withdrawn."))
            return redirect(page)
        children = list(own_children_enrolled(guardian))
        if not children:  # the page offers no form then, and says to contact the school
            return refused_redirect(request, page, errors=[NO_CHILD_AT_SCHOOL])
        form = self._builder(guardian, children)(request.POST)
        if not form.is_valid():
            return refused_redirect(request, page, key=ADDRESS_KEY, form=form)
        data = form.cleaned_data
        try:
            address_change_propose(
                actor=request.user,
                guardian=guardian,
                street=data["street"],
                house_number=data["house_number"],
                postal_code=data["postal_code"],
                city=data["city"],
                moves_on=data["moves_on"],
                students=form.chosen_students(),
            )
        except AddressChangeError as error:
            if error.field_errors:  # at its field, what was typed stays
                _field_errors_add(form, error)
                return refused_redirect(request, page, key=ADDRESS_KEY, form=form)
            # One waits already: the page shows it, no form.
            return refused_redirect(request, page, errors=[error.message])
        messages.success(
            request,
            _("Thank you. The school checks your new address and lets you know by e-mail."),
        )
        return redirect(page)


class AddressChangeListView(LoginRequiredMixin, View):
    """The moves parents reported, waiting for this school's administration."""

    def get(self, request):
        from ..selectors import function_require

        function_require(
            user=request.user, function=Function.MANAGE_PUPILS, object_type="address_change"
        )
        return render(
            request,
            "students/self_service/address_change_list.html",
            {"changes": list(address_changes_pending_for(request.user))},
        )


def _decision_key(change) -> str:
    return f"address-change:{change.pk}"


class AddressChangeDetailView(LoginRequiredMixin, View):
    """One reported move: the old and the new address side by side; confirm or reject."""

    starts_work = True  # the decision e-mails the parent

    def get(self, request, change_id):
        change = address_change_get_for(user=request.user, change_id=change_id)
        form = refused_form(request, AddressDecisionForm, _decision_key(change))
        students = address_change_children_for(user=request.user, change=change)
        return render(
            request,
            "students/self_service/address_change_detail.html",
            {
                "change": change,
                "students": students,
                "current_address": change.guardian.address,
                "form": form if change.is_pending else None,
            },
        )

    def post(self, request, change_id):
        change = address_change_get_for(user=request.user, change_id=change_id)
        page = reverse("address-change-detail", args=[change.pk])
        form = AddressDecisionForm(request.POST)
        if not form.is_valid():
            return refused_redirect(request, page, key=_decision_key(change), form=form)
        try:
            if form.cleaned_data["decision"] == AddressDecisionForm.CONFIRM:
                address_change_confirm(actor=request.user, change=change)
                messages.success(
                    request,
                    _("The new address was taken over; the parent gets an e-mail."),
                )
            else:
                address_change_reject(
                    actor=request.user, change=change, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request,
                    _("The new address was not taken over; the parent gets an e-mail."),
                )
        except AddressChangeError as error:  # decided meanwhile: the page shows how
            return refused_redirect(request, page, errors=[error.message])
        return redirect("address-change-list")


__all__ = [
    "AddressChange",
    "AddressChangeDetailView",
    "AddressChangeListView",
    "ChildEmergencyContactsView",
    "MyAddressView",
    "MyContactView",
]
