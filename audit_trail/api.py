from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission

from accounts.constants import Function, Role
from audit.constants import Action, DataKind, Outcome
from audit.models import AccessEvent
from students.selectors import function_require

from .forms import EventFilterForm
from .selectors import audit_schools_for, events_filter, events_visible_to


class CanViewAudit(BasePermission):
    """Director (their school) and the board's privacy officer (the board); everyone else 403,
    guardians included (they get their child's access log instead)."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        function_require(
            user=request.user,
            function=Function.VIEW_AUDIT,
            object_type="audit",
            data_kind=DataKind.AUDIT,
        )
        return True


class AccessEventListApi(GenericAPIView):
    """Access events in the caller's scope, newest first, filterable like the page."""

    permission_classes = [CanViewAudit]

    class OutputSerializer(serializers.ModelSerializer):
        class Meta:
            model = AccessEvent
            fields = [
                "id",
                "created_at",
                "actor_id",
                "role",
                "action",
                "data_kind",
                "special_category",
                "object_type",
                "object_id",
                "student_id",
                "school_id",
                "outcome",
                "request_id",
            ]
            ref_name = "AccessEvent"

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="audit_events_list",
        parameters=[
            OpenApiParameter("student", int, description="Pupil id"),
            OpenApiParameter("school", int, description="School id"),
            OpenApiParameter("role", str, enum=Role.values),
            OpenApiParameter("action", str, enum=Action.values),
            OpenApiParameter("data_kind", str, enum=DataKind.values),
            OpenApiParameter("special_category", str, enum=["true", "false"]),
            OpenApiParameter("outcome", str, enum=Outcome.values),
            OpenApiParameter("actor_id", int),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        form = EventFilterForm(request.query_params, schools=audit_schools_for(request.user))
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        events = events_filter(events_visible_to(request.user), **form.cleaned_data)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)
