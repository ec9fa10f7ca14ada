"""The inbox over the API: ``GET /api/v1/admissions/applications/``, the school's open
applications with their clocks, most urgent first, for those who handle applications (the
director and the administration; 403 for the care coordinator, who only advises on the sealed
answers on the application's page). Never the sealed answers."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from kernel.pagination import StandardPagination

from .selectors.decisions import applications_open_for, clock_for


class ClockSerializer(serializers.Serializer):
    due_on = serializers.DateField()
    days_left = serializers.IntegerField(help_text="Negative: days late.")
    words = serializers.CharField()
    extended = serializers.BooleanField()
    provisional_on = serializers.DateField(
        help_text="10 weeks after the application was complete (provisional place)."
    )
    urgency = serializers.CharField(help_text="overdue, due-soon or normal")


class ApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    school = serializers.DictField()
    status = serializers.CharField()
    child_name = serializers.CharField()
    date_of_birth = serializers.DateField()
    desired_start_date = serializers.DateField()
    complete_on = serializers.DateField()
    clock = ClockSerializer()


class ApplicationListApi(APIView):
    """The open applications of the caller's schools with their clocks (403 for a role
    without the function): the director and the administration."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(
        operation_id="admissions_applications_list", responses=ApplicationSerializer(many=True)
    )
    def get(self, request):
        applications = applications_open_for(user=request.user, handled_only=True)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(applications, request, view=self)
        return paginator.get_paginated_response([_data(a) for a in page or ()])


def _data(application) -> dict:
    clock = clock_for(application)
    return {
        "id": application.pk,
        "reference": application.reference,
        "school": {"id": application.school_id, "name": application.school.name},
        "status": application.status,
        "child_name": application.child_name,
        "date_of_birth": application.date_of_birth,
        "desired_start_date": application.desired_start_date,
        "complete_on": application.complete_on,
        "clock": None
        if clock is None
        else {
            "due_on": clock.due_on,
            "days_left": clock.days_left,
            "words": clock.words,
            "extended": clock.extended,
            "provisional_on": clock.provisional_on,
            "urgency": clock.css,
        },
    }
