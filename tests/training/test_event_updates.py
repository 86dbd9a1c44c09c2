"""Changing a training event whose attendance would collide with another record of the same
person, day and title is refused with a field message, never a server error."""

import datetime as dt

from tests.training.factories import TrainingEventFactory, TrainingRecordFactory
from training.models import TrainingEvent


def _event_body(event, **changes):
    body = {
        "title": event.title,
        "provider": event.provider,
        "start_date": event.start_date.isoformat(),
        "end_date": event.end_date.isoformat(),
        "hours": str(event.hours),
    }
    body.update(changes)
    return body


def test_renaming_an_event_onto_another_events_title_and_day_is_a_field_error(
    personas, agency, staff_member, login_api
):
    first = TrainingEventFactory(agency=agency, title="儿童保护", start_date=dt.date(2025, 3, 10))
    second = TrainingEventFactory(agency=agency, title="伦理", start_date=dt.date(2025, 4, 10))
    TrainingRecordFactory(staff=staff_member, event=first, title=first.title, date=first.end_date, hours=6)
    TrainingRecordFactory(staff=staff_member, event=second, title=second.title, date=second.end_date, hours=6)

    response = login_api(personas["director"]).put(
        f"/api/v1/training-events/{second.pk}/",
        _event_body(second, title="儿童保护", start_date="2025-03-10", end_date="2025-03-10"),
        format="json",
    )

    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["title"]
    assert "李社工" in response.json()["error"]["fields"]["title"][0]
    second.refresh_from_db()
    assert (second.title, second.start_date) == ("伦理", dt.date(2025, 4, 10))
    assert TrainingEvent.objects.count() == 2


def test_renaming_an_event_without_a_clash_updates_its_attendance(personas, agency, staff_member, login_api):
    event = TrainingEventFactory(agency=agency, title="伦理", start_date=dt.date(2025, 4, 10))
    record = TrainingRecordFactory(
        staff=staff_member, event=event, title=event.title, date=event.end_date, hours=6
    )

    response = login_api(personas["director"]).put(
        f"/api/v1/training-events/{event.pk}/", _event_body(event, title="伦理与价值"), format="json"
    )

    assert response.status_code == 200, response.content
    record.refresh_from_db()
    assert record.title == "伦理与价值"
