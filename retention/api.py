"""Retention over the API: the preview (director and privacy officer), a director's change of
one of her school's rules, and the board's log policy (privacy officer). Periods outside their
category's floor and ceiling answer 400 with the error on the field."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .constants import ACCESS_EVENT_DEFAULT_MONTHS, BOUNDS, Category, RuleAction
from .exceptions import RetentionError
from .models import RetentionRule
from .selectors import (
    log_policy_board_for,
    log_policy_of,
    retention_school_for,
    retention_schools_for,
    rule_category_for_manage,
)
from .services import access_event_months, log_policy_set, preview, rule_update, rules_seed


class RuleBaseSerializer(serializers.Serializer):
    """A rule as the preview and the director's PATCH both show it."""

    school = serializers.DictField()
    category = serializers.CharField()
    # A declared field leaves the class (the serializer's metaclass collects it), so it may
    # take the name of a Field attribute; the stubs cannot see that.
    label = serializers.CharField()  # type: ignore[assignment]
    period_months = serializers.IntegerField()
    floor_months = serializers.IntegerField()
    ceiling_months = serializers.IntegerField()
    action = serializers.CharField()
    enabled = serializers.BooleanField()


class RulePreviewSerializer(RuleBaseSerializer):
    pupils_due = serializers.IntegerField()
    pupils = serializers.ListField(child=serializers.IntegerField())
    events_due = serializers.IntegerField()
    applications_due = serializers.IntegerField()
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
                    "floor_months": BOUNDS[rule.category].floor,
                    "ceiling_months": BOUNDS[rule.category].ceiling,
                    "action": rule.action,
                    "enabled": rule.enabled,
                    "pupils_due": item.pupils_due,
                    "pupils": item.pupil_ids,
                    "events_due": item.events_due,
                    "applications_due": item.applications_due,
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


def _field_errors(exc: RetentionError) -> serializers.ValidationError:
    """A refused value as DRF's field errors (``non_field_errors`` when about no one field)."""
    return serializers.ValidationError({exc.field or "non_field_errors": [str(exc.message)]})


class RuleSerializer(RuleBaseSerializer):
    """A rule as the director's PATCH answers it: the preview's fields and who sets its period."""

    period_set_by = serializers.ChoiceField(choices=["school", "board"])

    class Meta:
        ref_name = "RetentionRule"


def rule_data(rule: RetentionRule) -> dict:
    bounds = BOUNDS[rule.category]
    return {
        "school": {"id": rule.school.pk, "name": rule.school.name},
        "category": rule.category,
        "label": str(rule.get_category_display()),
        "period_months": rule.period_months,
        "floor_months": bounds.floor,
        "ceiling_months": bounds.ceiling,
        "period_set_by": "board" if rule.category == Category.AUDIT_EVENTS else "school",
        "action": rule.action,
        "enabled": rule.enabled,
    }


class RetentionRuleUpdateApi(APIView):
    """PATCH: the director changes one rule of her own school, named by its category. Fields
    left out keep their value. ``period_months`` must lie within the category's floor and
    ceiling; for access events the period is the board's log policy, so a director may send
    only the period in force (any other is refused and recorded as a denied attempt).
    A refused value answers 400 with the error on its field. Director: own school (another
    school 404); every other role 403; an unknown category 404."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        period_months = serializers.IntegerField(required=False, min_value=0, max_value=32767)
        action = serializers.ChoiceField(choices=RuleAction.choices, required=False)
        enabled = serializers.BooleanField(required=False)

        class Meta:
            ref_name = "RetentionRuleInput"

    @extend_schema(
        operation_id="retention_rule_update", request=InputSerializer, responses=RuleSerializer
    )
    def patch(self, request, school_id, category):
        school, category = rule_category_for_manage(
            user=request.user, school_id=school_id, category=category
        )
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = next(r for r in rules_seed(school=school) if r.category == category)
        try:
            rule = rule_update(
                user=request.user,
                rule=rule,
                period_months=data.get("period_months"),
                action=data.get("action", rule.action),
                enabled=data.get("enabled", rule.enabled),
            )
        except RetentionError as exc:
            raise _field_errors(exc) from exc
        rule.school = school
        return Response(rule_data(rule))


class LogPolicySerializer(serializers.Serializer):
    board = serializers.DictField()
    access_event_months = serializers.IntegerField()
    floor_months = serializers.IntegerField()
    ceiling_months = serializers.IntegerField()
    default_months = serializers.IntegerField()
    updated_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "RetentionLogPolicy"


def log_policy_data(board) -> dict:
    policy = log_policy_of(board=board)
    bounds = BOUNDS[Category.AUDIT_EVENTS]
    return {
        "board": {"id": board.pk, "name": board.name},
        "access_event_months": access_event_months(board_ids=[board.pk])[board.pk],
        "floor_months": bounds.floor,
        "ceiling_months": bounds.ceiling,
        "default_months": ACCESS_EVENT_DEFAULT_MONTHS,
        "updated_at": policy.updated_at if policy else None,
    }


class RetentionLogPolicyApi(APIView):
    """The board's log policy: how long every school of the board keeps its access events.
    GET: the period in force, its floor, ceiling and default. PUT ``access_event_months``:
    set it, within the floor and ceiling (400 with the error on the field otherwise); the
    change is kept with the period before and after and is an audit event at every school.
    The board's privacy officer only: a director or any other role 403, another board 404."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        access_event_months = serializers.IntegerField(min_value=0, max_value=32767)

        class Meta:
            ref_name = "RetentionLogPolicyInput"

    @extend_schema(operation_id="retention_log_policy_retrieve", responses=LogPolicySerializer)
    def get(self, request, board_id):
        board = log_policy_board_for(user=request.user, board_id=board_id)
        return Response(log_policy_data(board))

    @extend_schema(
        operation_id="retention_log_policy_update",
        request=InputSerializer,
        responses=LogPolicySerializer,
    )
    def put(self, request, board_id):
        board = log_policy_board_for(user=request.user, board_id=board_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            log_policy_set(
                user=request.user,
                board=board,
                months=serializer.validated_data["access_event_months"],
            )
        except RetentionError as exc:
            raise _field_errors(exc) from exc
        return Response(log_policy_data(board))
