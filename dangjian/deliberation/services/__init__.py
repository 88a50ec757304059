"""Every write of deliberation, split by sub-domain: councils, topics, runs (四议两公开), disclosures."""
