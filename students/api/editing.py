"""The school's edits through the API: ``PATCH /api/v1/students/<id>/`` (the pupil's details,
on ``StudentDetailApi``) and ``GET``/``PATCH /api/v1/students/<id>/guardians/<gid>/`` (a
guardian's details). The same services as the edit pages (``students/services/editing.py``,
channel ``API``): 400 with ``detail`` and ``errors`` per field, 403 without the function
``MANAGE_PUPILS``, 404 outside the school, 409 for a former pupil or when the ``version``
(also taken from ``If-Match``; a PATCH's answer and the guardian's GET carry it as ``ETag``;
the pupil's GET keeps its fixed shape and headers) is no longer that of the stored values. A
field that cannot be changed here is refused (400), not silently ignored."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.constants import Function

from ..constants import Sex
from ..exceptions import EditError
from ..models import ChangeRecord, Guardian, Student
from ..selectors import AccessResolver, function_require
from ..services.editing import (
    GUARDIAN_FIELDS,
    guardian_open_for_edit,
    guardian_update,
    guardian_values,
    pupil_values,
    record_version,
    student_open_for_edit,
    student_update,
)


class CanManagePupils(BasePermission):
    """Administration and the director (``MANAGE_PUPILS``); others get 403 (an audit event), no
    login 401. The school is checked by the selectors (404 outside it)."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        function_require(user=request.user, function=Function.MANAGE_PUPILS, object_type="student")
        return True


CHANNEL = ChangeRecord.Channel.API

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag of the last GET or PATCH: refused with 409 when the data changed since.",
)


class StudentPatchSerializer(serializers.Serializer):
    """Any of the pupil's editable details; an absent field stays as it is, and so does the BSN
    when it is absent or empty."""

    first_names = serializers.CharField(max_length=200, required=False)
    given_name = serializers.CharField(max_length=100, required=False)
    surname_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True)
    surname = serializers.CharField(max_length=150, required=False)
    date_of_birth = serializers.DateField(required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    bsn = serializers.CharField(
        max_length=9, required=False, allow_blank=True, help_text="A new BSN or education number"
    )
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(
        max_length=7, required=False, allow_blank=True, help_text="Dutch, for example 1234 AB"
    )
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    previous_school = serializers.CharField(max_length=200, required=False, allow_blank=True)
    born_abroad = serializers.BooleanField(required=False)
    arrived_in_netherlands_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Or the If-Match header."
    )

    class Meta:
        ref_name = "StudentPatch"


class GuardianSerializer(serializers.Serializer):
    """A guardian's details as the school keeps them; ``has_account``: they log in to the
    portal (with their own login address, which a change of ``email`` does not change)."""

    id = serializers.IntegerField(read_only=True)
    first_name = serializers.CharField(max_length=100, required=False)
    surname_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True)
    surname = serializers.CharField(max_length=150, required=False)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False
    )
    contact_confidential = serializers.BooleanField(required=False)
    has_authority = serializers.BooleanField(read_only=True)
    has_account = serializers.BooleanField(read_only=True)
    version = serializers.CharField(
        max_length=64, required=False, allow_blank=True, help_text="Or the If-Match header."
    )

    class Meta:
        ref_name = "GuardianDetail"


def _input(serializer_class, request):
    data = serializer_class(data=request.data)
    valid = data.is_valid()
    errors = dict(data.errors)
    if hasattr(request.data, "keys"):
        for name in set(request.data.keys()) - set(data.fields):
            errors[name] = [_("This field cannot be changed here.")]
    if not valid or errors:
        raise EditError(field_errors=errors)
    values = dict(data.validated_data)
    version = values.pop("version", "") or request.headers.get("If-Match", "").strip('"')
    return values, version or None


def _etag(response: Response, values) -> Response:
    response["ETag"] = f'"{record_version(values)}"'
    return response


def student_patch(view, request, student_id) -> Response:
    """``PATCH /api/v1/students/<id>/``: the answer is the pupil as ``GET`` gives it."""
    student = student_open_for_edit(user=request.user, student_id=student_id)
    changes, version = _input(StudentPatchSerializer, request)
    student_update(
        actor=request.user, student=student, changes=changes, channel=CHANNEL, version=version
    )
    student = Student.objects.select_related("school", "group").get(pk=student.pk)
    access = AccessResolver(request.user).for_student(student)
    data = view.OutputSerializer(student, context={"access": access, "user": request.user}).data
    return _etag(Response(data), pupil_values(student))


def _guardian_data(link, guardian: Guardian) -> dict:
    return {
        "id": guardian.pk,
        **{name: getattr(guardian, name) for name in GUARDIAN_FIELDS},
        "has_authority": link.has_authority,
        "has_account": guardian.user_id is not None,
        "version": record_version(guardian_values(guardian)),
    }


class GuardianDetailApi(GenericAPIView):
    """A guardian of a pupil of the caller's school (administration, the director): their
    details (also confidential contact data: the school keeps it), and changes to them."""

    permission_classes = [CanManagePupils]
    serializer_class = GuardianSerializer

    @extend_schema(operation_id="students_guardian_retrieve", responses=GuardianSerializer)
    def get(self, request, student_id, guardian_id):
        link = guardian_open_for_edit(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        return _etag(Response(_guardian_data(link, link.guardian)), guardian_values(link.guardian))

    @extend_schema(
        operation_id="students_guardian_partial_update",
        request=GuardianSerializer,
        responses=GuardianSerializer,
        parameters=[IF_MATCH],
        description=(
            "Change a guardian's details, validated as at enrolment. A refusal answers 400 with "
            "`detail` and `errors` per field; 409 when the pupil left the school or the data "
            "changed since the `version` (or `If-Match`)."
        ),
    )
    def patch(self, request, student_id, guardian_id):
        link = guardian_open_for_edit(
            user=request.user, student_id=student_id, guardian_id=guardian_id
        )
        changes, version = _input(GuardianSerializer, request)
        guardian_update(
            actor=request.user,
            guardian=link.guardian,
            student=link.student,
            changes=changes,
            channel=CHANNEL,
            school_id=link.student.school_id,
            version=version,
        )
        guardian = Guardian.objects.get(pk=link.guardian_id)
        return _etag(Response(_guardian_data(link, guardian)), guardian_values(guardian))
