"""Reconciliation pages under /finance/reconciliation/ (names prefixed ``finance-``)."""

from django.urls import path

from finance.reconciliation import views

urlpatterns = [
    path("", views.period_list, name="finance-reconciliation"),
    path("periods/<int:pk>/", views.period_detail, name="finance-reconciliation-period"),
    path(
        "periods/<int:pk>/<str:action>/",
        views.period_action,
        name="finance-reconciliation-period-action",
    ),
    path("matches/<int:pk>/<str:action>/", views.match_action, name="finance-reconciliation-match-action"),
    path("lines/<int:pk>/<str:action>/", views.line_action, name="finance-reconciliation-line-action"),
    path("contracts/<int:pk>/pack/", views.contract_pack_page, name="finance-contract-pack"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "finance-reconciliation-period": "finance.ReconciliationPeriod",
    "finance-reconciliation-period-action": "finance.ReconciliationPeriod",
    "finance-reconciliation-match-action": "finance.ReconciliationMatch",
    "finance-reconciliation-line-action": "finance.StatementLine",
    "finance-contract-pack": "finance.Contract",
}
