"""The weak organisations' integrity checks (core/integrity.py): declared state and log."""

from dangjian.core import integrity

from .weak.workflow import FLOW

integrity.register_workflow(FLOW)
