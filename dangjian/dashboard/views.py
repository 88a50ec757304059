from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.accounts.roles import active_assignment
from dangjian.core.scoping import active_role
from dangjian.core.todo import todos_for
from dangjian.territory.selectors import area_roots_for, area_summary

from .permissions import HOME_COMMUNITY_ROLES, SUMMARY_ROLES


@login_required
def home(request):
    role = active_role(request.user)
    context = {
        "todos": todos_for(request.user),
        "role": role,
        "assignment": active_assignment(request.user),
        "active_nav": "home",
    }
    if role in SUMMARY_ROLES:
        roots = area_roots_for(request.user)
        if roots:
            context["scope_root"] = roots[0]
            context["summary"] = area_summary(roots[0])
    elif role in HOME_COMMUNITY_ROLES:
        assignment = context["assignment"]
        context["home_community"] = assignment.home_community if assignment else None
    return render(request, "dashboard/home.html", context)
