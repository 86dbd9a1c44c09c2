"""REST API of the supervision module (registered on the shared router under /api/v1/).

- ``supervision-sessions``: list (no notes), detail (notes and action items for readers; each
  such read is logged with channel ``api``), create (the caller leads the session), partial
  update before locking, ``acknowledge`` and ``amend`` actions.
- ``supervision-action-items``: the action items the caller may read; the session's
  supervisor adds them and marks them done.
- ``supervision-plans``: plans (directors write).
- ``supervision-compliance?year=Y``: the monthly compliance rows (same body as the report).
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import router
from core.api.schema import LocalTimeField, SingleObjectSchema
from core.api.viewsets import TenantModelViewSet
from core.confidential import LogsConfidentialReads
from core.models import agency_of
from core.roles import Role, has_role
from staff.models import StaffMember
from supervision import selectors, services
from supervision.models import (
    ActionItem,
    FocusArea,
    SessionAttendance,
    SupervisionPlan,
    SupervisionSession,
)


class StaffRefField(serializers.PrimaryKeyRelatedField):
    """A staff member of the caller's agency, by id."""

    def get_queryset(self):
        request = self.context.get("request")
        return StaffMember.objects.for_agency(agency_of(request.user) if request else None)


class AttendanceSerializer(serializers.ModelSerializer):
    staff = StaffRefField()
    name = serializers.CharField(source="staff.name", read_only=True)

    class Meta:
        model = SessionAttendance
        fields = ["staff", "name", "present", "acknowledged_at"]
        read_only_fields = ["acknowledged_at"]


