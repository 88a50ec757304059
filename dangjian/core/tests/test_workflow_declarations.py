"""Every declared workflow is complete: each state has its meaning, each step its service and message."""

import pytest

from dangjian.core.workflow import REGISTRY, check_declaration


def test_workflows_are_registered():
    # The apps' declarations are imported when Django loads; a new one joins this list.
    assert REGISTRY, "no workflow is declared"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_declaration_is_complete(name):
    assert check_declaration(REGISTRY[name]) == []
