"""Reads: the user's own import jobs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import ImportJob


def jobs_for(user: Any) -> QuerySet:
    """The import jobs a user uploaded, in the scope of the role they act in now."""
    return ImportJob.objects.visible_to(user).filter(created_by=user)


def job_for_user(user: Any, public_id: Any) -> ImportJob:
    jobs: Any = jobs_for(user).select_related("created_by")  # a ScopedQuerySet
    job: ImportJob = jobs.get_for_user(user, public_id)
    return job
