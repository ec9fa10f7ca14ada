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
from .readable import ReadableEvent, Reader, events_readable
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
    """Access events in the caller's scope, newest first, filterable like the page; with the
    same words as the page: names of staff, and of pupils for the director, the pupil number,
    school and group for everyone (the board's privacy officer never gets a pupil's name:
    ``pupil_name`` is null for her)."""

    permission_classes = [CanViewAudit]

    class OutputSerializer(serializers.ModelSerializer):
        actor_name = serializers.SerializerMethodField(
            help_text="Who acted, by name; null when there is no one or the reader may not "
            "see who (a guardian, for the privacy officer)."
        )
        role_label = serializers.SerializerMethodField()
        action_label = serializers.SerializerMethodField()
        data_kind_label = serializers.SerializerMethodField()
        outcome_label = serializers.SerializerMethodField()
        object_label = serializers.SerializerMethodField()
        object_url = serializers.SerializerMethodField(
            help_text="The object's page, only when the reader may open it."
        )
        pupil_name = serializers.SerializerMethodField(
            help_text="Only for a reader who sees the pupil (the director); else null."
        )
        pupil_url = serializers.SerializerMethodField()
        pupil_number = serializers.IntegerField(source="student_id", allow_null=True)
        school_name = serializers.SerializerMethodField()
        group_name = serializers.SerializerMethodField(
            help_text="The pupil's group on the day of the event."
        )

        class Meta:
            model = AccessEvent
            fields = [
                "id",
                "created_at",
                "actor_id",
                "actor_name",
                "role",
                "role_label",
                "action",
                "action_label",
                "data_kind",
                "data_kind_label",
                "special_category",
                "object_type",
                "object_id",
                "object_label",
                "object_url",
                "student_id",
                "pupil_number",
                "pupil_name",
                "pupil_url",
                "school_id",
                "school_name",
                "group_name",
                "outcome",
                "outcome_label",
                "request_id",
            ]
            ref_name = "AccessEvent"

        def _row(self, event) -> ReadableEvent:
            return self.context["readable"][event.pk]

        def get_actor_name(self, event) -> str | None:
            return self._row(event).actor or None

        def get_role_label(self, event) -> str:
            return self._row(event).roles

        def get_action_label(self, event) -> str:
            return self._row(event).action

        def get_data_kind_label(self, event) -> str:
            return self._row(event).data_kind

        def get_outcome_label(self, event) -> str:
            return self._row(event).outcome

        def get_object_label(self, event) -> str:
            return self._row(event).object.label

        def get_object_url(self, event) -> str | None:
            return self._row(event).object.url

        def get_pupil_name(self, event) -> str | None:
            pupil = self._row(event).pupil
            return pupil.name if pupil else None

        def get_pupil_url(self, event) -> str | None:
            pupil = self._row(event).pupil
            return pupil.url if pupil else None

        def get_school_name(self, event) -> str | None:
            return self._row(event).school or None

        def get_group_name(self, event) -> str | None:
            pupil = self._row(event).pupil
            return (pupil.group or None) if pupil else None

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="audit_events_list",
        parameters=[
            OpenApiParameter("student", int, description="Pupil number"),
            OpenApiParameter("school", int, description="School id"),
            OpenApiParameter("staff", str, description="Words of a staff member's name"),
            OpenApiParameter(
                "pupil",
                str,
                description="Words of a pupil's name (only for a reader who sees pupils)",
            ),
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
        schools = list(audit_schools_for(request.user))
        reader = Reader.of(request.user, schools)
        form = EventFilterForm(
            request.query_params,
            schools=schools,
            pupil_names=reader.sees_pupils,
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        events = events_filter(
            events_visible_to(request.user), user=request.user, **form.cleaned_data
        )
        page = self.paginate_queryset(events)
        rows = events_readable(reader, page)
        context = {**self.get_serializer_context(), "readable": {r.event.pk: r for r in rows}}
        data = self.OutputSerializer(page, many=True, context=context).data
        return self.get_paginated_response(data)
