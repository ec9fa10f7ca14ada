from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.constants import Function

from ..constants import Sex
from ..selectors import (
    AccessResolver,
    function_require,
    group_get_for,
    groups_visible_to,
    guardians_of_for,
    school_get_for,
    schools_visible_to,
    students_listed,
    students_named,
    students_visible_to,
)
from ..selectors.self_service import pupil_address_hidden_for
from ..services.reads import student_open_for
from .editing import IF_MATCH, StudentPatchSerializer, student_patch


class CanViewPupils(BasePermission):
    """Staff with the pupil function (director, administration, care coordinator, teacher)
    and guardians (their own children only, through the selectors). Others get 403, and the
    attempt is an audit event; no login gets 401."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        function_require(
            user=request.user,
            function=(Function.VIEW_PUPILS, Function.VIEW_OWN_CHILDREN),
            object_type="student",
        )
        return True


class CanViewGroups(BasePermission):
    """Staff with the pupil function see the groups and schools in their scope; others get
    403 (an audit event); no login gets 401."""

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        function_require(
            user=request.user, function=Function.VIEW_PUPILS, object_type=view.object_type
        )
        return True


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def ref(obj) -> dict | None:
    """What RefSerializer gives, without its field-by-field machinery."""
    return None if obj is None else {"id": obj.pk, "name": obj.name}


def iso(day) -> str | None:
    """What a DRF DateField gives."""
    return None if day is None else day.isoformat()


class EnrolPupilSerializer(serializers.Serializer):
    first_names = serializers.CharField(max_length=200)
    given_name = serializers.CharField(max_length=100)
    surname_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True)
    surname = serializers.CharField(max_length=150)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Sex.choices)
    bsn = serializers.CharField(max_length=9, help_text="BSN or education number")
    street = serializers.CharField(max_length=200, required=False, allow_blank=True)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=7, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    previous_school = serializers.CharField(max_length=200, required=False, allow_blank=True)
    born_abroad = serializers.BooleanField(required=False, default=False)
    arrived_in_netherlands_on = serializers.DateField(required=False, allow_null=True)
    year_group = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=8)

    class Meta:
        ref_name = "EnrolPupil"


class EnrolGuardianSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    surname_prefix = serializers.CharField(max_length=30, required=False, allow_blank=True)
    surname = serializers.CharField(max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    has_authority = serializers.BooleanField(required=False, default=True)
    authority_decided_on = serializers.DateField(required=False, allow_null=True)
    authority_reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    invite = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "EnrolGuardian"


class EnrolInputSerializer(serializers.Serializer):
    school = serializers.IntegerField()
    group = serializers.IntegerField()
    start_date = serializers.DateField()
    pupil = EnrolPupilSerializer()
    guardians = EnrolGuardianSerializer(many=True)  # one to three: the service says so

    class Meta:
        ref_name = "EnrolInput"


class StudentListApi(GenericAPIView):
    """Pupils in the caller's scope, enrolled now unless ``former=true`` is asked."""

    permission_classes = [CanViewPupils]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        first_name = serializers.CharField(source="given_name")
        last_name = serializers.CharField()
        group = RefSerializer(allow_null=True)
        school = RefSerializer()

        class Meta:
            ref_name = "StudentListItem"

        def to_representation(self, student):
            # By hand: DRF's field-by-field representation was a third of this endpoint's time
            # at board scale (bench/README.md). The fields above document the shape; the
            # schema tests (tests/security) hold the two together.
            return {
                "id": student.pk,
                "first_name": student.given_name,
                "last_name": student.last_name,
                "group": ref(student.group),
                "school": ref(student.school),
            }

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="students_list",
        parameters=[
            OpenApiParameter("search", str, description="Part of a name"),
            OpenApiParameter("group", int, description="Group id"),
            OpenApiParameter("former", bool, description="Former pupils instead of current"),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        params = request.query_params
        former = params.get("former", "").lower() in ("1", "true", "yes")
        qs = students_visible_to(request.user, only_former=former)
        search = params.get("search", "").strip()[:100]
        if "\x00" in search:  # no name holds one, and PostgreSQL cannot even compare it
            raise serializers.ValidationError({"search": ["Null characters are not allowed."]})
        qs = students_named(qs, search)
        group = params.get("group", "")
        if group:
            if not group.isdigit() or len(group) > 18:
                raise serializers.ValidationError({"group": ["A group id is a whole number."]})
            qs = qs.filter(group_id=int(group))
        page = self.paginate_queryset(students_listed(qs))
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="students_enrol",
        request=EnrolInputSerializer,
        responses={201: OutputSerializer},
        description=(
            "Enrol a pupil from a paper application (director, administration of the school): "
            "the same service and validation as the enrolment page. A refusal answers 400 with "
            "`detail` and `errors` per field (`bsn`, `group`, `guardians.0.email`, ...)."
        ),
    )
    def post(self, request):
        from ..models import Group
        from ..selectors.enrolment import school_for_enrol
        from ..services.enrolment import GuardianDetails, PupilDetails, pupil_enrol

        school = school_for_enrol(user=request.user, school_id=request.data.get("school"))
        data = EnrolInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = Group.objects.filter(pk=values["group"], school=school).first()
        if group is None:
            raise serializers.ValidationError({"group": ["Not a group of this school."]})
        student = pupil_enrol(
            user=request.user,
            school=school,
            group=group,
            start_date=values["start_date"],
            pupil=PupilDetails(**values["pupil"]),
            guardians=[GuardianDetails(**guardian) for guardian in values["guardians"]],
            request_base=f"{request.scheme}://{request.get_host()}",
        )
        return Response(self.OutputSerializer(student).data, status=201)


class GuardianOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    has_authority = serializers.BooleanField()
    contact_hidden = serializers.BooleanField()
    email = serializers.CharField()
    phone = serializers.CharField()
    address = serializers.CharField()
    contact_confidential = serializers.BooleanField(
        allow_null=True, help_text="Shown to staff only; null for guardians."
    )


@extend_schema_field(GuardianOutputSerializer(many=True))
class GuardiansField(serializers.Field):
    """The pupil's guardians as the caller may see them. Not read-only, so that the schema
    marks it optional: it is absent for a caller without the right to see guardians."""

    def __init__(self, **kwargs):
        super().__init__(source="*", required=False, **kwargs)

    def to_representation(self, student):
        guardians = guardians_of_for(
            user=self.context["user"], student=student, access=self.context["access"]
        )
        return GuardianOutputSerializer(guardians, many=True).data


class StudentDetailApi(GenericAPIView):
    """One pupil in the caller's scope (404 otherwise); fields depend on the caller's role:
    the BSN only for director, administration and guardians with authority; contact data and
    guardians for staff in scope and guardians with authority."""

    permission_classes = [CanViewPupils]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        first_name = serializers.CharField(source="given_name")
        first_names = serializers.CharField()
        last_name = serializers.CharField()
        date_of_birth = serializers.DateField()
        sex = serializers.CharField()
        year_group = serializers.IntegerField()
        group = RefSerializer(allow_null=True)
        school = RefSerializer()
        enrolled_on = serializers.DateField()
        withdrawn_on = serializers.DateField(allow_null=True)
        withdrawal_destination = serializers.CharField()
        address = serializers.CharField(required=False, help_text="Only with contact access.")
        bsn = serializers.CharField(
            required=False,
            help_text="Only for director, administration and guardians with authority.",
        )
        guardians = GuardiansField(
            help_text="Only for staff in scope and guardians with authority."
        )

        class Meta:
            ref_name = "StudentDetail"

        def to_representation(self, student):
            # By hand, like the list's (see there). Fields the caller may not see are absent,
            # not empty; decided here from the access, as building the declared fields to
            # drop some cost more than the rest of the representation.
            access = self.context["access"]
            data = {
                "id": student.pk,
                "first_name": student.given_name,
                "first_names": student.first_names,
                "last_name": student.last_name,
                "date_of_birth": iso(student.date_of_birth),
                "sex": str(student.sex),
                "year_group": student.year_group,
                "group": ref(student.group),
                "school": ref(student.school),
                "enrolled_on": iso(student.enrolled_on),
                "withdrawn_on": iso(student.withdrawn_on),
                "withdrawal_destination": str(student.withdrawal_destination),
            }
            if access.contact:
                # Not the confidential address of a co-guardian the child lives with.
                hidden = not access.is_staff_view and pupil_address_hidden_for(
                    guardian_id=access.guardian_self_id, student=student
                )
                data["address"] = "" if hidden else student.address
            if access.bsn:
                data["bsn"] = student.bsn
            if access.guardians:
                data["guardians"] = guardians_of_for(
                    user=self.context["user"], student=student, access=access
                )
            return data

    serializer_class = OutputSerializer

    @extend_schema(operation_id="students_retrieve")
    def get(self, request, student_id):
        student = student_open_for(user=request.user, student_id=student_id)
        access = AccessResolver(request.user).for_student(student)
        serializer = self.OutputSerializer(
            student, context={"access": access, "user": request.user}
        )
        return Response(serializer.data)

    @extend_schema(
        operation_id="students_partial_update",
        request=StudentPatchSerializer,
        responses=OutputSerializer,
        parameters=[IF_MATCH],
        description=(
            "Change a pupil's details (administration, the director of the school), validated "
            "as at enrolment; the answer is the pupil as GET gives it. A refusal answers 400 "
            "with `detail` and `errors` per field; 409 when the pupil left the school or the "
            "data changed since the `version` (or `If-Match`: the ETag of the last PATCH)."
        ),
    )
    def patch(self, request, student_id):
        return student_patch(self, request, student_id)


class GroupOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    school_year = serializers.IntegerField()
    year_group_low = serializers.IntegerField()
    year_group_high = serializers.IntegerField()
    school = RefSerializer()


class GroupListApi(GenericAPIView):
    """Groups in the caller's scope (staff with the pupil function)."""

    permission_classes = [CanViewGroups]
    serializer_class = GroupOutputSerializer
    object_type = "group"

    @extend_schema(operation_id="groups_list", responses=GroupOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(groups_visible_to(request.user))
        return self.get_paginated_response(GroupOutputSerializer(page, many=True).data)


class GroupDetailApi(GenericAPIView):
    """One group in the caller's scope, 404 otherwise."""

    permission_classes = [CanViewGroups]
    serializer_class = GroupOutputSerializer
    object_type = "group"

    @extend_schema(operation_id="groups_retrieve")
    def get(self, request, group_id):
        return Response(
            GroupOutputSerializer(group_get_for(user=request.user, group_id=group_id)).data
        )


class SchoolOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    brin = serializers.CharField()
    board = RefSerializer()


class SchoolListApi(GenericAPIView):
    """Schools in the caller's scope (staff with the pupil function)."""

    permission_classes = [CanViewGroups]
    serializer_class = SchoolOutputSerializer
    object_type = "school"

    @extend_schema(operation_id="schools_list", responses=SchoolOutputSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(schools_visible_to(request.user).order_by("name"))
        return self.get_paginated_response(SchoolOutputSerializer(page, many=True).data)


class SchoolDetailApi(GenericAPIView):
    """One school in the caller's scope, 404 otherwise."""

    permission_classes = [CanViewGroups]
    serializer_class = SchoolOutputSerializer
    object_type = "school"

    @extend_schema(operation_id="schools_retrieve")
    def get(self, request, school_id):
        school = school_get_for(user=request.user, school_id=school_id)
        return Response(SchoolOutputSerializer(school).data)
