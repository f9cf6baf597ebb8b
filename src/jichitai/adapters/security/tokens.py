"""Bearer tokens: JWT (HS256, PyJWT) carrying the login and the municipality, short-lived.

The token only says who authenticated and until when; roles and validity are read from the user
directory on every request, so a disabled user or a changed role takes effect at once.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import jwt

from jichitai.domain.access.actor import Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.services.ports import Clock, TokenClaims

_ALGORITHM = "HS256"
_AUDIENCE = "jichitai-staff"


def _refused(message: str) -> Unauthenticated:
    return Unauthenticated(Violation("auth.invalid_token", message, "Authorization"))


class JwtTokens:
    def __init__(self, secret: str, lifetime: timedelta, clock: Clock) -> None:
        self._secret = secret
        self._lifetime = lifetime
        self._clock = clock

    @property
    def lifetime(self) -> timedelta:
        return self._lifetime

    def issue(self, login: str, municipality_code: str) -> tuple[str, datetime]:
        now = self._clock.now()
        expires = now + self._lifetime
        token = jwt.encode(
            {
                "sub": login,
                "mun": municipality_code,
                "aud": _AUDIENCE,
                "iat": int(now.timestamp()),
                "exp": int(expires.timestamp()),
                "jti": str(uuid.uuid4()),
            },
            self._secret,
            algorithm=_ALGORITHM,
        )
        return token, expires

    def read(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={
                    "require": ["sub", "mun", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            raise _refused("認証情報が正しくありません。再度ログインしてください") from None
        # Expiry against the injected clock (not the system's), so tests can move time.
        if int(claims["exp"]) <= int(self._clock.now().timestamp()):
            raise _refused("ログインの有効期限が切れました。再度ログインしてください")
        login, municipality = claims["sub"], claims["mun"]
        if not isinstance(login, str) or not isinstance(municipality, str):
            raise _refused("認証情報が正しくありません。再度ログインしてください")
        return TokenClaims(login=login, municipality_code=municipality)
