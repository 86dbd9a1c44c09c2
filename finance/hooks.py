"""What finance contributes to pages of other apps (``core.registries``): the contracts a user
may pick in a report form."""

from __future__ import annotations

from core.registries import report_contracts
from finance.models import Contract


@report_contracts()
def visible_contracts(user) -> list[tuple[str, str]]:
    """(code, label) of every contract the user may read."""
    return [
        (code, f"{code} {title}")
        for code, title in Contract.objects.for_user(user, "view")
        .order_by("code")
        .values_list("code", "title")
    ]
