"""Every channel that can show supervision notes records the read (roles.md).

The channels are enumerated, not listed by hand: every API route of the supervision app's
viewsets (each URL name and HTTP method the viewset takes), every supervision page, the record
history of every model marked ``confidential_reads``, and every report kind of the
supervision app. Each must be in ``CHANNELS``, either as ``LOGGED`` (the request records a
``SensitiveRead`` for the reader) or as ``NOTE_FREE`` (the response, proven here, carries
neither the notes nor the action items). A new endpoint or page that is in neither list fails
``test_every_channel_touching_supervision_records_is_classified``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from core.confidential import is_confidential
from core.models import SensitiveRead
from supervision import services

pytestmark = pytest.mark.django_db

NOTES = "Confidential: worker is struggling with case XF-2025-014."
ITEM = "Read the safeguarding protocol"
LOGGED, NOTE_FREE = "logged", "note-free"


def _api_routes() -> set[tuple[str, str, str]]:
    import config.urls  # noqa: F401  (registers every viewset)
    from core.api import router

    found = set()
    for pattern in router.urls:
        view_class = getattr(pattern.callback, "cls", None)
        model = getattr(getattr(view_class, "queryset", None), "model", None) or getattr(
            view_class, "model", None
        )
        if model is None or model._meta.app_label != "supervision":
            continue
        allowed = set(view_class.http_method_names)
        for method in pattern.callback.actions:
            # HEAD answers as GET does (DRF adds it to the actions once a GET has been served).
            if method in allowed and method not in ("head", "options"):
                found.add(("api", pattern.name, method.upper()))
    return found


def _page_routes() -> set[tuple[str, str, str]]:
    found = set()

    def walk(patterns):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if not str(entry.pattern).startswith("api/"):  # the API is enumerated from its router
                    walk(entry.url_patterns)
            elif isinstance(entry, URLPattern) and (entry.name or "").startswith("supervision-"):
                found.add(("page", entry.name, "*"))

    walk(get_resolver().url_patterns)
    for model in apps.get_models():
        if is_confidential(model):
            found.add(("page", "record-history", model._meta.label_lower))
    return found


def _report_routes() -> set[tuple[str, str, str]]:
    from core.reports import all_kinds

    return {
        ("report", kind.kind, "*") for kind in all_kinds() if kind.build.__module__.startswith("supervision")
    }


@pytest.fixture
def ctx(agency, supervisor, staff_user, director, supervisor_member, staff_member, log_session):
    open_session = log_session(
        supervisor_member,
        [staff_member],
        dt.date(2025, 3, 10),
        notes=NOTES,
        action_items=[{"text": ITEM, "owner": staff_member, "due_date": dt.date(2025, 4, 1)}],
    )
    locked = log_session(supervisor_member, [staff_member], dt.date(2025, 3, 17), notes=NOTES)
    services.session_acknowledge(session=locked, user=staff_user)
    locked.refresh_from_db()
    services.session_amend(session=locked, user=supervisor, reason="typo", duration_minutes=75)
    return {
        "session": open_session,
        "locked": locked,
        "item": open_session.action_items.get(),
        "amendment": locked.amendments.get(),
        "staff": staff_member,
    }


def _plan(ctx):
    from supervision.models import SupervisionPlan

    return SupervisionPlan.objects.get(supervisee=ctx["staff"])


def _new_session_body(ctx):
    return {
        "date": "2025-05-06",
        "start_time": "10:00",
        "duration_minutes": 60,
        "modality": "individual",
        "attendees": [{"staff": ctx["staff"].pk, "present": True}],
        "notes": NOTES,
    }


# key → (LOGGED or NOTE_FREE, persona, method, url(ctx), body(ctx) or None)
CHANNELS = {
    # --- API: sessions ---------------------------------------------------------------------
    ("api", "supervision-session-list", "GET"): (NOTE_FREE, "supervisor", "get", lambda c: "/api/v1/supervision-sessions/", None),
    ("api", "supervision-session-list", "POST"): (LOGGED, "supervisor", "post", lambda c: "/api/v1/supervision-sessions/", _new_session_body),
    ("api", "supervision-session-detail", "GET"): (LOGGED, "director", "get", lambda c: f"/api/v1/supervision-sessions/{c['session'].pk}/", None),
    ("api", "supervision-session-detail", "PATCH"): (LOGGED, "supervisor", "patch", lambda c: f"/api/v1/supervision-sessions/{c['session'].pk}/", lambda c: {"duration_minutes": 90}),
    ("api", "supervision-session-acknowledge", "POST"): (NOTE_FREE, "staff", "post", lambda c: f"/api/v1/supervision-sessions/{c['session'].pk}/acknowledge/", None),
    ("api", "supervision-session-amend", "POST"): (LOGGED, "supervisor", "post", lambda c: f"/api/v1/supervision-sessions/{c['locked'].pk}/amend/", lambda c: {"reason": "notes", "notes": NOTES + " Corrected."}),
    # --- API: action items (confidential like the notes) ----------------------------------
    ("api", "supervision-action-item-list", "GET"): (LOGGED, "staff", "get", lambda c: "/api/v1/supervision-action-items/", None),
    ("api", "supervision-action-item-list", "POST"): (LOGGED, "supervisor", "post", lambda c: "/api/v1/supervision-action-items/", lambda c: {"session": c["session"].pk, "text": ITEM + " again"}),
    ("api", "supervision-action-item-detail", "GET"): (LOGGED, "director", "get", lambda c: f"/api/v1/supervision-action-items/{c['item'].pk}/", None),
    ("api", "supervision-action-item-detail", "PATCH"): (LOGGED, "supervisor", "patch", lambda c: f"/api/v1/supervision-action-items/{c['item'].pk}/", lambda c: {"done": True}),
    # --- API: plans and compliance (minutes only) ---------------------------------------------
    ("api", "supervision-plan-list", "GET"): (NOTE_FREE, "director", "get", lambda c: "/api/v1/supervision-plans/", None),
    ("api", "supervision-plan-list", "POST"): (NOTE_FREE, "director", "post", lambda c: "/api/v1/supervision-plans/", lambda c: {"supervisee": c["staff"].pk, "supervisor": c["session"].supervisor_id, "start": "2030-01-01"}),
    ("api", "supervision-plan-detail", "GET"): (NOTE_FREE, "director", "get", lambda c: f"/api/v1/supervision-plans/{_plan(c).pk}/", None),
    ("api", "supervision-plan-detail", "PUT"): (NOTE_FREE, "director", "put", lambda c: f"/api/v1/supervision-plans/{_plan(c).pk}/", lambda c: {"supervisee": c["staff"].pk, "supervisor": c["session"].supervisor_id, "start": "2022-03-01", "required_minutes": 150}),
    ("api", "supervision-plan-detail", "PATCH"): (NOTE_FREE, "director", "patch", lambda c: f"/api/v1/supervision-plans/{_plan(c).pk}/", lambda c: {"required_minutes": 150}),
    ("api", "supervision-plan-end", "POST"): (NOTE_FREE, "director", "post", lambda c: f"/api/v1/supervision-plans/{_plan(c).pk}/end/", lambda c: {"end": "2030-12-31"}),
    ("api", "supervision-compliance-list", "GET"): (NOTE_FREE, "director", "get", lambda c: "/api/v1/supervision-compliance/?year=2025", None),
    # --- pages ----------------------------------------------------------------------------------
    ("page", "supervision-session-list", "*"): (NOTE_FREE, "director", "get", lambda c: "/supervision/", None),
    ("page", "supervision-session-create", "*"): (NOTE_FREE, "supervisor", "get", lambda c: "/supervision/sessions/new/", None),
    ("page", "supervision-session-detail", "*"): (LOGGED, "staff", "get", lambda c: f"/supervision/sessions/{c['session'].pk}/", None),
    ("page", "supervision-session-update", "*"): (LOGGED, "supervisor", "get", lambda c: f"/supervision/sessions/{c['session'].pk}/edit/", None),
    ("page", "supervision-session-amend", "*"): (LOGGED, "supervisor", "get", lambda c: f"/supervision/sessions/{c['locked'].pk}/amend/", None),
    ("page", "supervision-session-acknowledge", "*"): (NOTE_FREE, "staff", "post", lambda c: f"/supervision/sessions/{c['session'].pk}/acknowledge/", lambda c: {}),
    ("page", "supervision-action-item-create", "*"): (NOTE_FREE, "supervisor", "post", lambda c: f"/supervision/sessions/{c['session'].pk}/action-items/", lambda c: {"text": "Call back"}),
    ("page", "supervision-action-item-toggle", "*"): (NOTE_FREE, "supervisor", "post", lambda c: f"/supervision/action-items/{c['item'].pk}/toggle/", lambda c: {}),
    ("page", "supervision-plan-list", "*"): (NOTE_FREE, "director", "get", lambda c: "/supervision/plans/", None),
    ("page", "supervision-plan-create", "*"): (NOTE_FREE, "director", "get", lambda c: "/supervision/plans/new/", None),
    ("page", "supervision-plan-update", "*"): (NOTE_FREE, "director", "get", lambda c: f"/supervision/plans/{_plan(c).pk}/edit/", None),
    ("page", "supervision-compliance", "*"): (NOTE_FREE, "director", "get", lambda c: "/supervision/compliance/?year=2025", None),
    ("page", "supervision-log-pdf", "*"): (LOGGED, "supervisor", "get", lambda c: f"/supervision/staff/{c['staff'].pk}/log.pdf?year=2025", None),
    ("page", "record-history", "supervision.supervisionsession"): (LOGGED, "director", "get", lambda c: f"/history/supervision/supervisionsession/{c['session'].pk}/", None),
    ("page", "record-history", "supervision.actionitem"): (LOGGED, "director", "get", lambda c: f"/history/supervision/actionitem/{c['item'].pk}/", None),
    ("page", "record-history", "supervision.sessionamendment"): (LOGGED, "director", "get", lambda c: f"/history/supervision/sessionamendment/{c['amendment'].pk}/", None),
    # --- reports ----------------------------------------------------------------------------------
    ("report", "supervision-compliance", "*"): (NOTE_FREE, "director", "get", lambda c: "/reports/supervision-compliance/?year=2025&format=json", None),
}  # fmt: skip


def test_every_channel_touching_supervision_records_is_classified():
    found = _api_routes() | _page_routes() | _report_routes()
    assert sorted(found - set(CHANNELS)) == [], "a new channel: log its reads or prove it note-free here"
    assert sorted(set(CHANNELS) - found) == []


@pytest.mark.parametrize("key", sorted(CHANNELS), ids=lambda key: " ".join(key))
def test_each_channel_logs_the_read_or_shows_no_notes(key, ctx, personas, login_client, login_api):
    kind, persona, method, url, body = CHANNELS[key]
    user = personas[persona]
    client = login_api(user) if key[0] == "api" else login_client(user)
    SensitiveRead.objects.all().delete()
    kwargs = {"format": "json"} if key[0] == "api" else {}
    data = body(ctx) if body else None
    response = (
        getattr(client, method)(url(ctx), data, **kwargs)
        if data is not None
        else getattr(client, method)(url(ctx))
    )
    assert response.status_code < 400, (response.status_code, response.content[:300])
    reads = list(SensitiveRead.objects.values_list("user_id", flat=True))
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if kind == LOGGED:
        assert reads and set(reads) == {user.pk}
    else:
        assert reads == []
        text = content.decode("utf-8", "replace")
        assert NOTES not in text and ITEM not in text


@pytest.mark.parametrize("persona", ["director", "finance", "supervisor", "staff", "auditor", "outsider"])
def test_the_home_page_logs_the_action_items_its_panels_show_or_shows_none(
    persona, ctx, personas, login_client
):
    """The home page is no supervision page, but its panels show action items: the staff
    member's own open items and the supervisor's overdue ones (roles.md: every way notes
    reach a screen counts)."""
    user = personas[persona]
    SensitiveRead.objects.all().delete()
    page = login_client(user).get("/").content.decode()
    reads = list(SensitiveRead.objects.values_list("user_id", "object_type", "object_id", "channel"))
    if ITEM in page:
        assert reads == [(user.pk, "supervision.actionitem", str(ctx["item"].pk), "page")]
    else:
        assert reads == []
    assert NOTES not in page
    # The staff member owns the item; the supervisor led its session (overdue since 2025-04-01).
    assert (ITEM in page) is (persona in ("staff", "supervisor"))
