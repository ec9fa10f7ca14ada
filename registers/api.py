from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from kernel.pagination import StandardPagination
from students.attributes import DataCategory

from . import services
from .register import processing_register
from .selectors import (
    board_ids_for_breaches,
    breach_schools_for,
    breaches_visible_to,
    register_schools_for,
)


class BreachSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    school = serializers.IntegerField(allow_null=True, required=False, source="school_id")
    occurred_at = serializers.DateTimeField()
    aware_at = serializers.DateTimeField()
    description = serializers.CharField(max_length=5000)
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=DataCategory.choices), required=False
    )
    status = serializers.CharField(read_only=True)
    decision_due = serializers.DateTimeField(read_only=True)
    pupil_count = serializers.IntegerField(read_only=True)
    risk = serializers.CharField(read_only=True)
    notify_authority = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        ref_name = "Breach"


def _data(breach) -> dict:
    return {
        "id": breach.pk,
        "school": breach.school_id,
        "occurred_at": breach.occurred_at,
        "aware_at": breach.aware_at,
        "description": breach.description,
        "categories": breach.categories,
        "status": breach.status,
        "decision_due": breach.decision_due,
        "pupil_count": breach.pupil_count,
        "risk": breach.risk,
        "notify_authority": breach.notify_authority,
    }


class BreachListApi(APIView):
    """The breach register: the privacy officer for the board, the director for their school.
    POST records a breach (``school`` one of the caller's schools; the privacy officer may
    leave it empty for the whole board); ``decision_due`` is ``aware_at`` + 72 hours."""

    permission_classes = [IsAuthenticated]
    # Read by the schema too, which then documents the list as the page it is.
    pagination_class = StandardPagination

    @extend_schema(operation_id="breaches_list", responses=BreachSerializer(many=True))
    def get(self, request):
        from django.db.models import Count

        qs = breaches_visible_to(request.user).annotate(pupil_count=Count("pupil_links"))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response([_data(b) for b in page])

    @extend_schema(
        operation_id="breaches_create",
        request=BreachSerializer,
        responses={201: BreachSerializer},
    )
    def post(self, request):
        breaches_visible_to(request.user)  # 403 without the function
        serializer = BreachSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        school_id = data.get("school_id")
        schools = breach_schools_for(request.user)
        school = schools.filter(pk=school_id).first() if school_id else None
        boards = board_ids_for_breaches(request.user)
        if school_id and school is None:
            raise serializers.ValidationError({"school": ["Not one of your schools."]})
        if school is None and not boards:
            raise serializers.ValidationError({"school": ["Choose your school."]})
        breach = services.breach_record(
            user=request.user,
            board_id=school.board_id if school else boards[0],
            school=school,
            occurred_at=data["occurred_at"],
            aware_at=data["aware_at"],
            description=data["description"],
            categories=data.get("categories") or [],
        )
        breach.pupil_count = 0
        return Response(_data(breach), status=status.HTTP_201_CREATED)


class ProcessingRegisterApi(APIView):
    """The register of processing activities, generated now from what the portal holds:
    ``generated_at`` and ``activities`` (each with ``purpose``, ``categories``,
    ``recipients``, ``retention``). Privacy officer (board) and director (school)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="processing_register_retrieve", responses=dict)
    def get(self, request):
        return Response(processing_register(schools=register_schools_for(request.user)))
