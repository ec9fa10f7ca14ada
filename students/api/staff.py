"""The director's staff over the API (/api/v1/staff/): the same reads and the same
deactivation as the staff page (students.views.staff)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors.staff import staff_member_for, staff_of, staff_schools_for
from ..services.invitations import InvitationError
from ..services.staff import staff_deactivate


class StaffSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    roles = serializers.ListField(child=serializers.CharField())
    active = serializers.BooleanField()

    class Meta:
        ref_name = "StaffMember"


def _staff_data(member) -> dict:
    return {
        "id": member.pk,
        "email": member.email,
        "roles": sorted(g.name for g in member.groups.all()),
        "active": member.is_active,
    }


class StaffListApi(APIView):
    """The director's staff: everyone with a school permission or a group at their schools,
    and the accounts deactivated there (active false). Others 403."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="staff_list", responses=StaffSerializer(many=True))
    def get(self, request):
        members = staff_of(staff_schools_for(request.user))
        return Response([_staff_data(m) for m in members])


class StaffDeactivateApi(APIView):
    """Director: end a colleague's account at once (sessions, tokens, permissions); 404 for
    someone who does not work at the director's school, 400 for oneself."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="staff_deactivate_create", request=None, responses=StaffSerializer)
    def post(self, request, staff_id):
        member, school = staff_member_for(user=request.user, staff_id=staff_id)
        try:
            member = staff_deactivate(user=request.user, staff=member, school=school)
        except InvitationError as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
        member = type(member).objects.prefetch_related("groups").get(pk=member.pk)
        return Response(_staff_data(member))
