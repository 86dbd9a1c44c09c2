"""Delivery pages under /delivery/ (names prefixed ``delivery-``)."""

from django.urls import path

from delivery import views

urlpatterns = [
    path("contracts/<int:pk>/targets/", views.contract_targets, name="delivery-contract-targets"),
    path("contracts/<int:pk>/targets/new/", views.target_form, name="delivery-target-create"),
    path(
        "contracts/<int:pk>/targets/<int:target_pk>/edit/", views.target_form, name="delivery-target-update"
    ),
    path("activities/", views.activity_list, name="delivery-activity-list"),
    path("activities/new/", views.activity_new, name="delivery-activity-new"),
    path("activities/import/", views.activity_import, name="delivery-import"),
    path("workload/", views.workload, name="delivery-workload"),
]

#: The record each page shows (URL name → model label): a refused request for one is also
#: recorded for the agency owning the record (core.access_log).
record_models = {
    "delivery-contract-targets": "finance.Contract",
    "delivery-target-create": "finance.Contract",
    "delivery-target-update": "finance.Contract",
}
