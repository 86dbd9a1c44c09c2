"""URL map: pages per app, the REST API under /api/v1/, the schema and Swagger UI."""

from importlib import import_module

from django.contrib import admin
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated

from core import account_views
from core.api import router
from core.api.auth import LogoutAllView, LogoutView, TokenDetailView, TokenListView, TokenView

DOMAIN_APPS = ["core", "staff", "training", "supervision", "finance", "delivery"]

# Each app registers its viewsets on the shared router in its api module.
import_module("core.api.members")
import_module("core.api.jobs")
for _app in DOMAIN_APPS[1:]:
    if module_has_submodule(import_module(_app), "api"):
        import_module(f"{_app}.api")

urlpatterns = [
    # The header's language menu also stores a signed-in person's choice (core.account_views).
    path("i18n/setlang/", account_views.language_switch, name="set_language"),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/auth/tokens/", TokenListView.as_view(), name="api-tokens"),
    path("api/v1/auth/tokens/<str:token_id>/", TokenDetailView.as_view(), name="api-token-detail"),
    path("api/v1/auth/logout/", LogoutView.as_view(), name="api-logout"),
    path("api/v1/auth/logout-all/", LogoutAllView.as_view(), name="api-logout-all"),
    path("api/v1/", include(router.urls)),
    # The schema maps every endpoint and filter: signed-in users only, in every mode.
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[IsAuthenticated]),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

urlpatterns += [
    path("", include("core.urls")),
    path("", include("overview.urls")),  # home page and the Reports page
    *[
        path(f"{app}/", include(f"{app}.urls"))
        for app in DOMAIN_APPS[1:]
        if module_has_submodule(import_module(app), "urls")
    ],
]

# Uploaded and generated files are never served from MEDIA_URL, not even with DEBUG on: each is
# served by a view that checks the reader's access (report files, scans, evidence).

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
