"""factory_boy factories for delivery records."""

from __future__ import annotations

import datetime as dt

import factory

from delivery.models import ServiceActivity, Target
from tests.finance.factories import ContractFactory


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    contract = factory.SubFactory(ContractFactory)
    agency = factory.SelfAttribute("contract.agency")
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    measure = "activities"
    quantity = 100


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceActivity

    target = factory.SubFactory(TargetFactory)
    contract = factory.SelfAttribute("target.contract")
    agency = factory.SelfAttribute("target.agency")
    activity_no = factory.Sequence(lambda n: f"A-{n:05d}")
    date = dt.date(2025, 3, 5)
    duration_minutes = 60
    case_code = ""
    participants = 1
