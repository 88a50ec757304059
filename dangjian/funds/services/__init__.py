"""Every write of 经费管理. Other apps call the commitment API re-exported here."""

from .commitments import commit_funds, pay_commitment, refund_payment, release_commitment

__all__ = ["commit_funds", "pay_commitment", "refund_payment", "release_commitment"]
