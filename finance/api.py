"""REST API of the finance module (under /api/v1/finance/...).

Contracts, budget lines (read), revisions (propose; ``approve``/``reject`` for directors),
disbursements, assignments, expenditures (list/create; ``void`` and ``reverse`` actions, never
delete) and ledger imports (list; ``upload`` with ``dry_run``). Every queryset goes through
``for_user``: auditors see only granted contracts, other roles nothing.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import router
from core.api.pagination import KeysetPagination
from core.api.viewsets import TenantModelViewSet, TenantReadOnlyViewSet
from core.models import ImportBatch, agency_of
from core.roles import Role, has_role
from finance import services
from finance.models import (
    BudgetLine,
    BudgetRevision,
    Contract,
    Disbursement,
    Expenditure,
    Funder,
    StaffAssignment,
)
from finance.selectors import finance_imports_for
from staff.models import StaffMember


class AgencyScopedField(serializers.PrimaryKeyRelatedField):
    """A related record the caller may write to (its agency, its role rules)."""

    def __init__(self, model, action="view", **kw):
        self.model = model
        self.scope_action = action
        super().__init__(**kw)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.model.objects.none()
        if self.model is StaffMember:
            return StaffMember.objects.for_agency(agency_of(request.user))
        return self.model.objects.for_user(request.user, self.scope_action)


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "contract", "code", "name", "category", "amount", "approved_amount"]
        read_only_fields = fields


class LineInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=BudgetLine._meta.get_field("category").choices)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class ContractSerializer(serializers.ModelSerializer):
    funder_name = serializers.CharField(write_only=True, required=False)
    funder = serializers.CharField(source="funder.name", read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    lines = LineInputSerializer(many=True, write_only=True, required=False)
    effective_policy = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id", "code", "title", "funder", "funder_name", "start", "end", "total", "currency", "status",
            "policy", "effective_policy", "budget_lines", "lines",
        ]  # fmt: skip

    def get_effective_policy(self, obj) -> dict:
        return {
            k: (str(v) if v is not None and not isinstance(v, int | list | str | dict) else v)
            for k, v in obj.effective_policy().items()
        }

    def validate(self, attrs):
        if self.instance is None and not attrs.get("funder_name"):
            raise serializers.ValidationError({"funder_name": _("This field is required.")})
        return attrs


class ContractViewSet(TenantModelViewSet):
    """Contracts. POST creates one with its budget (``lines``); PATCH changes the heading and,
    with ``lines``, proposes a budget revision, all in one transaction (``contract_save``):
    a refused budget leaves the heading as it was."""

    queryset = Contract.objects.select_related("funder").prefetch_related("budget_lines")
    serializer_class = ContractSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["status", "code"]
    search_fields = ["code", "title", "funder__name"]
    ordering_fields = ["code", "start", "end", "total"]
    create_service = services.contract_save
    update_service = services.contract_save
    update_refusal = gettext_lazy("Change part of a contract with PATCH.")
    destroy_refusal = gettext_lazy(
        "Contracts are never deleted: their ledger, disbursements and reports rely on them. "
        "Set the status to closed instead."
    )

    def _save(self, data: dict, contract: Contract | None):
        lines = data.pop("lines", None)
        if contract is not None:
            data.pop("code", None)
            data.pop("total", None)  # the total changes only through a budget revision
        return self.create_service(
            agency=self.agency,
            contract=contract,
            lines=None if lines is None else [services.LineSpec(**line) for line in lines],
            user=self.request.user,
            reason=_("Budget lines changed through the API"),
            **data,
        ).contract

    def perform_create(self, serializer):
        serializer.instance = self._save(dict(serializer.validated_data), None)

    def perform_update(self, serializer):
        serializer.instance = self._save(dict(serializer.validated_data), serializer.instance)


class BudgetLineViewSet(TenantReadOnlyViewSet):
    queryset = BudgetLine.objects.select_related("contract")
    serializer_class = BudgetLineSerializer
    filterset_fields = ["contract", "category"]


class RevisionSerializer(serializers.ModelSerializer):
    contract = AgencyScopedField(Contract, "change")
    deltas = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2), write_only=True
    )
    lines = serializers.SerializerMethodField()

    class Meta:
        model = BudgetRevision
        fields = [
            "id", "contract", "reason", "status", "source", "total_change", "deltas", "lines",
            "proposed_by", "proposed_at", "approved_by", "approved_at", "decision_note",
        ]  # fmt: skip
        read_only_fields = [
            "status",
            "source",
            "total_change",
            "proposed_by",
            "proposed_at",
            "approved_by",
            "approved_at",
            "decision_note",
        ]

    def get_lines(self, obj) -> list:
        return [{"code": item.budget_line.code, "delta": f"{item.delta:.2f}"} for item in obj.lines.all()]


class RevisionViewSet(TenantModelViewSet):
    queryset = BudgetRevision.objects.select_related("contract").prefetch_related("lines__budget_line")
    serializer_class = RevisionSerializer
    filterset_fields = ["contract", "status"]
    required_actions = {"approve": "change", "reject": "change"}
    create_service = services.revision_propose
    update_refusal = gettext_lazy("A revision is not edited: a director approves or rejects it.")
    destroy_refusal = gettext_lazy("Revisions are the budget's history and are never deleted.")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = self.create_service(
            contract=data["contract"], reason=data["reason"], deltas=data["deltas"], user=self.request.user
        )

    def _decide(self, request, approve: bool):
        revision = self.get_object()
        try:
            revision = services.revision_decide(
                revision=revision, user=request.user, approve=approve, note=str(request.data.get("note", ""))
            )
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from exc
        return Response(self.get_serializer(revision).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


class DisbursementSerializer(serializers.ModelSerializer):
    contract = AgencyScopedField(Contract, "change")

    class Meta:
        model = Disbursement
        fields = ["id", "contract", "date", "amount", "reference"]


class DisbursementViewSet(TenantModelViewSet):
    queryset = Disbursement.objects.select_related("contract")
    serializer_class = DisbursementSerializer
    filterset_fields = ["contract"]
    create_service = services.disbursement_create
    destroy_refusal = gettext_lazy(
        "Money received is never deleted: the cash position and the funder pack count it."
    )


class AssignmentSerializer(serializers.ModelSerializer):
    contract = AgencyScopedField(Contract, "change")
    staff = AgencyScopedField(StaffMember)
    staff_no = serializers.CharField(source="staff.staff_no", read_only=True)

    class Meta:
        model = StaffAssignment
        fields = ["id", "contract", "staff", "staff_no", "start", "end", "fte"]


class AssignmentViewSet(TenantModelViewSet):
    queryset = StaffAssignment.objects.select_related("contract", "staff")
    serializer_class = AssignmentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]
    filterset_fields = ["contract", "staff"]
    create_service = services.assignment_create
    update_service = services.assignment_update
    update_refusal = gettext_lazy("Change part of an assignment with PATCH.")
    destroy_refusal = gettext_lazy(
        "Assignments are not deleted: the personnel rules check salaries against them. "
        "End the assignment earlier instead."
    )

    def perform_update(self, serializer):
        serializer.instance = self.update_service(assignment=serializer.instance, **serializer.validated_data)


class ExpenditureFilter(django_filters.FilterSet):
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")
    payee = django_filters.CharFilter(lookup_expr="icontains")
    line = django_filters.CharFilter(field_name="budget_line__code")

    class Meta:
        model = Expenditure
        fields = ["contract", "budget_line", "status", "payment_method", "source"]


class ExpenditureSerializer(serializers.ModelSerializer):
    contract = AgencyScopedField(Contract, "change")
    budget_line = AgencyScopedField(BudgetLine, "change")
    staff = AgencyScopedField(StaffMember, required=False, allow_null=True)
    contract_code = serializers.CharField(source="contract.code", read_only=True)
    line_code = serializers.CharField(source="budget_line.code", read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Expenditure
        fields = [
            "id", "contract", "contract_code", "budget_line", "line_code", "date", "amount", "payee",
            "description", "invoice_no", "payment_method", "voucher_no", "staff", "posted_on", "status",
            "void_reason", "reversal_of", "source", "import_batch", "created_at", "warnings",
        ]  # fmt: skip
        read_only_fields = ["status", "void_reason", "reversal_of", "source", "import_batch", "created_at"]
        validators = []  # the model's constraints are checked by full_clean() in the service
        extra_kwargs = {"voucher_no": {"required": False}, "invoice_no": {"required": False}}

    def get_warnings(self, obj) -> list[str]:
        return list(getattr(obj, "_warnings", []))


class ExpenditureViewSet(TenantModelViewSet):
    """The ledger. Lists use keyset (cursor) pagination: a contract may hold a million rows,
    and counting them for page numbers would be the slowest part of every request."""

    queryset = Expenditure.objects.select_related("contract", "budget_line")
    serializer_class = ExpenditureSerializer
    pagination_class = KeysetPagination
    filterset_class = ExpenditureFilter
    search_fields = ["payee", "description", "voucher_no", "invoice_no"]
    ordering_fields = ["date", "amount", "payee", "voucher_no", "id"]
    required_actions = {"void": "change", "reverse": "change"}
    create_service = services.expenditure_post
    update_refusal = gettext_lazy(
        "A posted expenditure is never changed in place: void it with a reason, or post a reversal."
    )
    destroy_refusal = gettext_lazy(
        "Posted expenditures are never deleted: void one with a reason, or post a reversal."
    )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        result = self.create_service(user=self.request.user, **data)
        result.expenditure._warnings = result.warnings
        serializer.instance = result.expenditure

    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        expenditure = services.expenditure_void(
            expenditure=self.get_object(), reason=str(request.data.get("reason", "")), user=request.user
        )
        return Response(self.get_serializer(expenditure).data)

    @action(detail=True, methods=["post"])
    def reverse(self, request, pk=None):
        result = services.expenditure_reverse(
            expenditure=self.get_object(), user=request.user, reason=str(request.data.get("reason", ""))
        )
        return Response(self.get_serializer(result.expenditure).data, status=status.HTTP_201_CREATED)


class ImportBatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportBatch
        fields = [
            "id",
            "kind",
            "target",
            "file_name",
            "sha256",
            "status",
            "row_count",
            "errors",
            "summary",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class LedgerImportViewSet(TenantReadOnlyViewSet):
    """Ledger imports (``kind=ledger``); POST ``upload`` with ``file``, ``contract`` (code), ``dry_run``."""

    queryset = ImportBatch.objects.filter(kind="ledger").select_related("created_by")
    serializer_class = ImportBatchSerializer
    required_actions = {"upload": "view"}

    def get_queryset(self):
        # Auditors read the imports of the contracts granted to them (docs/roles.md), nothing else.
        visible = finance_imports_for(self.request.user, kinds=("ledger",)).values("pk")
        return super().get_queryset().filter(pk__in=visible)

    @action(detail=False, methods=["post"])
    def upload(self, request):
        if not has_role(request.user, Role.FINANCE) or not request.user.has_perm("finance.add_expenditure"):
            raise PermissionDenied()
        contract = (
            Contract.objects.for_user(request.user, "change")
            .filter(code=request.data.get("contract", ""))
            .first()
        )
        upload = request.FILES.get("file")
        if contract is None or upload is None:
            raise ValidationError({"contract": _("Give the code of a contract you keep, and a file.")})
        result = services.ledger_import(
            contract=contract,
            data=upload.read(),
            filename=upload.name,
            user=request.user,
            dry_run=str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes"),
        )
        return Response(
            result.as_dict(), status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST
        )


class FunderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Funder
        fields = ["id", "name"]


class FunderViewSet(TenantReadOnlyViewSet):
    queryset = Funder.objects.all()
    serializer_class = FunderSerializer


router.register("finance/funders", FunderViewSet, basename="finance-funder")
router.register("finance/contracts", ContractViewSet, basename="finance-contract")
router.register("finance/budget-lines", BudgetLineViewSet, basename="finance-budget-line")
router.register("finance/revisions", RevisionViewSet, basename="finance-revision")
router.register("finance/disbursements", DisbursementViewSet, basename="finance-disbursement")
router.register("finance/assignments", AssignmentViewSet, basename="finance-assignment")
router.register("finance/expenditures", ExpenditureViewSet, basename="finance-expenditure")
router.register("finance/imports", LedgerImportViewSet, basename="finance-import")
import finance.flags.api  # noqa: E402  (registers /api/v1/finance/flags/)
import finance.reconciliation.api  # noqa: E402, F401  (registers the reconciliation viewsets)
