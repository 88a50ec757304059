"""An audit row's changes as people read them: the field's label, then its values formatted the way the
pages show them (是/否, the choice's label, dates in local time, the related object's name), "—" for none.

The rows store what the services gave them ({field: [before, after]}, or {key: value} for a reveal or an
export); the object type names the model, so labels and formats come from its fields."""

from __future__ import annotations

import decimal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent

NONE = "—"

# Keys the services record that are not fields of the object.
EXTRA_LABELS = {
    "late": gettext_lazy("是否超时"),
    "whistle_closed": gettext_lazy("吹哨结束"),
    "reason": gettext_lazy("原因"),
    "note": gettext_lazy("说明"),
    "field": gettext_lazy("查看字段"),
    "filters": gettext_lazy("筛选条件"),
    "rows": gettext_lazy("行数"),
    "count": gettext_lazy("数量"),
    "source": gettext_lazy("来源"),
    "link": gettext_lazy("链接"),
    "member": gettext_lazy("成员"),
    "case": gettext_lazy("事件"),
    "password": gettext_lazy("密码"),
}


@dataclass(frozen=True)
class Change:
    label: str
    before: str | None  # None: a single value (a reveal, an export), not a before/after pair
    after: str


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        field = next((f for f in model._meta.concrete_fields if f.attname == name), None)
    return field if isinstance(field, models.Field) else None


def _label(field: models.Field | None, key: str) -> str:
    if field is not None and str(field.verbose_name) != field.name.replace("_", " "):
        return str(field.verbose_name)
    if field is not None and field.related_model is not None:
        return str(field.related_model._meta.verbose_name)  # an unlabelled foreign key: what it points at
    return str(EXTRA_LABELS.get(key, key))


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit())


def _moment(value: Any) -> str | None:
    if isinstance(value, str):
        parsed = parse_datetime(value.replace(" ", "T", 1)) if len(value) > 10 else None
        if parsed is not None:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            return timezone.localtime(parsed).strftime("%Y-%m-%d %H:%M")
    return None


def _format(value: Any, field: models.Field | None, names: dict[tuple[Any, str], str], model: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return NONE
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_format(v, field, names, model) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_format(v, None, names, model)}" for k, v in value.items())
    if field is not None:
        if field.is_relation and field.related_model is not None and _is_id(value):
            return names.get((field.related_model, str(value)), str(value))
        if field.flatchoices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(field, models.DateTimeField):
            return _moment(value) or str(value)
        if isinstance(field, models.DateField) and isinstance(value, str) and parse_date(value[:10]):
            return value[:10]
        if isinstance(field, models.DecimalField | models.FloatField):
            try:
                return floatformat(decimal.Decimal(str(value)), -2)
            except decimal.InvalidOperation:
                return str(value)
    if isinstance(value, str) and model is not None and _field(model, value) is not None:
        return _label(_field(model, value), value)  # a reveal names the field it showed
    return _moment(value) or str(value)


def _related_names(events: Iterable[AuditEvent]) -> dict[tuple[Any, str], str]:
    """The name of every related object an id in the changes points at: one query per related model."""
    wanted: dict[Any, set[str]] = defaultdict(set)
    for event in events:
        model = _model(event.object_type)
        for key, pair in (event.changes or {}).items():
            field = _field(model, key)
            if field is None or not field.is_relation or field.related_model is None:
                continue
            for value in pair if isinstance(pair, list) else [pair]:
                if _is_id(value):
                    wanted[field.related_model].add(str(value))
    names = {}
    for related, ids in wanted.items():
        for obj in related._base_manager.filter(pk__in=ids):
            names[(related, str(obj.pk))] = str(obj)
    return names


def describe(events: Iterable[AuditEvent]) -> None:
    """Give each event `change_list`: its changes as labelled, formatted values (related names batched)."""
    events = list(events)
    names = _related_names(events)
    for event in events:
        model = _model(event.object_type)
        rows = []
        for key, value in (event.changes or {}).items():
            field = _field(model, key)
            label = _label(field, key)
            if isinstance(value, list) and len(value) == 2:
                before, after = (_format(v, field, names, model) for v in value)
                rows.append(Change(label, before, after))
            else:
                rows.append(Change(label, None, _format(value, field, names, model)))
        event.change_list = rows


def as_text(event: AuditEvent) -> str:
    """One event's changes on one line each (for the Excel export, row by row)."""
    if not hasattr(event, "change_list"):
        describe([event])
    return "\n".join(
        f"{c.label}：{c.after}" if c.before is None else f"{c.label}：{c.before} → {c.after}" for c in event.change_list
    )
