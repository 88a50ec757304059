"""Every write of co-building, by sub-domain: keyword-only, atomic, audited."""
