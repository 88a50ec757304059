"""Every write of 民生微实事 (keyword-only, atomic). `project_propose` is the stable entry other apps
call (co-building's joint meetings, deliberation's resolutions)."""

from .projects import project_propose, project_step

__all__ = ["project_propose", "project_step"]
