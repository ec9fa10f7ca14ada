"""The director's staff invitations over the API (/api/v1/staff/invitations/): the same list
and the same invitation as the staff page (students.views.staff_invitations)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Group, School
from ..models.staff_invitations import INVITABLE_ROLES
from ..selectors.pupils import not_found
from ..selectors.staff import staff_schools_for
from ..selectors.staff_invitations import staff_invitations_open_of
from ..services.staff_invitations import StaffInvitationError, staff_invitation_create


class StaffInvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    school = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    full_name = serializers.CharField(max_length=150)
    email = serializers.EmailField()
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=[role.value for role in INVITABLE_ROLES])
    )
    groups = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
    )
    status = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)

    class Meta:
        ref_name = "StaffInvitation"


def _data(invitation) -> dict:
    return {
        "id": invitation.pk,
        "school": invitation.school_id,
        "full_name": invitation.full_name,
        "email": invitation.email,
        "roles": invitation.roles,
        "groups": sorted(g.pk for g in invitation.groups.all()),
        "status": invitation.status,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


class StaffInvitationListApi(APIView):
    """Director: the invitations of her schools not (yet) accepted; POST invites a colleague
    (400 with ``errors`` per field, as the page). Other roles 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="staff_invitation_list", responses=StaffInvitationSerializer(many=True)
    )
    def get(self, request):
        invitations = staff_invitations_open_of(staff_schools_for(request.user))
        return Response([_data(i) for i in invitations])

    @extend_schema(
        operation_id="staff_invitation_create",
        request=StaffInvitationSerializer,
        responses={201: StaffInvitationSerializer},
    )
    def post(self, request):
        schools = staff_schools_for(request.user)
        serializer = StaffInvitationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        school = schools.filter(pk=data["school"]).first()
        if school is None:
            raise not_found(
                user=request.user, object_type="school", raw_id=data["school"], model=School
            )
        groups = list(Group.objects.filter(pk__in=data["groups"]))
        if len(groups) != len(set(data["groups"])):
            raise StaffInvitationError(
                field_errors={
                    "groups": [_("Choose groups of your school in this school year or the next.")]
                }
            )
        invitation = staff_invitation_create(
            user=request.user,
            school=school,
            email=data["email"],
            full_name=data["full_name"],
            roles=data["roles"],
            # Groups of another school are refused by the service, at the field.
            groups=groups,
            site_url=f"{request.scheme}://{request.get_host()}",
        )
        return Response(_data(invitation), status=status.HTTP_201_CREATED)
