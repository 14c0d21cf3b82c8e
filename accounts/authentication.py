"""JWTs that stop working when the user's session epoch is raised (password change or reset, log out everywhere).

Every token minted by :func:`refresh_token_for` carries the user's ``session_epoch`` as the ``epoch`` claim; an
access token made from a refresh token copies it. :class:`EpochJWTAuthentication` refuses a token whose claim
differs from the user's current epoch. A token without the claim (minted before the epoch existed) counts as
epoch 0, so it is refused as soon as the user's epoch is first raised.

Refresh tokens are also blacklisted on every raise (``accounts.services.tokens_revoke_all``), so the refresh
endpoint refuses them too.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.tokens import RefreshToken, Token

from accounts.models import User

EPOCH_CLAIM = "epoch"


def refresh_token_for(user: User) -> RefreshToken:
    """A refresh token (listed as outstanding, so it can be revoked) carrying the user's session epoch."""
    token = RefreshToken.for_user(user)
    token[EPOCH_CLAIM] = user.session_epoch
    return token


def token_epoch(token: Token | RefreshToken) -> int:
    value = token.get(EPOCH_CLAIM, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


class EpochJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, plus: the token's ``epoch`` claim must be the user's current session epoch."""

    def get_user(self, validated_token: Token) -> Any:
        user = super().get_user(validated_token)
        if token_epoch(validated_token) != getattr(user, "session_epoch", 0):
            raise AuthenticationFailed(
                "This token was revoked (password changed or logged out everywhere). Log in again.",
                code="token_not_valid",
            )
        return user


class EpochJWTScheme(SimpleJWTScheme):
    """The OpenAPI security scheme of :class:`EpochJWTAuthentication`: simplejwt's bearer JWT, unchanged."""

    target_class = "accounts.authentication.EpochJWTAuthentication"
