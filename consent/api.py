from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .constants import Channel, Decision
from .selectors.dashboards import consent_dashboard
from .selectors.guardians import guardian_for_decision
from .selectors.status import purpose_get
from .services import consent_record
from .services.reads import child_consents_open_for, dashboard_school_open_for


class PurposeRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()

    class Meta:
        ref_name = "ConsentPurposeRef"


class HistorySerializer(serializers.Serializer):
    decision = serializers.CharField()
    channel = serializers.CharField()
    guardian = serializers.CharField(source="guardian.display_name")
    version = serializers.IntegerField(source="version.number")
    school_year = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ConsentHistoryItem"


class ConsentItemSerializer(serializers.Serializer):
    purpose = PurposeRefSerializer()
    text = serializers.CharField(source="purpose.current_version.text")
    renewal = serializers.CharField(source="purpose.renewal")
    status = serializers.ChoiceField(choices=["granted", "refused", "unknown"])
    my_decision = serializers.CharField(allow_null=True)
    history = HistorySerializer(many=True)

    class Meta:
        ref_name = "ConsentItem"


class StudentConsentsApi(APIView):
    """GET: one item per active purpose with the effective status, the caller's own decision
    and the history (guardians with authority for their child; staff with consent view in
    scope). POST: a guardian with authority decides; 201, and the GET reflects it at once.
    Not their child: 404; no parental authority: 403; a grant after the lock date: 409."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        purpose = serializers.CharField(max_length=40, help_text="Purpose id or code")
        decision = serializers.ChoiceField(choices=Decision.choices)

        class Meta:
            ref_name = "ConsentDecisionInput"

    @extend_schema(
        operation_id="students_consents_list", responses=ConsentItemSerializer(many=True)
    )
    def get(self, request, student_id):
        consents = child_consents_open_for(user=request.user, student_id=student_id)
        return Response(ConsentItemSerializer(consents.items, many=True).data)

    @extend_schema(
        operation_id="students_consents_create",
        request=InputSerializer,
        responses={201: ConsentItemSerializer},
    )
    def post(self, request, student_id):
        student, guardian_id = guardian_for_decision(user=request.user, student_id=student_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        purpose = purpose_get(
            school_id=student.school_id, purpose=serializer.validated_data["purpose"]
        )
        if purpose is None:
            raise serializers.ValidationError({"purpose": ["Unknown purpose for this school."]})
        consent_record(
            student=student,
            purpose=purpose,
            guardian_id=guardian_id,
            decision=serializer.validated_data["decision"],
            channel=Channel.PORTAL,
            recorded_by=request.user,
        )
        consents = child_consents_open_for(user=request.user, student_id=student.pk)
        item = next(i for i in consents.items if i["purpose"].pk == purpose.pk)
        return Response(ConsentItemSerializer(item).data, status=status.HTTP_201_CREATED)


class ConsentDashboardApi(APIView):
    """Per group and purpose the counts granted, refused and unknown: the director for their
    school, the board's privacy officer for any school of the board (``?school=``)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        school = serializers.DictField()
        school_year = serializers.IntegerField()
        response_rate = serializers.FloatField()
        open_takedowns = serializers.IntegerField()
        groups = serializers.ListField(child=serializers.DictField())

        class Meta:
            ref_name = "ConsentDashboard"

    @extend_schema(
        operation_id="consent_dashboard_retrieve",
        parameters=[
            OpenApiParameter("school", int),
            OpenApiParameter("school_year", int),
            OpenApiParameter("purpose", str),
        ],
        responses=OutputSerializer,
    )
    def get(self, request):
        school = dashboard_school_open_for(
            user=request.user, school_id=request.query_params.get("school")
        )
        year = request.query_params.get("school_year", "")
        if year and not (year.isdigit() and 2000 <= int(year) <= 2100):
            raise serializers.ValidationError({"school_year": ["A year such as 2026."]})
        data = consent_dashboard(
            school=school,
            school_year=int(year) if year else None,
            purpose_code=request.query_params.get("purpose") or None,
        )
        groups = [
            {
                "id": group.pk,
                "name": group.name,
                "purposes": [
                    {
                        "id": purpose.pk,
                        "code": purpose.code,
                        "granted": data["cells"][(group.pk, purpose.pk)].granted,
                        "refused": data["cells"][(group.pk, purpose.pk)].refused,
                        "unknown": data["cells"][(group.pk, purpose.pk)].unknown,
                    }
                    for purpose in data["purposes"]
                ],
            }
            for group in data["groups"]
        ]
        return Response(
            {
                "school": {"id": school.pk, "name": school.name},
                "school_year": data["school_year"],
                "response_rate": data["response_rate"],
                "open_takedowns": len(data["takedowns"]),
                "groups": groups,
            }
        )
