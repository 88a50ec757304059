"""Every write of the workforce, by sub-domain: workers, ladders, stepup, training, reserve."""
