from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from dangjian.accounts.roles import TREE_ROLES, active_assignment, active_role
from dangjian.territory.selectors import area_roots_for, area_summary

from .todo import todos_for


@login_required
def home(request):
    role = active_role(request.user)
    context = {
        "todos": todos_for(request.user),
        "role": role,
        "assignment": active_assignment(request.user),
        "active_nav": "home",
    }
    if role in TREE_ROLES or role == "superuser":
        roots = area_roots_for(request.user)
        if roots:
            context["scope_root"] = roots[0]
            context["summary"] = area_summary(roots[0])
    elif role in {"party_member", "resident"}:
        assignment = context["assignment"]
        context["home_community"] = assignment.home_community if assignment else None
    return render(request, "dashboard/home.html", context)
