"""factory_boy factories shared by every app's tests (apps add theirs in tests/<app>/factories.py)."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from core.models import Agency
from staff.models import EmploymentSpell, Qualification, QualificationLevel, StaffMember
from supervision.models import SupervisionPlan

PASSWORD = "correct-horse-battery-7"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"社工服务中心 {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def agency_roles(obj, create, extracted, **kwargs):
        """``UserFactory(agency_roles=(agency, ["director"]))`` makes a member with roles."""
        if not create or not extracted:
            obj.save()
            return
        from core.models import Membership
        from core.services import member_set_roles

        obj.save()
        agency, roles = extracted
        Membership.objects.update_or_create(user=obj, defaults={"agency": agency})
        member_set_roles(user=obj, roles=roles)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    agency = factory.SubFactory(AgencyFactory)
    staff_no = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"社工{n}")
    position = "一线社工"


class SpellFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmploymentSpell

    staff = factory.SubFactory(StaffMemberFactory)
    agency = factory.SelfAttribute("staff.agency")
    hire_date = dt.date(2022, 3, 1)
    exit_date = None
    exit_reason = ""
    employment_type = factory.SelfAttribute("staff.employment_type")
    position = factory.SelfAttribute("staff.position")


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Qualification

    staff = factory.SubFactory(StaffMemberFactory)
    agency = factory.SelfAttribute("staff.agency")
    level = QualificationLevel.ASSISTANT_SOCIAL_WORKER
    cert_no = factory.Sequence(lambda n: f"CERT{n:06d}")
    issued = dt.date(2021, 6, 1)
    registration_expires = dt.date(2027, 6, 30)


class SupervisionPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisionPlan

    supervisee = factory.SubFactory(StaffMemberFactory)
    supervisor = factory.SubFactory(StaffMemberFactory, agency=factory.SelfAttribute("..supervisee.agency"))
    agency = factory.SelfAttribute("supervisee.agency")
    start = dt.date(2024, 1, 1)
