from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import retention_school_for, retention_schools_for
from .services import preview


class RulePreviewSerializer(serializers.Serializer):
    school = serializers.DictField()
    category = serializers.CharField()
    label = serializers.CharField()
    period_months = serializers.IntegerField()
    action = serializers.CharField()
    enabled = serializers.BooleanField()
    pupils_due = serializers.IntegerField()
    pupils = serializers.ListField(child=serializers.IntegerField())
    events_due = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "RetentionRulePreview"


class HeldSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    school = serializers.IntegerField()
    reason = serializers.CharField()
    until = serializers.DateField(allow_null=True)

    class Meta:
        ref_name = "RetentionHeld"


class PreviewSerializer(serializers.Serializer):
    date = serializers.DateField()
    rules = RulePreviewSerializer(many=True)
    held = HeldSerializer(many=True)

    class Meta:
        ref_name = "RetentionPreview"


def preview_data(previews) -> dict:
    rules, held = [], []
    for data in previews:
        school = {"id": data.school.pk, "name": data.school.name}
        for item in data.rules:
            rule = item.rule
            rules.append(
                {
                    "school": school,
                    "category": rule.category,
                    "label": str(rule.get_category_display()),
                    "period_months": rule.period_months,
                    "action": rule.action,
                    "enabled": rule.enabled,
                    "pupils_due": item.pupils_due,
                    "pupils": item.pupil_ids,
                    "events_due": item.events_due,
                    "categories": [str(c) for c in item.categories],
                }
            )
        held += [
            {
                "student": hold.student_id,
                "school": data.school.pk,
                "reason": hold.reason,
                "until": hold.until,
            }
            for hold in data.held
        ]
    return {"date": previews[0].day if previews else None, "rules": rules, "held": held}


class RetentionPreviewApi(APIView):
    """What the retention rules would remove today, per school and rule, whether or not the
    rule is enabled, and the pupils under a legal hold (``held``). Director: own school;
    privacy officer: every school of the board (``?school=`` for one). Reads only."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="retention_preview_retrieve",
        parameters=[OpenApiParameter("school", int)],
        responses=PreviewSerializer,
    )
    def get(self, request):
        school_id = request.query_params.get("school")
        if school_id:
            schools = [retention_school_for(user=request.user, school_id=school_id)]
        else:
            schools = list(retention_schools_for(request.user))
        return Response(preview_data([preview(school=school) for school in schools]))
