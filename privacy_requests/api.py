from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.constants import Function
from kernel.pagination import StandardPagination
from kernel.throttling import ScopedUserThrottle

from . import services
from .constants import CorrectableField, Kind, Status
from .selectors import (
    guardian_is_requester_side,
    guardian_request_target,
    request_for_action,
    requests_filter,
    requests_list_for,
    timeline_for,
)
from .views import download_url, pupil_names_shown


class PackageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["building", "built", "released", "failed"])
    progress = serializers.IntegerField()
    sections = serializers.ListField(child=serializers.DictField())
    expires_at = serializers.DateTimeField(allow_null=True)
    pdf_url = serializers.CharField(required=False)
    json_url = serializers.CharField(required=False)

    class Meta:
        ref_name = "AccessPackage"


class StepSerializer(serializers.Serializer):
    step = serializers.CharField()
    created_at = serializers.DateTimeField()
    note = serializers.CharField()
    by_kind = serializers.ChoiceField(
        choices=["you", "other_guardian", "guardian", "school", "system"],
        help_text="Who took the step. The guardians' side reads you, other_guardian, school "
        "or system; staff read guardian, school or system.",
    )
    by = serializers.CharField(help_text="The same in words (staff also see the name).")

    class Meta:
        ref_name = "PrivacyRequestStep"


class PrivacyRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    student = serializers.DictField()
    school = serializers.DictField()
    kind = serializers.ChoiceField(choices=Kind.choices)
    status = serializers.ChoiceField(choices=Status.choices)
    channel = serializers.CharField()
    description = serializers.CharField()
    correction_field = serializers.CharField()
    correction_value = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    purpose_codes = serializers.ListField(child=serializers.CharField())
    received_on = serializers.DateField()
    due_date = serializers.DateField()
    extension_months = serializers.IntegerField()
    extension_reason = serializers.CharField()
    decision_reason = serializers.CharField()
    outcome = serializers.CharField()
    closed_at = serializers.DateTimeField(allow_null=True)
    overdue = serializers.BooleanField()
    package = PackageSerializer(allow_null=True)
    timeline = StepSerializer(many=True, required=False)

    class Meta:
        ref_name = "PrivacyRequest"


def _package(package, user) -> dict | None:
    if package is None:
        return None
    data = {
        "status": package.api_status,
        "progress": package.progress,
        "sections": package.sections,
        "expires_at": package.expires_at,
    }
    if package.downloadable:
        data["pdf_url"] = download_url(package, user, "pdf")
        data["json_url"] = download_url(package, user, "json")
    return data


def request_data(req, user, *, timeline: bool = False) -> dict:
    data = {
        "id": req.pk,
        # The board's privacy officer oversees by pupil number: no name (null).
        "student": {
            "id": req.student_id,
            "name": req.student.display_name if pupil_names_shown(user) else None,
        },
        "school": {"id": req.school_id, "name": req.school.name},
        "kind": req.kind,
        "status": req.status,
        "channel": req.channel,
        "description": req.description,
        "correction_field": req.correction_field,
        "correction_value": req.correction_value,
        "categories": req.categories,
        "purpose_codes": req.purpose_codes,
        "received_on": req.received_on,
        "due_date": req.due_date,
        "extension_months": req.extension_months,
        "extension_reason": req.extension_reason,
        "decision_reason": req.decision_reason,
        "outcome": req.outcome,
        "closed_at": req.closed_at,
        "overdue": req.urgency() == "overdue",
        "package": _package(getattr(req, "package", None), user),
    }
    if timeline:
        requester = guardian_is_requester_side(user, req) and not user.is_school_staff
        data["timeline"] = [
            {
                "step": entry.step.step,
                "created_at": entry.step.created_at,
                "note": entry.step.note,
                "by_kind": entry.by_kind,
                "by": entry.by,
            }
            for entry in timeline_for(req, user=user, for_requester=requester)
        ]
    return data


