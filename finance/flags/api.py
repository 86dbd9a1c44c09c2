"""REST API of the flags (``/api/v1/finance/flags/``): list, detail, ``triage`` and ``assign``.

Reading needs ``view_flag`` (directors, finance officers; auditors for granted contracts);
``triage`` and ``assign`` need the flag in ``for_user(user, "change")`` (directors and finance
officers). Messages are rendered in the caller's language.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.api import router
from core.api.viewsets import TenantReadOnlyViewSet
from core.models import agency_of
from finance.flags import services
from finance.flags.extensions import rule_for
from finance.flags.filters import FlagFilter
from finance.models import Flag, FlagStatus


class FlagSerializer(serializers.ModelSerializer):
    contracts = serializers.ListField(source="contract_codes", child=serializers.CharField(), read_only=True)
    budget_line = serializers.SerializerMethodField()
    message = serializers.CharField(source="text", read_only=True)
    rule_title = serializers.SerializerMethodField()
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Flag
        fields = [
            "id", "rule", "rule_title", "severity", "contracts", "budget_line", "vouchers", "message",
            "evidence", "status", "active", "assignee", "note", "first_seen", "last_seen", "status_changed_at",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        request = self.context.get("request")
        if request is not None:
            instance.redact_for(request.user)
        return super().to_representation(instance)

    def get_budget_line(self, obj) -> str | None:
        return obj.line_code or None

    def get_rule_title(self, obj) -> str:
        rule = rule_for(obj.rule)
        return str(rule.title) if rule else obj.rule


class FlagDetailSerializer(FlagSerializer):
    events = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()
    rule_description = serializers.SerializerMethodField()

    class Meta(FlagSerializer.Meta):
        fields = [*FlagSerializer.Meta.fields, "rule_description", "events", "attachments"]
        read_only_fields = fields

    def get_rule_description(self, obj) -> str:
        rule = rule_for(obj.rule)
        return str(rule.description) if rule else ""

    def get_events(self, obj) -> list:
        return [
            {
                "kind": e.kind,
                "from": e.from_status,
                "to": e.to_status,
                "assignee": e.assignee.username if e.assignee else None,
                "note": e.note,
                "by": e.user.username if e.user else None,
                "at": e.at.isoformat(),
            }
            for e in obj.events.all()
        ]

    def get_attachments(self, obj) -> list:
        return [
            {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size}
            for a in obj.attachments.all()
        ]


class TriageSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=FlagStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.FileField(
        required=False,
        help_text=gettext_lazy(
            "PDF, PNG or JPEG. Required to explain a flag that has no evidence attached yet."
        ),
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="username")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FlagViewSet(TenantReadOnlyViewSet):
    queryset = Flag.objects.select_related("assignee")
    serializer_class = FlagSerializer
    filterset_class = FlagFilter
    search_fields = ["rule", "subject"]
    ordering_fields = ["severity", "rule", "status", "first_seen", "sort_key"]
    ordering = ["severity", "rule", "sort_key", "id"]
    required_actions = {"triage": "change", "assign": "change"}
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "retrieve":
            qs = qs.prefetch_related("events__user", "events__assignee", "attachments")
        return qs

    def get_serializer_class(self):
        if self.action == "retrieve":
            return FlagDetailSerializer
        if self.action == "triage":
            return TriageSerializer
        if self.action == "assign":
            return AssignSerializer
        return FlagSerializer

    @action(detail=True, methods=["post"])
    def triage(self, request, pk=None):
        flag = self.get_object()
        data = TriageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_set_status(
            flag=flag,
            user=request.user,
            status=data.validated_data["status"],
            note=data.validated_data.get("note", ""),
            evidence=data.validated_data.get("evidence"),
        )
        return Response(
            FlagDetailSerializer(self.get_queryset().get(pk=flag.pk), context={"request": request}).data
        )

    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        flag = self.get_object()
        data = AssignSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        username = data.validated_data.get("assignee")
        assignee = None
        if username:
            assignee = (
                get_user_model()
                .objects.filter(username=username, membership__agency=agency_of(request.user))
                .first()
            )
            if assignee is None:
                raise ValidationError({"assignee": _("Unknown user.")})
        flag = services.flag_assign(
            flag=flag, user=request.user, assignee=assignee, note=data.validated_data.get("note", "")
        )
        return Response(
            FlagDetailSerializer(self.get_queryset().get(pk=flag.pk), context={"request": request}).data
        )


router.register("finance/flags", FlagViewSet, basename="finance-flag")
