"""個人番号 at the storage boundary (ADR 0015): what the register's repositories seal on the way
in and open on the way out, so no column of the database holds a readable 個人番号.

The domain and the services keep the clear ``IndividualNumber``. The repositories seal the
``individual_number`` members of the JSON they store (snapshots, journal payloads, drafts) and
store the projection's search column as a keyed hash; they open the JSON they return. The journal
payload is sealed by the service through ``RegisterJournal.sealed`` before the entry is hashed,
so the chain covers the stored text (and no clear number can be guessed back from a hash).

The keys come from the key directory (``adapters/security/my_number_keys.py``), bound to the
engine by the application's wiring (``bind_keys``) so that every unit of work on that engine —
the application's and a test's own — finds them.
"""

from __future__ import annotations

from collections.abc import Callable
from weakref import WeakKeyDictionary

from sqlalchemy import Engine

from jichitai.adapters.security.my_number_keys import MyNumberCipher, MyNumberKeys

_KEYS: WeakKeyDictionary[Engine, MyNumberKeys] = WeakKeyDictionary()


def bind_keys(engine: Engine, keys: MyNumberKeys) -> None:
    """The key directory whose keys the units of work on ``engine`` seal and open with."""
    _KEYS[engine] = keys


def keys_of(engine: Engine) -> MyNumberKeys | None:
    return _KEYS.get(engine)


class Sealing:
    """One municipality's cipher for one unit of work, looked up on first use."""

    def __init__(
        self,
        keys: MyNumberKeys | None,
        municipality_code: str,
        nothing_sealed: Callable[[], bool] | None = None,
    ) -> None:
        """``nothing_sealed``: whether the municipality's stored data holds no sealed value;
        only then may its first keys be made (``MyNumberKeys.cipher``)."""
        self._keys = keys
        self._mc = municipality_code
        self._empty = nothing_sealed
        self._cipher: MyNumberCipher | None = None

    @property
    def cipher(self) -> MyNumberCipher:
        if self._cipher is None:
            if self._keys is None:
                raise RuntimeError(
                    "個人番号の鍵ディレクトリが設定されていません（adapters/db/sealing.bind_keys）"
                )
            self._cipher = self._keys.cipher(self._mc, self._empty)
        return self._cipher

    def seal_json(self, text: str) -> str:
        if '"individual_number"' not in text and "個人番号" not in text:
            return text
        return self.cipher.seal_json(text)

    def open_json(self, text: str) -> str:
        if "enc:v1:" not in text:
            return text
        return self.cipher.open_json(text)

    def search_hash(self, number: str | None) -> str | None:
        return None if number is None else self.cipher.search_hash(number)
