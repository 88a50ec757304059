"""Every write of org life: `records` (plan, hold, cancel, files), `compliance` (the obligations and the
daily scan), `guidance` (the district's quarterly guidance)."""
