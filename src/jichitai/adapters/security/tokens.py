"""Bearer tokens: JWT (HS256, PyJWT) naming the login, the municipality and the session.

The token only says who authenticated, in which session and until when; the session record is
read on every request (so a log-out or a password change ends it at once) and roles and validity
are read from the user directory, so a disabled user or a changed role takes effect at once.
Tokens without a session id (issued before sessions existed) are refused.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from jichitai.domain.access.actor import Unauthenticated
from jichitai.domain.errors import Violation
from jichitai.services.ports import Clock, TokenClaims

_ALGORITHM = "HS256"
_AUDIENCE = "jichitai-staff"
_INVALID = "認証情報が正しくありません。再度ログインしてください"


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

    def issue(self, login: str, municipality_code: str, session_id: str) -> tuple[str, datetime]:
        import jwt  # with its cryptography backends: loaded on the first token, not with the wiring

        now = self._clock.now()
        expires = now + self._lifetime
        token = jwt.encode(
            {
                "sub": login,
                "mun": municipality_code,
                "sid": session_id,
                "aud": _AUDIENCE,
                "iat": int(now.timestamp()),
                "exp": int(expires.timestamp()),
            },
            self._secret,
            algorithm=_ALGORITHM,
        )
        return token, expires

    def read(self, token: str) -> TokenClaims:
        claims = self.read_signed(token)
        if claims is None:
            raise _refused(_INVALID)
        # Expiry against the injected clock (not the system's), so tests can move time.
        if claims.expires_at <= self._clock.now():
            raise _refused("ログインの有効期限が切れました。再度ログインしてください")
        return claims

    def read_signed(self, token: str) -> TokenClaims | None:
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=_AUDIENCE,
                options={
                    "require": ["sub", "mun", "sid", "exp", "iat"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError:
            return None
        login, municipality, session = claims["sub"], claims["mun"], claims["sid"]
        if not all(isinstance(v, str) and v for v in (login, municipality, session)):
            return None
        try:
            expires = datetime.fromtimestamp(int(claims["exp"]), UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return None
        return TokenClaims(
            login=login, municipality_code=municipality, session_id=session, expires_at=expires
        )
