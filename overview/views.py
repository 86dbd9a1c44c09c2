"""The home page: the panels every app registers for the user's roles (``core.navigation``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.models import agency_of
from core.navigation import panels_for


@login_required
def home(request):
    if agency_of(request.user) is None:
        return render(request, "overview/no_agency.html", status=403)
    return render(request, "overview/home.html", {"panels": panels_for(request)})
