"""The registrations' integrity checks (core/integrity.py): declared state and log."""

from dangjian.core import integrity

from .workflow import FLOW

integrity.register_workflow(FLOW)
