from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "dangjian.audit"
    verbose_name = _("审计")

    def ready(self):
        from dangjian.core.admin import admin_write
        from dangjian.core.workflow import step_taken

        from .receivers import record_admin_write, record_step

        step_taken.connect(record_step, dispatch_uid="audit.record_step")
        admin_write.connect(record_admin_write, dispatch_uid="audit.record_admin_write")
