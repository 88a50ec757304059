"""Who reads the audit log."""

from dangjian.accounts.roles import Role

AUDIT_ROLES = {Role.DISTRICT_ADMIN}
