"""Factories for training records and events."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from tests.factories import StaffMemberFactory
from training.models import RecordSource, RecordStatus, TrainingEvent, TrainingRecord


class TrainingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingEvent

    agency = factory.SubFactory("tests.factories.AgencyFactory")
    title = factory.Sequence(lambda n: f"儿童保护实务培训 {n}")
    provider = "江西省社会工作协会"
    start_date = dt.date(2025, 3, 10)
    end_date = factory.SelfAttribute("start_date")
    hours = Decimal("6.0")


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    staff = factory.SubFactory(StaffMemberFactory)
    agency = factory.SelfAttribute("staff.agency")
    date = dt.date(2025, 3, 10)
    title = factory.Sequence(lambda n: f"外部培训 {n}")
    hours = Decimal("10.0")
    ce_eligible = True
    source = RecordSource.ENTRY
    status = RecordStatus.APPROVED
