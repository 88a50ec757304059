"""`{{ amount|yuan }}`: an amount in yuan as finance papers write it ("38,000.00"); see core.money."""

from __future__ import annotations

from django import template

from dangjian.core.money import yuan_text

register = template.Library()
register.filter("yuan", yuan_text)
