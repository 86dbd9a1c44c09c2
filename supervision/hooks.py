"""What supervision contributes to other apps' rules (``core.registries``): whom a supervisor
supervises, read by staff's row-level rules on employment spells and qualifications."""

from __future__ import annotations

from core.registries import supervisees_source
from supervision.models import SupervisionPlan


@supervisees_source
def supervisees_under_a_plan(member):
    """Staff ids ``member`` supervises under any supervision plan, past or present."""
    return SupervisionPlan.objects.filter(agency_id=member.agency_id, supervisor=member).values(
        "supervisee_id"
    )
