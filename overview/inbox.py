"""The director's inbox: what waits for the signed-in person to act, each with where to act.

Five counts, one query each whatever the amount of data: budget revisions to approve, training
records to approve, open flags assigned to me, certificates whose registration expires within
90 days, and finance imports refused in the last 30 days. The home page shows them as a panel;
the menu shows their sum beside "Home" (``overview.context_processors.inbox``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import ImportBatch
from core.roles import Role, user_roles
from finance.models import BudgetRevision, Flag
from finance.selectors import finance_imports_for
from staff.models import EXPIRY_WARNING_DAYS, StaffMember
from staff.selectors import active_on, qualifications_for
from training.selectors import pending_for_approval

#: How far back a refused import still asks for attention.
REFUSED_IMPORT_DAYS = 30


@dataclass(frozen=True)
class InboxItem:
    key: str
    label: str
    count: int
    url: str


def _revisions(user) -> InboxItem | None:
    if Role.DIRECTOR not in user_roles(user):
        return None
    rows = (
        BudgetRevision.objects.for_user(user, "view")
        .filter(status="proposed")
        .aggregate(n=Count("id"), first=Min("contract_id"), last=Max("contract_id"))
    )
    if not rows["n"]:
        return InboxItem("revisions", str(_("Budget revisions to approve")), 0, "")
    if rows["first"] == rows["last"]:
        url = reverse("finance-contract-detail", args=[rows["first"]]) + "#revisions"
    else:
        url = reverse("finance-contract-list")
    return InboxItem("revisions", str(_("Budget revisions to approve")), rows["n"], url)


def _training(user) -> InboxItem | None:
    if not user.has_perm("training.change_trainingrecord"):
        return None
    count = pending_for_approval(user).order_by().count()
    return InboxItem("training", str(_("Training records to approve")), count, reverse("training-approvals"))


def _flags(user) -> InboxItem | None:
    if not user.has_perm("finance.view_flag"):
        return None
    count = Flag.objects.for_user(user, "view").filter(assignee=user, status="open", active=True).count()
    url = f"{reverse('finance-flag-list')}?assignee={user.pk}&status=open"
    return InboxItem("flags", str(_("Open flags assigned to me")), count, url)


def _certificates(user, today: dt.date) -> InboxItem | None:
    if not user.has_perm("staff.view_qualification") or not (
        user_roles(user) & {Role.DIRECTOR, Role.SUPERVISOR}
    ):
        return None
    employed = active_on(StaffMember.objects.all(), today).values("pk")
    count = (
        qualifications_for(user)
        .filter(
            staff_id__in=employed,
            registration_expires__gte=today,
            registration_expires__lte=today + dt.timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .order_by()
        .count()
    )
    return InboxItem(
        "certificates", str(_("Certificates expiring within 90 days")), count, reverse("staff-expiring")
    )


def _imports(user, today: dt.date) -> InboxItem | None:
    """Refused ledger and bank-statement files: work for those who import them again (an
    auditor reads a granted contract's imports on its pages, but has nothing to do here)."""
    if not user_roles(user) & {Role.DIRECTOR, Role.FINANCE} or not user.has_perm("finance.view_expenditure"):
        return None
    since = timezone.now() - dt.timedelta(days=REFUSED_IMPORT_DAYS)
    row = (
        finance_imports_for(user)
        .filter(status=ImportBatch.Status.FAILED, created_at__gte=since)
        .aggregate(n=Count("id"), newest=Max("id"))
    )
    url = (
        reverse("finance-import-detail", args=[row["newest"]]) if row["n"] == 1 else reverse("finance-import")
    )
    return InboxItem("imports", str(_("Imports refused in the last 30 days")), row["n"], url)


def inbox_for(user) -> list[InboxItem]:
    """The items that concern ``user`` (by role and permission), counts included, zero or not."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = timezone.localdate()
    items = [
        _revisions(user),
        _training(user),
        _flags(user),
        _certificates(user, today),
        _imports(user, today),
    ]
    return [item for item in items if item is not None]


def inbox_count(user) -> int:
    """How many things wait for ``user`` (the number beside "Home" in the menu)."""
    return sum(item.count for item in inbox_for(user))
