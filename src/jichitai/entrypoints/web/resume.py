"""Sending on a form that was posted after the session had ended (the "resume").

A clerk half-way through a long form whose session expires must not lose the input; but the
log-in page must not turn someone else's post into a request signed by the clerk's next log-in
(a cross-site form posting ``resume_action`` and fields to ``/ui/login`` did exactly that). So a
resume exists only when the server itself saw it happen:

- a form was posted with **this user's** session cookie (signed by this server, naming a session
  it knows) that had expired or ended, and with that session's CSRF token;
- at that moment the server seals the form (where to, and every field but the CSRF token), the
  user, the municipality and the ended session into a resume token (Fernet: encrypted and
  authenticated with a key derived from the server secret), valid for ``RESUME_MINUTES``;
- the log-in page carries only that token; ``POST /ui/login`` sends the form on only if the token
  opens, has not expired, and names the user who has just logged in. A post without a session
  cookie, with someone else's, with a failed log-in form check, or with a stolen token logged in
  as another user gets no resume.

The resume page then says in words what will be sent (the route's label, e.g. 「仮登録の本登録
（承認）」, and each field with its value) with 「送信する」 and 「送信しない」
(``routes_session.py``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

import orjson
from cryptography.fernet import Fernet, InvalidToken

RESUME_MINUTES = 30
#: The most fields kept (a move-in of a large family has a few hundred).
MAX_FIELDS = 400
#: Fields not shown on the resume page: tokens and opaque references mean nothing to a reader.
_HIDDEN_SUFFIXES = ("token", "ref")


@dataclass(frozen=True, slots=True)
class Resume:
    """A form to send on after logging in, as sealed when the session was found ended."""

    municipality_code: str
    login: str
    session_id: str
    action: str
    fields: tuple[tuple[str, str], ...]

    def shown(self) -> list[tuple[str, str]]:
        """The fields a person can read (no tokens, no opaque references)."""
        return [(name, value) for name, value in self.fields if not _hidden(name)]


def _hidden(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return any(last.endswith(suffix) for suffix in _HIDDEN_SUFFIXES)


class ResumeTokens:
    def __init__(self, secret: str) -> None:
        key = hashlib.sha256(f"jichitai counter resume\x00{secret}".encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, resume: Resume, now: datetime) -> str:
        payload = orjson.dumps(
            {
                "mun": resume.municipality_code,
                "sub": resume.login,
                "sid": resume.session_id,
                "action": resume.action,
                "fields": [list(pair) for pair in resume.fields[:MAX_FIELDS]],
            }
        )
        return self._fernet.encrypt_at_time(payload, int(now.timestamp())).decode("ascii")

    def open(self, token: str, now: datetime) -> Resume | None:
        """The resume sealed in ``token`` if it is ours and not older than RESUME_MINUTES."""
        if not token:
            return None
        try:
            payload = self._fernet.decrypt_at_time(
                token.encode("ascii"), RESUME_MINUTES * 60, int(now.timestamp())
            )
            data = orjson.loads(payload)
            resume = Resume(
                municipality_code=str(data["mun"]),
                login=str(data["sub"]),
                session_id=str(data["sid"]),
                action=str(data["action"]),
                fields=tuple((str(k), str(v)) for k, v in data["fields"]),
            )
        except (InvalidToken, UnicodeError, ValueError, KeyError, TypeError):
            return None
        return resume if is_counter_path(resume.action) else None


def is_counter_path(action: str) -> bool:
    """A path of the counter (not another site, not another part of this one)."""
    return action.startswith("/ui/") and not action.startswith("//") and "\\" not in action
