from django.urls import path

from overview import report_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("reports/", report_views.reports_page, name="reports"),
    path("reports/<slug:kind>/", report_views.report_download, name="report-download"),
]
