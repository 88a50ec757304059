"""The demand page's step dispatch is read from the declaration: every step it offers has a form whose
fields are what the step's service takes, so no step answers 404 or a TypeError at run time."""

import inspect

import pytest
from django.utils.module_loading import import_string

from dangjian.demands.desk.forms import StepForm
from dangjian.demands.workflow import DEMAND_FLOW, PAGE_STEPS, Step


def test_the_page_offers_every_step_but_the_claim():
    assert set(DEMAND_FLOW.steps) - {Step.CLAIM} == PAGE_STEPS


@pytest.mark.parametrize("step", sorted(PAGE_STEPS))
def test_each_page_step_form_matches_its_service(step):
    form_class = import_string(DEMAND_FLOW.steps[step].form)
    assert issubclass(form_class, StepForm)
    parameters = inspect.signature(DEMAND_FLOW.service(step)).parameters
    assert {"actor", "demand", "version"} <= set(parameters)
    fields = set(form_class.base_fields) - {"version", "assignee_id"}  # assignee_id only feeds the page's script
    assert fields <= set(parameters), (step, fields - set(parameters))
