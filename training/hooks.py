"""What training contributes to pages of other apps (``core.registries``): the link to the
user's own continuing-education transcript on the Reports page (staff role only)."""

from __future__ import annotations

from django.urls import reverse

from core.registries import report_section
from core.roles import Role, user_roles
from staff.selectors import member_of


def own_transcript_url(user) -> str | None:
    """The training transcript page of the user's own staff record (staff role only)."""
    if Role.STAFF not in user_roles(user):
        return None
    member = member_of(user)
    return reverse("training-transcript", args=[member.pk]) if member else None


@report_section(order=10)
def own_transcript_section(request):
    url = own_transcript_url(request.user)
    return {"template": "training/report_transcript.html", "url": url} if url else None
