"""Finance pages under /finance/ (names prefixed ``finance-``)."""

from importlib.util import find_spec

from django.urls import include, path

from finance import views

urlpatterns = [
    path("", views.contract_list, name="finance-contract-list"),
    path("contracts/new/", views.contract_form, name="finance-contract-create"),
    path("contracts/load/", views.contract_upload, name="finance-contract-upload"),
    path("contracts/<int:pk>/", views.contract_detail, name="finance-contract-detail"),
    path("contracts/<int:pk>/edit/", views.contract_form, name="finance-contract-update"),
    path("contracts/<int:pk>/assign/", views.assignment_add, name="finance-assignment-add"),
    path("contracts/<int:pk>/disbursements/new/", views.disbursement_add, name="finance-disbursement-add"),
    path("contracts/<int:pk>/revisions/new/", views.revision_propose, name="finance-revision-propose"),
    path("contracts/<int:pk>/expenditures/new/", views.expenditure_add, name="finance-expenditure-add"),
    path("contracts/<int:pk>/auditors/", views.grants, name="finance-grants"),
    path("revisions/<int:pk>/decide/", views.revision_decide, name="finance-revision-decide"),
    path("ledger/", views.ledger, name="finance-ledger"),
    path("ledger/import/", views.ledger_import, name="finance-import"),
    path("ledger/imports/<int:pk>/", views.import_detail, name="finance-import-detail"),
    path("import-templates/<slug:kind>.<slug:fmt>", views.import_template, name="finance-import-template"),
    path("expenditures/<int:pk>/void/", views.expenditure_void, name="finance-expenditure-void"),
    path("expenditures/<int:pk>/reverse/", views.expenditure_reverse, name="finance-expenditure-reverse"),
]

# The flags pages (finance/flags/urls.py) belong to the flags work; included once they exist.
if find_spec("finance.flags") is not None and find_spec("finance.flags.urls") is not None:
    urlpatterns.append(path("flags/", include("finance.flags.urls")))
urlpatterns.append(path("reconciliation/", include("finance.reconciliation.urls")))

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "finance-contract-detail": "finance.Contract",
    "finance-contract-update": "finance.Contract",
    "finance-assignment-add": "finance.Contract",
    "finance-disbursement-add": "finance.Contract",
    "finance-revision-propose": "finance.Contract",
    "finance-expenditure-add": "finance.Contract",
    "finance-grants": "finance.Contract",
    "finance-revision-decide": "finance.BudgetRevision",
    "finance-import-detail": "core.ImportBatch",
    "finance-expenditure-void": "finance.Expenditure",
    "finance-expenditure-reverse": "finance.Expenditure",
}
