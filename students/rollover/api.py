from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import rollover_school_for
from .services import preview_data, rollover_apply, rollover_preview


class RolloverSerializer(serializers.Serializer):
    school = serializers.DictField()
    school_year = serializers.IntegerField()
    status = serializers.CharField()
    groups = serializers.ListField(child=serializers.DictField())
    moves = serializers.ListField(child=serializers.DictField())

    class Meta:
        ref_name = "Rollover"


class RolloverPreviewApi(APIView):
    """Director: the next school year as it would be applied: ``groups`` (with teachers and
    pupil counts) and per-pupil ``moves`` (promote, keep_back, leave with destination).
    After the turn it shows what was applied. Reads only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="rollover_preview_retrieve",
        parameters=[OpenApiParameter("school", int)],
        responses=RolloverSerializer,
    )
    def get(self, request):
        school = rollover_school_for(
            user=request.user, school_id=request.query_params.get("school")
        )
        return Response(preview_data(rollover_preview(school=school)))


class RolloverApplyApi(APIView):
    """Director: apply the next school year now, in one transaction; 200 with what was
    applied. A second call changes nothing and answers the same (``status`` "applied")."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        school = serializers.IntegerField(required=False, min_value=1)

        class Meta:
            ref_name = "RolloverInput"

    @extend_schema(
        operation_id="rollover_create", request=InputSerializer, responses=RolloverSerializer
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        school = rollover_school_for(
            user=request.user, school_id=serializer.validated_data.get("school")
        )
        _plan, _done = rollover_apply(user=request.user, school=school)
        return Response(preview_data(rollover_preview(school=school)), status=status.HTTP_200_OK)
