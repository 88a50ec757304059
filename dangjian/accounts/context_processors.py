from .roles import active_assignment, user_assignments


def roles(request):
    """The signed-in user's role assignments and the one they act in (the role switcher, templates)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"role_assignments": user_assignments(user), "current_assignment": active_assignment(user)}
