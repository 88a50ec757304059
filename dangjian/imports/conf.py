"""Import and export limits: Django settings when set, these defaults otherwise.

Read through functions (not module constants) so a deployment's settings and the tests'
override_settings both take effect.
"""

from django.conf import settings

DEFAULTS = {
    # Files with more data rows than this are checked and imported by a queue worker.
    "IMPORT_BACKGROUND_ROWS": 2000,
    # ...and so do sheets whose XML is larger than this (for files that declare no size, or a wrong one).
    "IMPORT_BACKGROUND_BYTES": 2 * 1024 * 1024,
    "IMPORT_MAX_BYTES": 30 * 1024 * 1024,
    "IMPORT_BATCH_SIZE": 5000,
    # Errors kept per job (the count is always exact; the list and the report stop here).
    "IMPORT_MAX_STORED_ERRORS": 5000,
    "IMPORT_PREVIEW_ROWS": 20,
    # Uploaded files of jobs that never finished are deleted after this many days.
    "IMPORT_RETENTION_DAYS": 14,
    # A check or import with no news for this long is taken as lost (its worker died).
    "IMPORT_STALE_MINUTES": 120,
    # Work queued this long ago and not started (lost from the queue) is queued again; one started
    # that nobody runs any more (its worker died) is marked failed (services.jobs_recover).
    "IMPORT_REQUEUE_MINUTES": 5,
    # Names listed for dropdowns in a downloaded template (beyond this: no dropdown, a note).
    "IMPORT_TEMPLATE_OPTIONS": 3000,
    "EXPORT_MAX_ROWS": 300_000,
}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))
