"""Logins and roles of the caller's agency (directors manage them)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import services
from core.api import router
from core.api.viewsets import TenantModelViewSet
from core.models import Membership, agency_of
from core.roles import Role, user_roles


@extend_schema_field({"anyOf": [{"type": "string", "format": "email"}, {"type": "string", "maxLength": 0}]})
class OptionalEmailField(serializers.EmailField):
    """An email address or empty; the schema says so (a bare ``format: email`` rejects "")."""


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", max_length=150)
    first_name = serializers.CharField(
        source="user.first_name", max_length=150, required=False, allow_blank=True
    )
    last_name = serializers.CharField(
        source="user.last_name", max_length=150, required=False, allow_blank=True
    )
    email = OptionalEmailField(source="user.email", required=False, allow_blank=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})

    class Meta:
        model = Membership
        fields = ["id", "username", "first_name", "last_name", "email", "is_active", "roles", "password"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(user_roles(instance.user))
        return data

    def validate_roles(self, roles):
        unknown = [r for r in roles if r not in Role.values]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown role %(roles)s; choose from %(choices)s.")
                % {"roles": ", ".join(unknown), "choices": ", ".join(Role.values)}
            )
        return roles

    def validate_username(self, username):
        qs = get_user_model().objects.filter(username__iexact=username)
        if self.instance is not None:
            qs = qs.exclude(pk=self.instance.user_id)
        if qs.exists():
            raise serializers.ValidationError(_("This username is taken."))
        return username


class MemberViewSet(TenantModelViewSet):
    """Logins of your agency and their roles. Directors only."""

    queryset = Membership.objects.select_related("user").prefetch_related("user__groups")
    serializer_class = MemberSerializer
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["user__username"]
    create_service = services.member_create
    update_service = services.member_set_roles
    destroy_refusal = gettext_lazy(
        "Logins are not deleted: the records they made name them. Deactivate the login instead."
    )

    def perform_create(self, serializer):
        data = serializer.validated_data
        user_data = data.get("user", {})
        with transaction.atomic():
            user = self.create_service(
                agency=agency_of(self.request.user),
                username=user_data["username"],
                password=data.get("password"),
                roles=data["roles"],
                email=user_data.get("email", ""),
                first_name=user_data.get("first_name", ""),
                last_name=user_data.get("last_name", ""),
            )
        serializer.instance = user.membership

    def perform_update(self, serializer):
        data = serializer.validated_data
        membership = serializer.instance
        if "roles" in data:
            self.update_service(user=membership.user, roles=data["roles"])


router.register("members", MemberViewSet, basename="member")
