"""Every write of duty lists, admission and tasks sent down (keyword-only, atomic)."""
