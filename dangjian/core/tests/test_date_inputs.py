"""Every date, datetime and time input in every form renders its value the way the browser's
<input type=date|datetime-local|time> accepts it: ISO, whatever the language (zh-hans would give 2026/12/07,
which the browser throws away, leaving the field blank)."""

import datetime
import importlib
import pkgutil

import pytest
from django import forms
from django.utils import translation

import dangjian
from dangjian.core import widgets

SKIP = (".tests", ".migrations", ".management", "settings", "conftest", "wsgi")
VALUES = {
    forms.DateTimeField: (datetime.datetime(2026, 12, 7, 9, 5), "2026-12-07T09:05", "datetime-local"),
    forms.DateField: (datetime.date(2026, 12, 7), "2026-12-07", "date"),
    forms.TimeField: (datetime.time(9, 5), "09:05", "time"),
}


def project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(dangjian.__path__, "dangjian."):
        if not any(part in module.name for part in SKIP):
            importlib.import_module(module.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("dangjian."):
                found.add(sub)
    return sorted(found, key=lambda f: f"{f.__module__}.{f.__qualname__}")


def temporal_fields() -> list[tuple[str, forms.Field, tuple]]:
    fields = []
    for form in project_forms():
        for name, field in form.base_fields.items():
            kind = next((k for k in VALUES if isinstance(field, k)), None)
            if kind is not None:
                fields.append((f"{form.__module__}.{form.__qualname__}.{name}", field, VALUES[kind]))
    return fields


def test_the_walk_finds_the_forms_with_dates():
    names = {name for name, _field, _value in temporal_fields()}
    assert "dangjian.centers.forms.BookingForm.date" in names
    assert "dangjian.cases.whistle.views.WhistleForm.report_by" in names


@pytest.mark.parametrize(("name", "field", "value"), temporal_fields(), ids=lambda v: v if isinstance(v, str) else "")
def test_it_renders_every_date_input_in_iso(name, field, value):
    given, expected, input_type = value
    assert isinstance(field.widget, widgets.DateInput | widgets.DateTimeInput | widgets.TimeInput), name
    with translation.override("zh-hans"):
        html = field.widget.render("x", given)
    assert f'type="{input_type}"' in html, (name, html)
    assert f'value="{expected}"' in html, (name, html)
