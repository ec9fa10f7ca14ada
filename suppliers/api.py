"""API: agreements, exports through the gate, the disclosure register, a child's recipients."""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.constants import Function
from kernel.signed_links import DownloadLink
from kernel.throttling import ScopedUserThrottle
from students.selectors import function_require, not_found

from .constants import LEGAL_GROUND_RULES, LEGAL_RECIPIENT_KINDS, Basis, ExportFormat, ExportStatus
from .gate import DisclosureRefusedError, LegalRequest, may_withhold
from .selectors import (
    agreements_visible_to,
    disclosures_filter,
    disclosures_visible_to,
    export_get_for,
    export_pupils_for,
    export_school_for,
    export_targets_for,
)
from .services import child_recipients_open_for, export_request

# An export is the requester's own: the link is bound to their login (kernel.signed_links).
EXPORT_LINK = DownloadLink(salt="suppliers.export.download")


def download_url(export, user) -> str | None:
    """A relative link that expires with the export and works only for its requester."""
    expired = export.expires_at is not None and export.expires_at < timezone.now()
    if export.status != ExportStatus.DONE or not export.file or expired:
        return None
    token = EXPORT_LINK.token(object_id=export.pk, bound_to=user.pk)
    return reverse("export-download", args=[export.pk, token])


class AgreementListApi(APIView):
    """The board's processing agreements with their derived status and agreed attributes
    (director manages; administration, care coordinator, teachers and the privacy officer
    read; guardians 403)."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        supplier = serializers.CharField(source="supplier.name")
        products = serializers.SerializerMethodField()
        model = serializers.CharField()
        status = serializers.CharField()
        valid_from = serializers.DateField(allow_null=True)
        valid_until = serializers.DateField(allow_null=True)
        attributes = serializers.SerializerMethodField()

        class Meta:
            ref_name = "Agreement"

        def get_products(self, agreement) -> list[dict]:
            return [{"id": p.pk, "name": p.name} for p in agreement.products.all()]

        def get_attributes(self, agreement) -> list[str]:
            return [a.attribute for a in agreement.attributes.all()]

    @extend_schema(operation_id="agreements_list", responses=OutputSerializer(many=True))
    def get(self, request):
        agreements = agreements_visible_to(request.user)
        return Response(self.OutputSerializer(agreements, many=True).data)


class ExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    format = serializers.CharField()
    attributes = serializers.ListField(child=serializers.CharField())
    pupil_count = serializers.IntegerField()
    dropped_count = serializers.IntegerField()
    error = serializers.CharField()
    download_url = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Export"

    def get_download_url(self, export) -> str | None:
        return download_url(export, self.context["request"].user)


class ExportCreateApi(APIView):
    """Director and administration export pupil data through the gate: name an agreement
    (optionally one product) or a recipient that is not a processor, and a format. 202 with
    the job; a refusal (expired agreement, special category, no basis) is a 400 with a
    readable ``detail``.

    A recipient on a legal obligation (attendance officer, DUO, next school, Veilig Thuis,
    the police) takes ``students`` (one or more, each within the caller's scope, else 404),
    ``ground``, ``reference`` and ``reason``; never the whole school. Only the director may
    add ``withhold_reason`` (a Meldcode report, a prosecutor's demand): others get 403."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [ScopedUserThrottle]
    throttle_scope = "export"

    class InputSerializer(serializers.Serializer):
        agreement = serializers.IntegerField(required=False, min_value=1)
        product = serializers.IntegerField(required=False, min_value=1)
        recipient = serializers.IntegerField(required=False, min_value=1)
        school = serializers.IntegerField(required=False, min_value=1)
        students = serializers.ListField(
            child=serializers.IntegerField(min_value=1), required=False, max_length=5000
        )
        format = serializers.ChoiceField(choices=ExportFormat.choices)
        ground = serializers.ChoiceField(choices=sorted(LEGAL_GROUND_RULES), required=False)
        reference = serializers.CharField(required=False, max_length=100, allow_blank=True)
        reason = serializers.CharField(required=False, max_length=2000, allow_blank=True)
        withhold_reason = serializers.CharField(required=False, max_length=2000, allow_blank=True)

        class Meta:
            ref_name = "ExportRequest"

        def validate(self, data):
            if bool(data.get("agreement")) == bool(data.get("recipient")):
                raise serializers.ValidationError("Name either an agreement or a recipient.")
            return data

    @extend_schema(
        operation_id="exports_create",
        request=InputSerializer,
        responses={202: ExportOutputSerializer},
    )
    def post(self, request):
        school = export_school_for(user=request.user, school_id=request.data.get("school"))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement, product, recipient = export_targets_for(
            user=request.user,
            school=school,
            agreement_id=data.get("agreement"),
            product_id=data.get("product"),
            recipient_id=data.get("recipient"),
        )
        withhold_reason = data.get("withhold_reason", "").strip()
        if withhold_reason and not may_withhold(request.user, school):
            function_require(
                user=request.user,
                function=Function.DECIDE_WITHHOLDING,
                object_type="disclosure_withholding",
            )
            raise not_found(
                user=request.user, object_type="disclosure_withholding", raw_id=school.pk
            )
        # Named pupils are looked up in the caller's scope: one outside it answers 404.
        student_ids = data.get("students")
        if student_ids is not None:
            student_ids = export_pupils_for(
                user=request.user, school=school, student_ids=student_ids
            )
        legal = None
        if recipient is not None and recipient.kind in LEGAL_RECIPIENT_KINDS:
            legal = LegalRequest(
                ground=data.get("ground", ""),
                reference=data.get("reference", ""),
                reason=data.get("reason", ""),
                student_ids=tuple(student_ids or ()),
                withheld_reason=withhold_reason,
            )
        try:
            export = export_request(
                user=request.user,
                school=school,
                format=data["format"],
                agreement=agreement,
                product=product,
                recipient=recipient,
                student_ids=student_ids,
                legal=legal,
            )
        except DisclosureRefusedError as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
        export.refresh_from_db()
        return Response(
            ExportOutputSerializer(export, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ExportDetailApi(APIView):
    """One export, for the staff member who asked for it (404 for anyone else)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="exports_retrieve", responses=ExportOutputSerializer)
    def get(self, request, export_id):
        export = export_get_for(user=request.user, export_id=export_id)
        return Response(ExportOutputSerializer(export, context={"request": request}).data)


class DisclosureListApi(GenericAPIView):
    """The disclosure register of the caller's schools (director, administration; the board's
    privacy officer), newest first, filterable by recipient, basis and period."""

    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        created_at = serializers.DateTimeField()
        school = serializers.CharField(source="school.name")
        recipient = serializers.CharField(source="recipient_label")
        basis = serializers.CharField()
        attributes = serializers.ListField(child=serializers.CharField())
        pupil_count = serializers.IntegerField()
        dropped_count = serializers.IntegerField()
        file_checksum = serializers.CharField()
        created_by = serializers.IntegerField(source="created_by_id", allow_null=True)
        created_by_name = serializers.SerializerMethodField(
            help_text="Who disclosed it, by name; null for no one in person (an access package)."
        )
        legal_ground = serializers.CharField()
        legal_ground_label = serializers.CharField(source="ground_label")
        legal_reference = serializers.CharField()
        legal_reason = serializers.CharField()
        withheld_from_guardians = serializers.BooleanField()
        withheld_reason = serializers.CharField()

        class Meta:
            ref_name = "Disclosure"

        def get_created_by_name(self, disclosure) -> str | None:
            return str(disclosure.created_by) if disclosure.created_by else None

    serializer_class = OutputSerializer

    @extend_schema(
        operation_id="disclosures_list",
        parameters=[
            OpenApiParameter("recipient", str),
            OpenApiParameter("basis", str, enum=Basis.values),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses=OutputSerializer(many=True),
    )
    def get(self, request):
        from .forms import DisclosureFilterForm

        form = DisclosureFilterForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        qs = disclosures_filter(disclosures_visible_to(request.user), **form.cleaned_data)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.OutputSerializer(page, many=True).data)


class StudentRecipientsApi(APIView):
    """For the child's guardians: the products and recipients that receive the child's data,
    with purposes and attributes, and the past disclosures (with the legal ground in words;
    never one withheld from guardians)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(operation_id="students_recipients_retrieve", responses=OpenApiTypes.OBJECT)
    def get(self, request, student_id):
        data = child_recipients_open_for(user=request.user, student_id=student_id)
        return Response(
            {
                "products": [
                    {
                        "supplier": product.supplier.name,
                        "product": product.name,
                        "purposes": product.purposes,
                        "never_used_for": product.never_used_for,
                        "attributes": [
                            {"code": a.attribute, "reason": a.reason}
                            for a in product.attributes.all()
                        ],
                        "agreement_status": next(
                            (a.status for a in product.agreements.all()), "none"
                        ),
                    }
                    for product in data["products"]
                ],
                "recipients": [
                    {
                        "name": r.name,
                        "kind": r.kind,
                        "legal_basis": r.legal_basis,
                        "attributes": r.attributes,
                    }
                    for r in data["recipients"]
                ],
                "disclosures": [
                    {
                        "created_at": d.created_at,
                        "recipient": d.recipient_label,
                        "basis": d.basis,
                        "legal_ground": d.ground_label or None,
                        "attributes": d.attributes,
                        "data": d.attribute_labels,
                    }
                    for d in data["disclosures"]
                ],
            }
        )
