"""REST API of the staff app (served under /api/v1/).

- ``staff/``: the roster (finance and supervisors read it; staff see themselves);
- ``spells/``: employment history and exit reasons (directors; supervisors their supervisees;
  staff their own); exit-interview notes only for directors;
- ``qualifications/`` (+ ``{id}/verify/``): certificates, same visibility as spells;
- ``retention/?year=Y`` (docs/commands.md JSON), ``retention/trend/``, ``retention/breakdown/?year=&by=``:
  directors only;
- ``qualification-summary/?as_of=D``: holders by level, expiring, expired, over the
  certificates the caller may see.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from core.api import router
from core.api.schema import OptionalEmailField, SingleObjectSchema
from core.api.viewsets import TenantModelViewSet
from core.dates import query_date
from core.models import agency_of
from core.permissions import RolePermission
from core.roles import Role, has_role
from core.selectors import active_logins
from staff import analytics, services
from staff.filters import QualificationFilter, SpellFilter, StaffFilter
from staff.models import EmploymentSpell, Qualification, StaffMember
from staff.selectors import qualification_summary, qualifications_for, spells_for, staff_for


class _AgencyScopedRelated(serializers.PrimaryKeyRelatedField):
    """A related-object field whose choices are limited to what the caller may see."""

    def __init__(self, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return StaffMember.objects.none()
        return self.scope(request.user)


def _agency_users(user):
    agency = agency_of(user)
    return active_logins(agency)


class StaffMemberSerializer(serializers.ModelSerializer):
    user = _AgencyScopedRelated(_agency_users, required=False, allow_null=True)
    # A member created a moment ago has no spell yet: both dates are then null, never missing.
    hire_date = serializers.DateField(
        source="latest_hire_date", read_only=True, allow_null=True, default=None
    )
    exit_date = serializers.DateField(
        source="latest_exit_date", read_only=True, allow_null=True, default=None
    )

    email = OptionalEmailField(required=False)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "staff_no",
            "name",
            "phone",
            "email",
            "position",
            "employment_type",
            "education",
            "sw_degree",
            "user",
            "hire_date",
            "exit_date",
        ]
        validators = []  # the model's constraints are checked by full_clean() in the service


class SpellSerializer(serializers.ModelSerializer):
    staff = _AgencyScopedRelated(lambda user: StaffMember.objects.for_user(user, "view"))
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    voluntary = serializers.BooleanField(source="is_voluntary_exit", read_only=True, allow_null=True)

    class Meta:
        model = EmploymentSpell
        fields = [
            "id",
            "staff",
            "staff_no",
            "hire_date",
            "exit_date",
            "exit_reason",
            "voluntary",
            "exit_notes",
            "position",
            "employment_type",
        ]
        validators = []

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not has_role(request.user, Role.DIRECTOR):
            data.pop("exit_notes", None)  # exit-interview notes are for the director
        return data


class QualificationSerializer(serializers.ModelSerializer):
    staff = _AgencyScopedRelated(lambda user: StaffMember.objects.for_user(user, "view"))
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    verified_by = serializers.StringRelatedField(read_only=True)
    scan = serializers.FileField(write_only=True, required=False, allow_null=True)
    scan_url = serializers.SerializerMethodField()
    expiry_status = serializers.SerializerMethodField()

    class Meta:
        model = Qualification
        fields = [
            "id",
            "staff",
            "staff_no",
            "level",
            "kind",
            "cert_no",
            "issued",
            "registration_expires",
            "expiry_status",
            "verified_by",
            "verified_at",
            "scan",
            "scan_url",
        ]
        read_only_fields = ["verified_at"]
        validators = []

    def get_scan_url(self, obj) -> str | None:
        if not obj.scan:
            return None
        return reverse("staff-qualification-scan", args=[obj.pk])

    def get_expiry_status(self, obj) -> str:
        return obj.expiry_status(timezone.localdate())


class StaffMemberViewSet(TenantModelViewSet):
    queryset = StaffMember.objects.select_related("user")
    serializer_class = StaffMemberSerializer
    filterset_class = StaffFilter
    search_fields = ["name", "staff_no", "position"]
    ordering_fields = ["staff_no", "name", "position"]
    create_service = services.staff_member_create
    update_service = services.staff_member_update
    # A person with spells or any record is refused (400); see staff_member_delete.
    destroy_service = services.staff_member_delete

    def get_queryset(self):
        return staff_for(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = self.create_service(
            agency=self.agency, by=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer):
        self.update_service(member=serializer.instance, by=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        self.destroy_service(member=instance, by=self.request.user)


class SpellViewSet(TenantModelViewSet):
    queryset = EmploymentSpell.objects.select_related("staff")
    serializer_class = SpellSerializer
    filterset_class = SpellFilter
    ordering_fields = ["hire_date", "exit_date"]
    create_service = services.spell_create
    update_service = services.spell_update
    destroy_refusal = gettext_lazy(
        "Employment spells are the person's history (retention and tenure are counted from them) "
        "and are never deleted: correct the dates or record the exit instead."
    )

    def get_queryset(self):
        return spells_for(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.create_service(staff=data.pop("staff"), by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("staff", None)  # a spell does not move to another person
        self.update_service(spell=serializer.instance, by=self.request.user, **data)


class QualificationViewSet(TenantModelViewSet):
    queryset = Qualification.objects.select_related("staff", "verified_by")
    serializer_class = QualificationSerializer
    filterset_class = QualificationFilter
    search_fields = ["cert_no", "staff__name", "staff__staff_no"]
    ordering_fields = ["issued", "registration_expires"]
    required_actions = {"verify": "change"}
    create_service = services.qualification_create
    update_service = services.qualification_update
    destroy_refusal = gettext_lazy(
        "Certificates stay in the person's history (qualification figures of past dates count "
        "them) and are never deleted: correct the certificate instead."
    )

    def get_queryset(self):
        return qualifications_for(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.get("scan") is None:
            data.pop("scan", None)
        serializer.instance = self.create_service(staff=data.pop("staff"), by=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("staff", None)
        if "scan" in data and data["scan"] is None:
            data["scan"] = ""
        self.update_service(qualification=serializer.instance, by=self.request.user, **data)

    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """Record that the caller checked the certificate against the original."""
        qualification = self.get_object()
        services.qualification_verify(qualification=qualification, by=request.user)
        return Response(self.get_serializer(qualification).data)


class DirectorOnly(BasePermission):
    def has_permission(self, request, view) -> bool:
        return has_role(request.user, Role.DIRECTOR)


def _year(request) -> int:
    raw = request.query_params.get("year") or str(timezone.localdate().year)
    if not raw.isdigit() or not 1900 <= int(raw) <= 2999:
        raise ValidationError({"year": [_("Give a year such as 2025.")]})
    return int(raw)


class RetentionSerializer(serializers.Serializer):
    """The retention JSON of docs/commands.md (rates are fractions rounded to 4 places, null when undefined)."""

    year = serializers.IntegerField()
    headcount_start = serializers.IntegerField()
    headcount_end = serializers.IntegerField()
    average_headcount = serializers.FloatField()
    hires = serializers.IntegerField()
    exits = serializers.IntegerField()
    voluntary_exits = serializers.IntegerField()
    turnover_rate = serializers.FloatField(allow_null=True)
    voluntary_turnover_rate = serializers.FloatField(allow_null=True)
    first_year_retention = serializers.FloatField(allow_null=True)
    median_tenure_years_of_leavers = serializers.FloatField(allow_null=True)
    certified_ratio_end = serializers.FloatField(allow_null=True)
    exit_reasons = serializers.DictField(child=serializers.IntegerField())


_YEAR = OpenApiParameter("year", int, description="Calendar year, e.g. 2025 (default: this year).")


class RetentionViewSet(viewsets.ViewSet):
    """Retention metrics of docs/metrics.md (``?year=``; the current year by default)."""

    schema = SingleObjectSchema()
    model = EmploymentSpell
    permission_classes = [RolePermission, DirectorOnly]
    serializer_class = RetentionSerializer

    @extend_schema(parameters=[_YEAR], responses=RetentionSerializer)
    def list(self, request):
        return Response(analytics.retention_for_year(agency_of(request.user), _year(request)))

    @extend_schema(responses=RetentionSerializer(many=True))
    @action(detail=False)
    def trend(self, request):
        return Response(analytics.retention_trend(analytics.spells_frame(agency_of(request.user))))

    @extend_schema(
        parameters=[
            _YEAR,
            OpenApiParameter("by", str, enum=["position", "employment_type"], description="Grouping."),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False)
    def breakdown(self, request):
        by = request.query_params.get("by", "position")
        if by not in ("position", "employment_type"):
            raise ValidationError({"by": [_("Choose position or employment_type.")]})
        frame = analytics.spells_frame(agency_of(request.user))
        year = _year(request)
        return Response(
            {
                "year": year,
                "by": by,
                "groups": analytics.breakdown(frame, year, by),
                "monthly": analytics.monthly_headcount(frame, year),
            }
        )


class QualificationSummaryViewSet(viewsets.ViewSet):
    """Holders by level, expiring within 90 days and expired, as of ``?as_of=`` (today by default)."""

    model = Qualification
    serializer_class = None

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Date YYYY-MM-DD (default: today).")
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def list(self, request):
        as_of = query_date(request.query_params, "as_of", timezone.localdate())
        return Response(
            qualification_summary(agency_of(request.user), as_of, qualifications_for(request.user))
        )


router.register("staff", StaffMemberViewSet, basename="staff")
router.register("spells", SpellViewSet, basename="spell")
router.register("qualifications", QualificationViewSet, basename="qualification")
router.register("retention", RetentionViewSet, basename="retention")
router.register("qualification-summary", QualificationSummaryViewSet, basename="qualification-summary")
