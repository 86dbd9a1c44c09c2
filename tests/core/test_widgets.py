"""Dates in forms: the browser's date picker reads the value in every language, and a form
saved unchanged keeps its dates (a zh-Hans ``2026/09/09`` was dropped, erasing optional ones)."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.utils import translation

from core.widgets import DateInput, TimeInput
from tests.factories import SupervisionPlanFactory

PRODUCT_APPS = ("core", "staff", "training", "supervision", "finance", "delivery", "overview")


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _product_forms():
    """Every form and filter set class the product defines (their modules imported first)."""
    for label in PRODUCT_APPS:
        package = importlib.import_module(apps.get_app_config(label).name)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            importlib.import_module(info.name)
    product = tuple(f"{label}." for label in PRODUCT_APPS)
    found = {}
    for cls in [*_subclasses(forms.BaseForm), *_subclasses(django_filters.FilterSet)]:
        if cls.__module__.startswith(product):
            found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


def _date_widgets(cls):
    if issubclass(cls, django_filters.FilterSet):
        for name, item in cls.base_filters.items():
            widget = item.extra.get("widget")
            if widget is not None:
                yield name, widget if isinstance(widget, forms.Widget) else widget()
    else:
        for name, field in cls.base_fields.items():
            yield name, field.widget


def test_every_date_and_time_picker_of_the_product_renders_iso():
    classes = _product_forms()
    assert len(classes) > 40  # the walk found the product's forms
    pickers, wrong = 0, []
    for path, cls in classes.items():
        for name, widget in _date_widgets(cls):
            kind = getattr(widget, "input_type", None)
            if kind in ("date", "time"):
                pickers += 1
                if not isinstance(widget, DateInput if kind == "date" else TimeInput):
                    wrong.append(f"{path}.{name}")
    assert pickers >= 20
    assert wrong == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_picker_shows_a_stored_date_and_time_as_the_browser_reads_them(language):
    with translation.override(language):
        assert 'value="2026-09-09"' in DateInput().render("d", dt.date(2026, 9, 9))
        assert 'value="09:30"' in TimeInput().render("t", dt.time(9, 30))
        # A plain date field (a text box) shows ISO too, in both languages.
        assert 'value="2026-09-09"' in forms.DateInput().render("d", dt.date(2026, 9, 9))


@pytest.mark.parametrize("text", ["2026-09-09", "2026/09/09", "2026/9/9", "2026年9月9日", "2026年09月09日"])
def test_a_chinese_page_accepts_the_ways_a_date_is_written(text):
    with translation.override("zh-hans"):
        assert forms.DateField().clean(text) == dt.date(2026, 9, 9)


@pytest.mark.django_db
def test_a_plan_edited_on_a_chinese_page_keeps_its_end_date(
    director, staff_member, supervisor_member, login_client
):
    plan = SupervisionPlanFactory(
        supervisee=staff_member.__class__.objects.create(
            agency=staff_member.agency, staff_no="S-77", name="周社工"
        ),
        supervisor=supervisor_member,
        start=dt.date(2025, 1, 1),
        end=dt.date(2026, 8, 29),
    )
    client = login_client(director)
    url = f"/supervision/plans/{plan.pk}/edit/"
    with translation.override("zh-hans"):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        form = page.context["form"]
        html = page.content.decode()
        assert 'value="2025-01-01"' in html and 'value="2026-08-29"' in html
        # What the browser sends back when nothing is changed: each field's rendered value.
        data = {name: form[name].value() for name in form.fields}
        data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items() if v is not None}
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert (plan.start, plan.end) == (dt.date(2025, 1, 1), dt.date(2026, 8, 29))
