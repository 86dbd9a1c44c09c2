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
