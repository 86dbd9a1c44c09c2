"""Logins and roles of the caller's agency (directors manage them).

POST without a password invites the person (the answer carries their one-time link); PATCH
``is_active`` deactivates or reactivates a login through ``core.services``.
"""

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
from core.invitations import invitation_path
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
    is_active = serializers.BooleanField(
        source="user.is_active",
        required=False,
        help_text=_("false deactivates the login: its sessions and API tokens end at once."),
    )
    roles = serializers.ListField(child=serializers.CharField(max_length=20), min_length=1)
    password = serializers.CharField(
        write_only=True,
        required=False,
        style={"input_type": "password"},
        help_text=_("Leave out to invite: the answer then carries a one-time link to set a password."),
    )
    invitation_url = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "roles",
            "password",
            "invitation_url",
        ]

    def get_invitation_url(self, instance) -> str | None:
        """Only in the answer that created an invited person (a link is a secret)."""
        return self.context.get("invitation_url", {}).get(instance.pk)

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
        if self.instance is not None:
            if username != self.instance.user.username:
                raise serializers.ValidationError(_("A username cannot be changed."))
            return username
        # One message whether the name is used here or in another agency (see core.services).
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise serializers.ValidationError(_("This username cannot be used; choose another one."))
        return username


class MemberViewSet(TenantModelViewSet):
    """Logins of your agency and their roles. Directors only."""

    queryset = Membership.objects.select_related("user").prefetch_related("user__groups")
    serializer_class = MemberSerializer
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    ordering_fields = ["user__username"]
    # A login with a password is created, one without is invited (member_invite); a change
    # goes through member_update, member_set_roles and member_(de/re)activate.
    create_service = services.member_create
    update_service = services.member_update
    destroy_refusal = gettext_lazy(
        "Logins are not deleted: the records they made name them. Deactivate the login instead."
    )

    def perform_create(self, serializer):
        data = serializer.validated_data
        user_data = data.get("user", {})
        fields = {
            "agency": agency_of(self.request.user),
            "username": user_data["username"],
            "roles": data["roles"],
            "email": user_data.get("email", ""),
            "first_name": user_data.get("first_name", ""),
            "last_name": user_data.get("last_name", ""),
        }
        with transaction.atomic():
            if data.get("password"):
                user = self.create_service(password=data["password"], **fields)
            else:
                user = services.member_invite(by=self.request.user, **fields)
                url = self.request.build_absolute_uri(invitation_path(user))
                services.invitation_send(user=user, url=url)
                serializer.context["invitation_url"] = {user.membership.pk: url}
        serializer.instance = user.membership

    def perform_update(self, serializer):
        data = serializer.validated_data
        user = serializer.instance.user
        user_data = data.get("user", {})
        with transaction.atomic():
            if "roles" in data:
                if user == self.request.user and Role.DIRECTOR not in data["roles"]:
                    raise serializers.ValidationError(
                        {"roles": [_("You cannot remove your own director role.")]}
                    )
                services.member_set_roles(user=user, roles=data["roles"])
            names = {key: user_data[key] for key in ("first_name", "last_name", "email") if key in user_data}
            if names:
                self.update_service(user=user, **names)
            if "is_active" in user_data and user_data["is_active"] != user.is_active:
                if user_data["is_active"]:
                    services.member_reactivate(user=user, by=self.request.user)
                else:
                    services.member_deactivate(user=user, by=self.request.user)
        serializer.instance.user.refresh_from_db()


router.register("members", MemberViewSet, basename="member")
