"""`Authorization: Bearer TOKEN`: the request then acts as the token's user in the token's role."""

from __future__ import annotations

from typing import Any

from ninja.security import HttpBearer

from .services import token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "接口令牌：在「接口令牌」页面或用 manage.py api_token 签发。"

    def authenticate(self, request: Any, token: str) -> Any:
        found = token_authenticate(token)
        if found is None:
            return None  # ninja answers 401 (core.api puts it in the error body)
        user = found.user
        if user.must_change_password:
            return None  # a temporary password is good for changing it only, not for the API
        # The active role, as accounts.ActiveRoleMiddleware sets it for a session: visible_to(),
        # masking and every role check then read the token's role.
        user.active_role_id = found.role_id
        request.user = user
        request.api_token = found
        return found
