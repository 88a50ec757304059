"""The message centre's queue work: fan a message out to its channels, send a batch of deliveries, and the
sweep that finds again what the queue lost (delivery.py says how each is safe to run twice)."""

from collections import Counter

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run


@db_task(retries=3, retry_delay=60)
def notify_fan_out(message_ids: list[int]) -> int:
    from .delivery import fan_out

    return len(fan_out(message_ids))


@db_task(retries=3, retry_delay=60)
def notify_send_batch(delivery_ids: list[int]) -> dict:
    """Send the deliveries of `delivery_ids` that are still queued and due; answer how many ended how."""
    from .delivery import send_batch

    return dict(Counter(send_batch(delivery_ids).values()))


@db_task(retries=3, retry_delay=60)
def notify_send(delivery_id: int) -> str:
    """One delivery: what a queue written before the batches may still hold."""
    from .delivery import send

    return send(delivery_id)


@db_periodic_task(crontab(minute="*/5"))
@single_run
def notify_sweep() -> dict:
    """Every five minutes: messages not yet fanned out, deliveries due and not sent, deliveries a dead
    worker left in "sending"."""
    from .delivery import sweep

    return sweep()
