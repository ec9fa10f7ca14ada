"""API for progress, care records, religion and a pupil's access log (fixed interfaces)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..constants import Subject
from ..selectors import progress_write_reach
from ..services import progress_record_add
from ..services.reads import (
    access_log_open_for,
    care_record_open_for,
    care_records_open_for,
    progress_open_for,
    religion_open_for,
)


class ProgressApi(APIView):
    """GET: a pupil's progress records (school director and care coordinator, the group's
    teachers, the pupil's guardians). POST: a teacher of the pupil's group records a result.
    Out of scope 404; a role without the function 403."""

    permission_classes = [IsAuthenticated]

    class InputSerializer(serializers.Serializer):
        subject = serializers.ChoiceField(choices=Subject.choices)
        period = serializers.CharField(max_length=50)
        result = serializers.CharField(max_length=20)
        note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

        class Meta:
            ref_name = "ProgressInput"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        subject = serializers.CharField()
        subject_label = serializers.CharField(source="get_subject_display")
        period = serializers.CharField()
        result = serializers.CharField()
        note = serializers.CharField()
        group = serializers.CharField(source="group.name", default=None)
        recorded_by = serializers.CharField(source="recorded_by.full_name", default=None)
        recorded_at = serializers.DateTimeField()

        class Meta:
            ref_name = "ProgressRecord"

    @extend_schema(operation_id="students_progress_list", responses=OutputSerializer(many=True))
    def get(self, request, student_id):
        _student, records = progress_open_for(user=request.user, student_id=student_id)
        return Response(self.OutputSerializer(records, many=True).data)

    @extend_schema(
        operation_id="students_progress_create",
        request=InputSerializer,
        responses={201: OutputSerializer},
    )
    def post(self, request, student_id):
        student = progress_write_reach(user=request.user, student_id=student_id)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = progress_record_add(
            user=request.user, student=student, **serializer.validated_data
        )
        return Response(self.OutputSerializer(record).data, status=status.HTTP_201_CREATED)


class CareRecordOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    content = serializers.CharField()
    justification = serializers.CharField()
    visibility = serializers.CharField()
    review_date = serializers.DateField()
    # A declared field leaves the class (the serializer's metaclass collects it), so it may
    # take the name of a Field attribute; the stubs cannot see that.
    source = serializers.CharField()  # type: ignore[assignment]

    class Meta:
        ref_name = "CareRecord"


class CareRecordListApi(APIView):
    """A pupil's care records as the caller may see them: director and care coordinator all,
    the group's teachers only records marked for teachers, guardians with authority all but
    withheld ones. Every call is one special-category access event, also when denied."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="students_care_records_list", responses=CareRecordOutputSerializer(many=True)
    )
    def get(self, request, student_id):
        _student, records, _reach = care_records_open_for(user=request.user, student_id=student_id)
        return Response(CareRecordOutputSerializer(records, many=True).data)


class CareRecordDetailApi(APIView):
    """One care record; 404 for a record outside what the caller may see."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="students_care_records_retrieve", responses=CareRecordOutputSerializer
    )
    def get(self, request, student_id, record_id):
        _student, record, _reach = care_record_open_for(
            user=request.user, student_id=student_id, record_id=record_id
        )
        return Response(CareRecordOutputSerializer(record).data)


class ReligionApi(APIView):
    """A pupil's religion entry (voluntary): director, administration, guardians with
    authority. ``status`` is null when nobody asked. A special-category access event."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        status = serializers.CharField(allow_null=True)
        religion = serializers.CharField(allow_blank=True)

        class Meta:
            ref_name = "Religion"

    @extend_schema(operation_id="students_religion_retrieve", responses=OutputSerializer)
    def get(self, request, student_id):
        _student, record = religion_open_for(user=request.user, student_id=student_id)
        data = {
            "status": record.status if record else None,
            "religion": record.religion if record else "",
        }
        return Response(self.OutputSerializer(data).data)


class AccessLogApi(APIView):
    """Who looked at the pupil's data in the last 12 months, by role and date (never by
    name): the pupil's guardians with authority, the director and the privacy officer."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        created_at = serializers.DateTimeField()
        role = serializers.CharField()
        data_kind = serializers.CharField()
        special_category = serializers.BooleanField()

        class Meta:
            ref_name = "AccessLogEntry"

    @extend_schema(operation_id="students_access_log_list", responses=OutputSerializer(many=True))
    def get(self, request, student_id):
        _student, entries = access_log_open_for(user=request.user, student_id=student_id)
        return Response(self.OutputSerializer(entries, many=True).data)
