"""REST API of bank reconciliation (under /api/v1/finance/reconciliation/...).

- ``periods``: list/detail with counts; POST ``{id}/auto-match``, ``{id}/confirm-all``, ``{id}/close``.
- ``statements``: list/detail; POST ``upload`` (multipart: ``file``, ``contract`` code, ``start``,
  ``end``, ``dry_run``).
- ``lines``: list/detail (filters ``period``, ``contract``, ``state``); POST ``{id}/match``
  (``expenditure`` or ``disbursement`` id), ``{id}/explain`` (``note``), ``{id}/unexplain``.
- ``matches``: list/detail; POST ``{id}/confirm``; DELETE ``{id}`` unmatches.

Reads go through ``for_user`` (auditors: granted contracts only); writes need the finance role.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from core.api import router
from core.api.viewsets import TenantModelViewSet, TenantReadOnlyViewSet
from core.roles import Role, has_role
from finance.models import (
    BankStatement,
    Contract,
    Disbursement,
    Expenditure,
    ReconciliationMatch,
    ReconciliationPeriod,
    StatementLine,
)
from finance.reconciliation import selectors, services


def _require_writer(request) -> None:
    if not (has_role(request.user, Role.FINANCE) and request.user.has_perm("finance.add_statementline")):
        raise PermissionDenied()


class PeriodSerializer(serializers.ModelSerializer):
    contract_code = serializers.CharField(source="contract.code", read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    matched_count = serializers.IntegerField(read_only=True)
    explained_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ReconciliationPeriod
        fields = [
            "id", "contract", "contract_code", "start", "end", "status", "closed_by", "closed_at",
            "line_count", "matched_count", "explained_count",
        ]  # fmt: skip
        read_only_fields = fields


class PeriodViewSet(TenantReadOnlyViewSet):
    queryset = ReconciliationPeriod.objects.select_related("contract")
    serializer_class = PeriodSerializer
    filterset_fields = ["contract", "status"]
    ordering_fields = ["start", "end"]
    required_actions = {"auto_match": "change", "confirm_all": "change", "close": "change"}

    def get_queryset(self):
        return selectors.periods_for(self.request.user).order_by("-start", "-id")

    @action(detail=True, methods=["post"], url_path="auto-match")
    def auto_match(self, request, pk=None):
        period = self.get_object()
        _require_writer(request)
        return Response(services.period_auto_match(period=period, user=request.user))

    @action(detail=True, methods=["post"], url_path="confirm-all")
    def confirm_all(self, request, pk=None):
        period = self.get_object()
        _require_writer(request)
        return Response({"confirmed": services.period_confirm_all(period=period, user=request.user)})

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        period = self.get_object()
        _require_writer(request)
        period = services.period_close(period=period, user=request.user)
        return Response(self.get_serializer(selectors.periods_for(request.user).get(pk=period.pk)).data)


class StatementSerializer(serializers.ModelSerializer):
    contract_code = serializers.CharField(source="contract.code", read_only=True)

    class Meta:
        model = BankStatement
        fields = [
            "id", "contract", "contract_code", "period", "import_batch", "file_name", "line_count",
            "duplicate_count", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class StatementViewSet(TenantReadOnlyViewSet):
    queryset = BankStatement.objects.select_related("contract", "period", "created_by")
    serializer_class = StatementSerializer
    filterset_fields = ["contract", "period"]
    required_actions = {"upload": "view"}

    @action(detail=False, methods=["post"])
    def upload(self, request):
        _require_writer(request)
        contract = (
            Contract.objects.for_user(request.user, "change")
            .filter(code=request.data.get("contract", ""))
            .first()
        )
        upload = request.FILES.get("file")
        dates = serializers.DateField()
        errors = {}
        if contract is None:
            errors["contract"] = ["Give the code of a contract you may change."]
        if upload is None:
            errors["file"] = ["Attach the statement file."]
        parsed = {}
        for name in ("start", "end"):
            try:
                parsed[name] = dates.to_internal_value(request.data.get(name, ""))
            except serializers.ValidationError:
                errors[name] = ["Give a date YYYY-MM-DD."]
        if errors:
            raise ValidationError(errors)
        result = services.statement_import(
            contract=contract,
            start=parsed["start"],
            end=parsed["end"],
            data=upload.read(),
            filename=upload.name,
            user=request.user,
            dry_run=str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes"),
        )
        return Response(
            result.as_dict(), status=status.HTTP_200_OK if result.ok else status.HTTP_400_BAD_REQUEST
        )


class MatchSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReconciliationMatch
        fields = [
            "id", "line", "expenditure", "disbursement", "method", "day_difference", "similarity",
            "confirmed", "confirmed_by", "confirmed_at", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class LineSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()
    match = serializers.SerializerMethodField()

    class Meta:
        model = StatementLine
        fields = [
            "id", "contract", "statement", "period", "row_number", "date", "amount", "counterparty",
            "reference", "state", "explanation", "explained_by", "explained_at", "ambiguous", "match",
        ]  # fmt: skip
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return selectors.line_state(obj)

    def get_match(self, obj) -> dict | None:
        match = getattr(obj, "match", None)
        return None if match is None else MatchSerializer(match).data


class LineFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[(s, s) for s in ("matched", "explained", "ambiguous", "unmatched")], method="by_state"
    )
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = StatementLine
        fields = ["contract", "period", "statement"]

    def by_state(self, qs, name, value):
        return selectors.filter_lines(qs, value)


class LineViewSet(TenantReadOnlyViewSet):
    queryset = selectors.lines_queryset(StatementLine.objects.all())
    serializer_class = LineSerializer
    filterset_class = LineFilter
    search_fields = ["counterparty", "reference"]
    ordering_fields = ["date", "amount", "id"]
    required_actions = {"match": "change", "explain": "change", "unexplain": "change"}

    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        line = self.get_object()
        _require_writer(request)
        kwargs = {}
        for name, model in (("expenditure", Expenditure), ("disbursement", Disbursement)):
            raw = request.data.get(name)
            if raw not in (None, ""):
                item = (
                    model.objects.for_user(request.user, "view").filter(pk=raw).first()
                    if str(raw).isdigit()
                    else None
                )
                if item is None:
                    raise ValidationError({name: ["Unknown entry."]})
                kwargs[name] = item
        match = services.match_create(line=line, user=request.user, **kwargs)
        return Response(MatchSerializer(match).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def explain(self, request, pk=None):
        line = self.get_object()
        _require_writer(request)
        line = services.line_explain(line=line, note=str(request.data.get("note", "")), user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=line.pk)).data)

    @action(detail=True, methods=["post"])
    def unexplain(self, request, pk=None):
        line = self.get_object()
        _require_writer(request)
        line = services.line_unexplain(line=line, user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=line.pk)).data)


class MatchViewSet(TenantModelViewSet):
    """Matches of statement lines to book entries. DELETE undoes a match while its period is
    open (the line and the expenditure stay; history keeps the match); a closed period's
    matches answer 400."""

    queryset = ReconciliationMatch.objects.select_related("line")
    serializer_class = MatchSerializer
    filterset_fields = ["contract", "confirmed", "method"]
    required_actions = {"confirm": "change", "destroy": "change"}
    destroy_service = services.match_remove

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        match = self.get_object()
        _require_writer(request)
        return Response(self.get_serializer(services.match_confirm(match=match, user=request.user)).data)

    def perform_destroy(self, instance):
        _require_writer(self.request)
        self.destroy_service(match=instance, user=self.request.user)


router.register("finance/reconciliation/periods", PeriodViewSet, basename="finance-reconciliation-period")
router.register(
    "finance/reconciliation/statements", StatementViewSet, basename="finance-reconciliation-statement"
)
router.register("finance/reconciliation/lines", LineViewSet, basename="finance-reconciliation-line")
router.register("finance/reconciliation/matches", MatchViewSet, basename="finance-reconciliation-match")
