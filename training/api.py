"""REST API of the training module: events, records (submit, approve, reject), compliance."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response

from core.api import router
from core.api.schema import SingleObjectSchema
from core.api.viewsets import TenantModelViewSet
from core.dates import query_date
from core.models import agency_of
from core.roles import Role, has_role
from staff.models import StaffMember
from training import selectors, services
from training.models import TrainingEvent, TrainingRecord
from training.reports import training_compliance


class TrainingEventSerializer(serializers.ModelSerializer):
    attendee_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = TrainingEvent
        fields = [
            "id",
            "title",
            "provider",
            "delivery",
            "category",
            "start_date",
            "end_date",
            "hours",
            "ce_eligible",
            "location",
            "online",
            "notes",
            "attendee_count",
        ]
        read_only_fields = ["id", "attendee_count"]


class TrainingEventViewSet(TenantModelViewSet):
    """Training events: directors read and write; supervisors and staff read events attended."""

    queryset = TrainingEvent.objects.all()
    serializer_class = TrainingEventSerializer
    filterset_fields = ["category", "delivery", "ce_eligible"]
    search_fields = ["title", "provider"]
    ordering_fields = ["start_date", "title", "hours"]
    create_service = services.event_create
    update_service = services.event_update
    # An event with attendance is refused (400); see event_delete.
    destroy_service = services.event_delete

    def get_queryset(self):
        return selectors.events_for(self.request.user)

    def perform_create(self, serializer):
        event = self.create_service(
            agency=agency_of(self.request.user), user=self.request.user, **serializer.validated_data
        )
        event.attendee_count = 0  # a new event has no attendance yet (lists annotate the count)
        serializer.instance = event

    def perform_update(self, serializer):
        serializer.instance = self.update_service(
            event=serializer.instance, user=self.request.user, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        self.destroy_service(event=instance)


class TrainingRecordSerializer(serializers.ModelSerializer):
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)
    staff_name = serializers.CharField(source="staff.name", read_only=True)
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.none(), required=False)

    # The file goes in; what comes out is the checked download page, never a storage URL.
    evidence = serializers.FileField(write_only=True, required=False, allow_null=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = TrainingRecord
        fields = [
            "id",
            "staff",
            "staff_no",
            "staff_name",
            "event",
            "date",
            "title",
            "provider",
            "category",
            "hours",
            "ce_eligible",
            "source",
            "status",
            "evidence",
            "evidence_url",
            "review_note",
            "reviewed_at",
        ]
        read_only_fields = ["id", "event", "source", "status", "review_note", "reviewed_at"]
        # Model validation (full_clean in the service) is the single source of these rules.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["staff"].queryset = StaffMember.objects.for_user(request.user, "view")

    def get_evidence_url(self, obj) -> str | None:
        return reverse("training-evidence", args=[obj.pk]) if obj.evidence else None


class ReviewSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class TrainingRecordViewSet(TenantModelViewSet):
    """Training records: staff read their own and submit (POST) their external training;
    supervisors read their supervisees' and approve or reject them; directors everything."""

    queryset = TrainingRecord.objects.select_related("staff")
    serializer_class = TrainingRecordSerializer
    required_actions = {"approve": "change", "reject": "change"}
    create_service = services.record_submit
    # Only a pending submission can be discarded (400 otherwise); see record_delete.
    destroy_service = services.record_delete
    update_refusal = gettext_lazy(
        "Training records are not edited: a pending record is approved or rejected, "
        "and attendance is corrected on the event's sign-in sheet."
    )
    filterset_fields = ["status", "category", "ce_eligible", "staff", "event"]
    search_fields = ["title", "provider", "staff__name"]
    ordering_fields = ["date", "hours", "title"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        staff = data.pop("staff", None) or selectors.member_of(self.request.user)
        if staff is None:
            raise DRFValidationError({"staff": [_("Your login is not linked to a staff record.")]})
        serializer.instance = self.create_service(staff=staff, user=self.request.user, **data)

    def perform_destroy(self, instance):
        self.destroy_service(record=instance)

    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer)
    def approve(self, request, pk=None):
        record = self.get_object()
        note = ReviewSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        record = services.record_approve(record=record, user=request.user, note=note.validated_data["note"])
        return Response(TrainingRecordSerializer(record, context={"request": request}).data)

    @action(detail=True, methods=["post"], serializer_class=ReviewSerializer)
    def reject(self, request, pk=None):
        record = self.get_object()
        note = ReviewSerializer(data=request.data)
        note.is_valid(raise_exception=True)
        record = services.record_reject(record=record, user=request.user, note=note.validated_data["note"])
        return Response(TrainingRecordSerializer(record, context={"request": request}).data)


class ComplianceStaffSerializer(serializers.Serializer):
    staff_no = serializers.CharField()
    name = serializers.CharField()
    qualification = serializers.CharField()
    cycle_start = serializers.DateField()
    cycle_end = serializers.DateField()
    required_hours = serializers.FloatField()
    earned_hours = serializers.FloatField()
    shortfall_hours = serializers.FloatField()
    status = serializers.ChoiceField(choices=["compliant", "overdue", "at_risk", "on_track"])


class TrainingComplianceSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    staff = ComplianceStaffSerializer(many=True)


class TrainingComplianceViewSet(viewsets.ViewSet):
    """``GET /api/v1/training-compliance/?as_of=YYYY-MM-DD``: the report's JSON body, limited to
    the people the caller may see (director all, supervisor supervisees and self, staff self)."""

    schema = SingleObjectSchema()
    model = TrainingRecord
    serializer_class = TrainingComplianceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("as_of", OpenApiTypes.DATE, description="Date YYYY-MM-DD (default: today).")
        ],
        responses=TrainingComplianceSerializer,
    )
    def list(self, request):
        if not has_role(request.user, Role.DIRECTOR, Role.SUPERVISOR, Role.STAFF):
            raise Http404
        as_of = query_date(request.query_params, "as_of", timezone.localdate())
        report = training_compliance(agency=agency_of(request.user), user=request.user, as_of=as_of)
        return Response(report.data)


router.register("training-events", TrainingEventViewSet, basename="training-event")
router.register("training-records", TrainingRecordViewSet, basename="training-record")
router.register("training-compliance", TrainingComplianceViewSet, basename="training-compliance")
