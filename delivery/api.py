"""REST API: targets with their progress, service activity records, and activity imports.

Every list is ``for_user``: auditors read targets (with progress) of granted contracts only and
never activity records; writes go through the services (a viewset names its service): directors
add and change targets (``target_create``/``target_update``, a revision each), staff record
their own activities.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import router
from core.api.viewsets import TenantModelViewSet, TenantReadOnlyViewSet
from core.models import ImportBatch, agency_of
from core.roles import Role, has_role
from delivery import selectors, services
from delivery.importing import activities_import
from delivery.models import ServiceActivity, Target
from finance.models import Contract
from staff.models import StaffMember


class TargetListSerializer(serializers.ListSerializer):
    """A page of targets with the progress of all of them from one query, whatever the number of
    contracts they span (``selectors.targets_progress``)."""

    def to_representation(self, data):
        targets = list(data.all() if hasattr(data, "all") else data)
        self.context.setdefault("target_progress", {}).update(selectors.targets_progress(targets))
        return super().to_representation(targets)


class TargetSerializer(serializers.ModelSerializer):
    """A target with its progress; directors write ``contract`` (code, on creation only),
    ``code``, ``name``, ``measure``, ``quantity`` and the ``reason`` kept with the revision."""

    contract = serializers.SlugRelatedField(slug_field="code", queryset=Contract.objects.none())
    reason = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Why the target is added or changed; required to change one."),
    )
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Target
        list_serializer_class = TargetListSerializer
        fields = ["id", "contract", "code", "name", "measure", "quantity", "reason", "progress"]
        read_only_fields = ["id", "progress"]
        # PostgreSQL's integer column, so an absurd quantity is a 400, not a database error.
        extra_kwargs = {"quantity": {"max_value": 2_147_483_647}}
        # The model's constraints (full_clean in the services) are the one source of these rules.
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["contract"].queryset = Contract.objects.for_user(request.user, "view")

    def validate_contract(self, value):
        if self.instance is not None and value != self.instance.contract:
            raise serializers.ValidationError(_("A target stays with its contract; add one to the other."))
        return value

    def get_progress(self, obj) -> dict:
        # A list page's progress is computed for all its targets at once (TargetListSerializer).
        cache = self.context.setdefault("target_progress", {})
        if obj.pk not in cache:
            cache.update(selectors.targets_progress([obj]))
        progress = cache[obj.pk]
        return {
            k: v for k, v in progress.as_json().items() if k not in ("code", "name", "measure", "quantity")
        }


class TargetViewSet(TenantModelViewSet):
    """Targets and their progress as of today (or the contract end); directors add and change
    them (each change kept as a revision with its reason). Targets are never deleted: their
    service records and progress rest on them."""

    queryset = Target.objects.select_related("contract")
    serializer_class = TargetSerializer
    filterset_fields = ["code", "measure"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = services.target_create
    update_service = services.target_update
    update_refusal = gettext_lazy("Change part of a target with PATCH, giving the reason.")
    destroy_refusal = gettext_lazy(
        "Targets are not deleted: their service records and progress rest on them. Change the "
        "quantity with a reason instead, or load a contract file without a target that has no records."
    )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self.create_service(
            contract=data["contract"],
            spec=services.TargetSpec(data["code"], data["name"], data["measure"], data["quantity"]),
            user=self.request.user,
            reason=data.get("reason", ""),
        )

    def perform_update(self, serializer):
        target, data = serializer.instance, serializer.validated_data
        spec = services.TargetSpec(
            data.get("code", target.code),
            data.get("name", target.name),
            data.get("measure", target.measure),
            data.get("quantity", target.quantity),
        )
        self.update_service(target=target, spec=spec, user=self.request.user, reason=data.get("reason", ""))
        serializer.instance = target


class ActivitySerializer(serializers.ModelSerializer):
    contract = serializers.CharField(source="contract.code", read_only=True)
    staff_no = serializers.CharField(
        source="staff.staff_no",
        required=False,
        help_text=gettext_lazy(
            "Whose work it is. Left out, the caller's own record; a director may name anyone of the "
            "agency. Fixed once recorded."
        ),
    )
    target = serializers.PrimaryKeyRelatedField(queryset=Target.objects.none())

    class Meta:
        model = ServiceActivity
        fields = [
            "id", "activity_no", "contract", "date", "staff_no", "target", "duration_minutes", "case_code",
            "participants", "location", "note", "source", "created_at",
        ]  # fmt: skip
        read_only_fields = ["activity_no", "contract", "source", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["target"].queryset = Target.objects.for_user(request.user, "view")


class ActivityViewSet(TenantModelViewSet):
    """Service records: create (as the caller's own record) and correct; never deleted, because
    target progress and the delivery flags rest on them (a correction keeps its history)."""

    queryset = ServiceActivity.objects.select_related("contract", "staff", "target")
    serializer_class = ActivitySerializer
    filterset_fields = ["date", "target"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    create_service = services.activity_create
    update_service = services.activity_update
    update_refusal = gettext_lazy("Correct part of a service record with PATCH.")
    destroy_refusal = gettext_lazy(
        "Service records are kept: target progress and the flags rest on them. Correct the record "
        "instead, or ask a director to confirm its flag."
    )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        staff_no = (data.pop("staff", None) or {}).get("staff_no")
        user = self.request.user
        if staff_no is None:
            member = getattr(user, "staff_member", None)
            if member is None:
                raise PermissionDenied(
                    _(
                        "Your login is not linked to a staff record; a director names the staff member (staff_no)."
                    )
                )
        else:
            member = StaffMember.objects.for_agency(agency_of(user)).filter(staff_no=staff_no.strip()).first()
            if member is None:
                raise ValidationError(
                    {"staff_no": [_("There is no staff member %(no)s.") % {"no": staff_no}]}
                )
        serializer.instance = self.create_service(staff=member, user=user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        staff = data.pop("staff", None)
        if staff is not None and staff.get("staff_no") != serializer.instance.staff.staff_no:
            raise ValidationError(
                {
                    "staff_no": [
                        _("Whose work a record is cannot change; record it again for the right person.")
                    ]
                }
            )
        serializer.instance = self.update_service(
            activity=serializer.instance, user=self.request.user, **data
        )


class ActivityImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "target",
            "file_name",
            "status",
            "row_count",
            "errors",
            "summary",
            "created_at",
        ]
        read_only_fields = fields


class ActivityImportViewSet(TenantReadOnlyViewSet):
    """Activity imports (``kind=activities``); POST ``upload`` with ``file``, ``contract`` (code), ``dry_run``."""

    queryset = ImportBatch.objects.filter(kind="activities").select_related("created_by")
    serializer_class = ActivityImportBatchSerializer
    required_actions = {"upload": "view"}

    def get_queryset(self):
        if not has_role(self.request.user, Role.DIRECTOR):
            return ImportBatch.objects.none()
        return super().get_queryset()

    @action(detail=False, methods=["post"])
    def upload(self, request):
        if not has_role(request.user, Role.DIRECTOR) or not request.user.has_perm(
            "delivery.add_serviceactivity"
        ):
            raise PermissionDenied()
        contract = (
            Contract.objects.for_user(request.user, "view")
            .filter(code=request.data.get("contract", ""))
            .first()
        )
        upload = request.FILES.get("file")
        if contract is None or upload is None:
            raise ValidationError({"contract": _("Give the code of a contract of the agency, and a file.")})
        result = activities_import(
            contract=contract,
            data=upload.read(),
            filename=upload.name,
            user=request.user,
            dry_run=str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes"),
        )
        return Response(
            result.as_dict(), status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST
        )


router.register("delivery/targets", TargetViewSet, basename="delivery-target")
router.register("delivery/activities", ActivityViewSet, basename="delivery-activity")
router.register("delivery/imports", ActivityImportViewSet, basename="delivery-import")
