"""Flag pages under /finance/flags/ (names prefixed ``finance-flag``)."""

from django.urls import path

from finance.flags import views

urlpatterns = [
    path("", views.flag_list, name="finance-flag-list"),
    path("bulk/", views.flag_bulk, name="finance-flag-bulk"),
    path("<int:pk>/", views.flag_detail, name="finance-flag-detail"),
    path("<int:pk>/triage/", views.flag_triage, name="finance-flag-triage"),
    path("<int:pk>/assign/", views.flag_assign, name="finance-flag-assign"),
    path("evidence/<int:pk>/", views.evidence_download, name="finance-flag-evidence"),
    path("contract/<int:pk>/", views.contract_summary, name="finance-flag-contract"),
    path("contract/<int:pk>/policy/", views.contract_policy, name="finance-contract-policy"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "finance-flag-detail": "finance.Flag",
    "finance-flag-triage": "finance.Flag",
    "finance-flag-assign": "finance.Flag",
    "finance-flag-evidence": "finance.FlagEvidence",
    "finance-flag-contract": "finance.Contract",
    "finance-contract-policy": "finance.Contract",
}
