from .roles import SESSION_KEY


class ActiveRoleMiddleware:
    """Puts the role chosen in this session on request.user, where visible_to() finds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.active_role_id = request.session.get(SESSION_KEY)
        return self.get_response(request)