class ActionItemSerializer(serializers.ModelSerializer):
    owner = StaffRefField(allow_null=True, required=False)
    session = serializers.PrimaryKeyRelatedField(queryset=SupervisionSession.objects.none())

    class Meta:
        model = ActionItem
        fields = ["id", "session", "text", "owner", "due_date", "done", "done_at"]
        read_only_fields = ["done_at"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            fields["session"].queryset = SupervisionSession.objects.for_user(request.user, "change")
        if self.instance is not None:
            fields["session"].read_only = True
        return fields


class SessionSerializer(serializers.ModelSerializer):
    """A session without its confidential content (lists, and readers without the right)."""

    supervisor = serializers.PrimaryKeyRelatedField(read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)
    start_time = LocalTimeField(help_text="HH:MM, local time")
    attendees = AttendanceSerializer(source="attendances", many=True)
    locked = serializers.SerializerMethodField()
    focus_areas = serializers.ListField(
        child=serializers.ChoiceField(choices=FocusArea.choices), required=False
    )
    case_refs = serializers.ListField(child=serializers.CharField(max_length=40), required=False)

    class Meta:
        model = SupervisionSession
        fields = [
            "id",
            "supervisor",
            "supervisor_name",
            "date",
            "start_time",
            "duration_minutes",
            "modality",
            "format",
            "attendees",
            "locked",
            "locked_at",
            "focus_areas",
            "cases_discussed",
            "case_refs",
            "notes",
        ]
        read_only_fields = ["locked_at"]
        # Model rules run once, in the services' full_clean().
        extra_kwargs = {"duration_minutes": {"validators": []}}

    def get_locked(self, obj) -> bool:
        return obj.locked_at is not None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("include_confidential"):
            for name in ("focus_areas", "cases_discussed", "case_refs", "notes"):
                data.pop(name, None)
        return data


class SessionDetailSerializer(SessionSerializer):
    action_items = ActionItemSerializer(many=True, read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "action_items"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("include_confidential"):
            data.pop("action_items", None)
        return data


class AmendSerializer(serializers.Serializer):
    reason = serializers.CharField()
    date = serializers.DateField(required=False)
    start_time = LocalTimeField(required=False, help_text="HH:MM, local time")
    duration_minutes = serializers.IntegerField(required=False)
    modality = serializers.CharField(required=False)
    format = serializers.CharField(required=False)
    focus_areas = serializers.ListField(child=serializers.CharField(), required=False)
    cases_discussed = serializers.IntegerField(required=False, min_value=0)
    case_refs = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class AcknowledgeResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    locked = serializers.BooleanField()
    locked_at = serializers.DateTimeField(allow_null=True)


class SessionFilter(django_filters.FilterSet):
    # ``?format=`` belongs to DRF (renderer choice), so the session format is ``?session_format=``.
    session_format = django_filters.CharFilter(field_name="format")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    locked = django_filters.BooleanFilter(field_name="locked_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = SupervisionSession
        fields = ["modality", "session_format", "supervisor", "date_from", "date_to", "locked"]


def _attendees(data) -> list[services.Attendee]:
    return [services.Attendee(item["staff"], item.get("present", True)) for item in data]


class SessionViewSet(TenantModelViewSet):
    """Supervision sessions you may see: all (directors), those you lead or attended."""

    queryset = SupervisionSession.objects.select_related("supervisor").prefetch_related(
        Prefetch("attendances", queryset=SessionAttendance.objects.select_related("staff"))
    )
    filterset_class = SessionFilter
    search_fields = ["supervisor__name"]  # never the notes
    ordering_fields = ["date", "duration_minutes"]
    ordering = ["-date", "-start_time", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_actions = {"acknowledge": "view", "amend": "change"}
    create_service = services.session_create
    update_service = services.session_update
    update_refusal = gettext_lazy("Change part of a session with PATCH.")
    destroy_refusal = gettext_lazy(
        "Supervision sessions are the supervision record and are never deleted: "
        "correct a locked session with an amendment."
    )

    def get_serializer_class(self):
        if self.action == "amend":
            return AmendSerializer
        if self.action == "retrieve":
            return SessionDetailSerializer
        return SessionSerializer

    def retrieve(self, request, *args, **kwargs):
        session = self.get_object()
        readable = selectors.can_read_notes(request.user, session)
        if readable:
            services.session_notes_read(session=session, user=request.user, channel="api")
        context = {**self.get_serializer_context(), "include_confidential": readable}
        return Response(SessionDetailSerializer(session, context=context).data)

    def create(self, request, *args, **kwargs):
        member = selectors.member_of(request.user)
        if member is None or not has_role(request.user, Role.SUPERVISOR):
            raise PermissionDenied(_("Only a supervisor with a staff record can log a session."))
        serializer = SessionSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = _attendees(data.pop("attendances", []))
        session = self.create_service(
            agency=agency_of(request.user), user=request.user, supervisor=member, attendees=attendees, **data
        )
        context = {**self.get_serializer_context(), "include_confidential": True}
        body = SessionDetailSerializer(self.get_queryset().get(pk=session.pk), context=context).data
        services.session_notes_read(session=session, user=request.user, channel="api")
        body["warnings"] = [str(w) for w in session.warnings]
        return Response(body, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        session = self.get_object()
        serializer = SessionSerializer(
            session, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        attendees = _attendees(data.pop("attendances")) if "attendances" in data else None
        updated = self.update_service(session=session, user=request.user, attendees=attendees, **data)
        context = {**self.get_serializer_context(), "include_confidential": True}
        body = SessionDetailSerializer(self.get_queryset().get(pk=updated.pk), context=context).data
        # The response carries the notes back: a read like GET.
        services.session_notes_read(session=updated, user=request.user, channel="api")
        body["warnings"] = [str(w) for w in updated.warnings]
        return Response(body)

    @extend_schema(request=None, responses=AcknowledgeResultSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The calling supervisee acknowledges the session; the last acknowledgement locks it."""
        session = services.session_acknowledge(session=self.get_object(), user=request.user)
        return Response(
            {"id": session.pk, "locked": session.locked_at is not None, "locked_at": session.locked_at}
        )

    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        """Correct a locked session with a reason; the original values are kept."""
        session = self.get_object()
        serializer = AmendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        amendment = services.session_amend(
            session=session, user=request.user, reason=data.pop("reason"), **data
        )
        # The original and corrected values go back to the caller, notes included.
        services.session_notes_read(session=session, user=request.user, channel="api")
        return Response(
            {
                "id": amendment.pk,
                "reason": amendment.reason,
                "before": amendment.before,
                "after": amendment.after,
            },
            status=status.HTTP_201_CREATED,
        )


class ActionItemViewSet(LogsConfidentialReads, TenantModelViewSet):
    """Action items of the sessions whose notes you may read; their supervisor edits them."""

    queryset = ActionItem.objects.select_related("session", "owner")
    serializer_class = ActionItemSerializer
    filterset_fields = ["done", "session"]
    ordering_fields = ["due_date"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = services.action_item_create
    update_service = services.action_item_update
    update_refusal = gettext_lazy("Change part of an action item with PATCH.")
    destroy_refusal = gettext_lazy(
        "Action items are part of the session's record and are not deleted: mark one done instead."
    )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self.create_service(
            session=data["session"], text=data["text"], owner=data.get("owner"), due_date=data.get("due_date")
        )

    def perform_update(self, serializer):
        data = {
            k: v for k, v in serializer.validated_data.items() if k in ("text", "owner", "due_date", "done")
        }
        serializer.instance = self.update_service(item=serializer.instance, **data)


class PlanSerializer(serializers.ModelSerializer):
    supervisee = StaffRefField()
    supervisor = StaffRefField()
    supervisee_name = serializers.CharField(source="supervisee.name", read_only=True)
    supervisor_name = serializers.CharField(source="supervisor.name", read_only=True)

    class Meta:
        model = SupervisionPlan
        fields = [
            "id",
            "supervisee",
            "supervisee_name",
            "supervisor",
            "supervisor_name",
            "required_minutes",
            "required_individual_minutes",
            "start",
            "end",
        ]
        validators: list = []  # constraints are checked by the service's full_clean()


class PlanEndSerializer(serializers.Serializer):
    end = serializers.DateField(help_text="The plan's last day, YYYY-MM-DD.")


class PlanViewSet(TenantModelViewSet):
    """Supervision plans: directors read and write all; supervisors and staff read their own."""

    queryset = SupervisionPlan.objects.select_related("supervisee", "supervisor")
    serializer_class = PlanSerializer
    filterset_fields = ["supervisee", "supervisor"]
    search_fields = ["supervisee__name", "supervisor__name", "supervisee__staff_no"]
    ordering_fields = ["start", "supervisee__staff_no"]
    required_actions = {"end": "change"}
    create_service = services.plan_create
    update_service = services.plan_update
    destroy_refusal = gettext_lazy(
        "Supervision plans are ended, not deleted: past months' compliance is counted from them. "
        "POST the last day to the plan's end/ action instead."
    )

    def perform_create(self, serializer):
        serializer.instance = self.create_service(
            agency=agency_of(self.request.user), **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = self.update_service(plan=serializer.instance, **serializer.validated_data)

    @extend_schema(request=PlanEndSerializer, responses=PlanSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the plan on the given day (its last day); the plan and its past months stay."""
        plan = self.get_object()
        serializer = PlanEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_end(plan=plan, end=serializer.validated_data["end"])
        return Response(PlanSerializer(plan, context=self.get_serializer_context()).data)


class ComplianceRowSerializer(serializers.Serializer):
    staff_no = serializers.CharField()
    name = serializers.CharField()
    supervisor = serializers.CharField(allow_null=True)
    month = serializers.CharField(help_text="YYYY-MM")
    required_minutes = serializers.IntegerField()
    received_minutes = serializers.IntegerField()
    required_individual_minutes = serializers.IntegerField()
    individual_minutes = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["met", "short"])


class ComplianceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rows = ComplianceRowSerializer(many=True)


class ComplianceViewSet(viewsets.ViewSet):
    """``GET ?year=2025``: monthly compliance rows of the supervisees you may see (docs/metrics.md)."""

    schema = SingleObjectSchema()
    model = SupervisionPlan
    serializer_class = ComplianceSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Calendar year, e.g. 2025 (default: this year).")
        ],
        responses=ComplianceSerializer,
    )
    def list(self, request):
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit():
            raise serializers.ValidationError({"year": [_("Expected a year such as 2025.")]})
        year = int(raw)
        if (message := selectors.compliance_year_error(year)) is not None:
            raise serializers.ValidationError({"year": [message]})
        ids = (
            None if has_role(request.user, Role.DIRECTOR) else selectors.visible_supervisee_ids(request.user)
        )
        rows = selectors.compliance_rows(agency=agency_of(request.user), year=year, supervisee_ids=ids)
        return Response({"year": year, "rows": rows})


router.register("supervision-sessions", SessionViewSet, basename="supervision-session")
router.register("supervision-action-items", ActionItemViewSet, basename="supervision-action-item")
router.register("supervision-plans", PlanViewSet, basename="supervision-plan")
router.register("supervision-compliance", ComplianceViewSet, basename="supervision-compliance")