class PrivacyRequestListApi(APIView):
    """GET: a guardian's requests for their children (with authority), or the requests of
    the schools where the caller handles, decides or oversees them. POST (guardian with
    parental authority): submit; 201 with the due date. Not their child: 404; a guardian
    without authority: 403 (they ask the school)."""

    permission_classes = [IsAuthenticated]
    # Read by the schema too, which then documents the list as the page it is.
    pagination_class = StandardPagination
    # Submitting (POST) is limited per account; reading the list is not.
    throttle_classes = [ScopedUserThrottle]
    throttle_scope = "request_submit"

    class InputSerializer(serializers.Serializer):
        student = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
        kind = serializers.ChoiceField(choices=Kind.choices)
        description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
        correction_field = serializers.ChoiceField(
            choices=CorrectableField.choices, required=False, allow_blank=True
        )
        correction_value = serializers.CharField(max_length=300, required=False, allow_blank=True)
        categories = serializers.ListField(
            child=serializers.CharField(max_length=40), required=False, max_length=20
        )
        purpose_codes = serializers.ListField(
            child=serializers.CharField(max_length=40), required=False, max_length=20
        )

        class Meta:
            ref_name = "PrivacyRequestInput"

    @extend_schema(
        operation_id="privacy_requests_list",
        parameters=[
            OpenApiParameter("status", str, enum=["open", *Status.values]),
            OpenApiParameter("kind", str, enum=Kind.values),
            OpenApiParameter("urgency", str, enum=["overdue", "due_soon"]),
        ],
        responses=PrivacyRequestSerializer(many=True),
    )
    def get(self, request):
        qs = requests_list_for(request.user)
        params = request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in ("open", *Status.values):
            raise serializers.ValidationError({"status": ["Unknown status."]})
        if params.get("kind", "") and params["kind"] not in Kind.values:
            raise serializers.ValidationError({"kind": ["Unknown kind."]})
        qs = requests_filter(
            qs, status=status_, kind=params.get("kind", ""), urgency=params.get("urgency", "")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([request_data(r, request.user) for r in page])

    @extend_schema(
        operation_id="privacy_requests_create",
        request=InputSerializer,
        responses={201: PrivacyRequestSerializer},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        student, guardian = guardian_request_target(user=request.user, student_id=data["student"])
        errors = services.request_fields_check(
            school_id=student.school_id,
            kind=data["kind"],
            description=data["description"],
            correction_field=data.get("correction_field", ""),
            correction_value=data.get("correction_value", ""),
            categories=data.get("categories") or [],
            purpose_codes=data.get("purpose_codes") or [],
        )
        if errors:
            raise serializers.ValidationError({k: [str(m) for m in v] for k, v in errors.items()})
        created = services.request_submit(
            user=request.user,
            student=student,
            guardian=guardian,
            kind=data["kind"],
            description=data["description"],
            correction_field=data.get("correction_field", ""),
            correction_value=data.get("correction_value", ""),
            categories=data.get("categories") or [],
            purpose_codes=data.get("purpose_codes") or [],
        )
        created = services.request_open_for(user=request.user, request_id=created.pk)
        return Response(
            request_data(created, request.user, timeline=True), status=status.HTTP_201_CREATED
        )


class PrivacyRequestDetailApi(APIView):
    """One request with its timeline, for the requester's side (guardians with authority of
    the child) and the staff who handle, decide, review or oversee it; others 404."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="privacy_requests_retrieve", responses=PrivacyRequestSerializer)
    def get(self, request, request_id):
        req = services.request_open_for(user=request.user, request_id=request_id)
        return Response(request_data(req, request.user, timeline=True))


class PackageStartApi(APIView):
    """Administration or director: start building the access package (moves the request to
    in progress). Harmless to repeat: the running or built package is returned."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="privacy_requests_package_create",
        request=None,
        responses={202: PrivacyRequestSerializer},
    )
    def post(self, request, request_id):
        req = request_for_action(
            user=request.user, request_id=request_id, function=Function.HANDLE_REQUESTS
        )
        services.package_start(user=request.user, request=req)
        req = services.request_open_for(user=request.user, request_id=req.pk)
        return Response(request_data(req, request.user), status=status.HTTP_202_ACCEPTED)


class PackageReleaseApi(APIView):
    """Director or care coordinator: release a built package to the child's guardians with
    authority (the request is completed). 409 when there is nothing built to release."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="privacy_requests_release_create",
        request=None,
        responses={200: PrivacyRequestSerializer},
    )
    def post(self, request, request_id):
        req = request_for_action(
            user=request.user, request_id=request_id, function=Function.RELEASE_PACKAGES
        )
        package = getattr(req, "package", None)
        if package is None:
            raise services.RequestStateError(_("There is no package to release yet."))
        services.package_release(user=request.user, package=package)
        req = services.request_open_for(user=request.user, request_id=req.pk)
        return Response(request_data(req, request.user))
