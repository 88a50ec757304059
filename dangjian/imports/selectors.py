"""Reads: the user's own import jobs; the import that created a record."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .inserts import in_ranges
from .models import ImportJob, ImportStatus


def jobs_for(user: Any) -> QuerySet:
    """The import jobs a user uploaded, in the scope of the role they act in now."""
    return ImportJob.objects.visible_to(user).filter(created_by=user)


def job_for_user(user: Any, public_id: Any) -> ImportJob:
    jobs: Any = jobs_for(user).select_related("created_by")  # a ScopedQuerySet
    job: ImportJob = jobs.get_for_user(user, public_id)
    return job


def import_of(obj: Any) -> ImportJob | None:
    """The import that created `obj`, if one did ("who imported member X?"): the done job whose
    `written` ranges hold its primary key. Its 导入 audit row is the one with object_type
    "imports.importjob" and object_id = the job's public_id (actor, role, time, file name)."""
    label = obj._meta.label_lower
    jobs = ImportJob.objects.filter(status=ImportStatus.DONE, written__has_key=label).order_by("-pk")
    for pk, written in jobs.values_list("pk", "written").iterator(chunk_size=200):
        if in_ranges(obj.pk, written[label]):
            return ImportJob.objects.select_related("created_by").get(pk=pk)
    return None
