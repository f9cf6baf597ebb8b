"""個人番号 at rest (特定個人情報): the keys in the key directory and the cipher made from them.

Envelope encryption (ADR 0015). Per municipality a data key (DEK, 256 bits, AES-256-GCM) seals
each 個人番号 the database stores, and a search key (HMAC-SHA256) gives the keyed hash the
projection is searched by. Both are kept in the key directory wrapped by the master key (KEK,
AES-256-GCM too), never in the database::

    <key_dir>/my_number/kek-<id>.key        the master key (raw 32 bytes), one current
    <key_dir>/my_number/kek.current         the current master key's id
    <key_dir>/my_number/<code>/dek-<id>.json  a data key, wrapped: {"kek", "serial", "wrapped"}
    <key_dir>/my_number/<code>/search.json    the search key, wrapped the same way

Every file is owner-only (0600) and every folder 0700 (``adapters/private_files.py``). A sealed
value reads ``enc:v1:<DEK id>:<base64url(nonce ‖ ciphertext ‖ tag)>``; its associated data binds
the municipality, the field and the key id, so a value copied into another municipality's rows
or another field does not open. Rotating a DEK (``rotate``) adds a new one for new writes and
keeps the old ones to read what they sealed; replacing the KEK (``rewrap``) re-wraps every DEK
and search key and rewrites no data. The search key is not rotated: the projection's hashes
would all change (``encrypt-existing`` recomputes them if it ever must be).

Keys missing at first use are generated for a municipality with nothing sealed yet
(development, tests, a new municipality); for one that already holds sealed values they are refused
(``may_create``), so a server pointed at the wrong or an empty key directory fails loudly instead
of sealing with new keys and finding nobody. In production the directory is provisioned and backed
up with the database, apart from it (without it nothing sealed opens).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from jichitai.adapters.private_files import private_dir, replace_private, write_private

PREFIX: Final = "enc:v1:"
FIELD: Final = "individual_number"
_NONCE: Final = 12
_KEY_BYTES: Final = 32
_SEALED = re.compile(r'"enc:v1:([0-9a-f]{8}):([A-Za-z0-9_-]+)"')
# A JSON member named individual_number whose value is a string not sealed yet (any spacing,
# escapes kept as written, so opening gives back the very same text); and a certificate's field
# labelled 個人番号 (``["個人番号", …]``, the sheets as issued: domain/certificates/stored.py).
# Two expressions, each starting with a literal (which ``re`` searches for quickly): one with
# an alternation scanned a 770-character snapshot in 11 µs, these in about 1.
_CLEAR_VALUE = r'"((?:[^"\\]|\\.)+)"'
_CLEAR_MEMBERS = (
    ('"individual_number"', re.compile(r'("individual_number"\s*:\s*)' + _CLEAR_VALUE)),
    ('["個人番号"', re.compile(r'(\["個人番号"\s*,\s*)' + _CLEAR_VALUE)),
)


class MyNumberKeyError(Exception):
    """A sealed value that does not open: unknown key, another municipality or field, tampered."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _link_new(path: Path, data: bytes) -> bool:
    """Create ``path`` with ``data`` unless it exists (atomic: written beside, then linked, so
    a concurrent reader never sees half a file and two writers cannot both win)."""
    partial = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    write_private(partial, data, exclusive=True)
    try:
        os.link(partial, path)
        return True
    except FileExistsError:
        return False
    finally:
        partial.unlink()


def keyed_hash(search_key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` under ``search_key``, hex (a module function, so that
    ``partial(keyed_hash, key)`` can go to the data migration's worker processes, which get the
    search key only)."""
    return hmac.new(search_key, value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True, eq=False)
class MyNumberCipher:
    """One municipality's keys: seal and open 個人番号, and their keyed hash for search."""

    municipality_code: str
    current: str
    """The id of the data key new values are sealed with (the newest)."""
    data_keys: dict[str, bytes]
    search_key: bytes
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)
    """One ``AESGCM`` per key, made once (making one costs about as much as a seal)."""

    def __post_init__(self) -> None:
        self._aead.update({key_id: AESGCM(key) for key_id, key in self.data_keys.items()})

    def _ad(self, key_id: str, field: str) -> bytes:
        return f"jichitai:my_number:v1:{self.municipality_code}:{field}:{key_id}".encode()

    def seal(self, value: str, field: str = FIELD) -> str:
        nonce = os.urandom(_NONCE)
        sealed = self._aead[self.current].encrypt(
            nonce, value.encode(), self._ad(self.current, field)
        )
        return f"{PREFIX}{self.current}:{_b64(nonce + sealed)}"

    def open(self, text: str, field: str = FIELD) -> str:
        if not text.startswith(PREFIX):
            raise MyNumberKeyError("封印された個人番号ではありません")
        key_id, _, body = text[len(PREFIX) :].partition(":")
        return self._open(key_id, body, field)

    def _open(self, key_id: str, body: str, field: str) -> str:
        key = self._aead.get(key_id)
        if key is None:
            raise MyNumberKeyError(f"個人番号の鍵 {key_id} が鍵ディレクトリにありません")
        raw = _unb64(body)
        try:
            clear = key.decrypt(raw[:_NONCE], raw[_NONCE:], self._ad(key_id, field))
        except InvalidTag:
            raise MyNumberKeyError(
                f"個人番号を復号できません（団体 {self.municipality_code}・鍵 {key_id}）"
            ) from None
        return clear.decode()

    def search_hash(self, value: str) -> str:
        """The keyed hash stored instead of the number: equal numbers, equal hashes."""
        return keyed_hash(self.search_key, value)

    def seal_json(self, text: str) -> str:
        """``text`` (JSON) with the value of every ``individual_number`` member (and of every
        certificate field labelled 個人番号) sealed; values
        already sealed, ``null`` and everything else are left as they are."""

        def sealed(match: re.Match[str]) -> str:
            value = match.group(2)
            if value.startswith(PREFIX):
                return match.group(0)
            return f'{match.group(1)}"{self.seal(value)}"'

        for marker, member in _CLEAR_MEMBERS:
            if marker in text:
                text = member.sub(sealed, text)
        return text

    def open_json(self, text: str) -> str:
        """``text`` with every sealed value opened: the very text that was sealed."""
        if PREFIX not in text:
            return text
        return _SEALED.sub(lambda m: f'"{self._open(m.group(1), m.group(2), FIELD)}"', text)


class MyNumberKeys:
    """The ``my_number`` part of the key directory, read once per process and cached.

    A municipality's keys are read again when its folder changed (a rotation by the CLI while
    servers run: they seal with the new key from their next transaction, and open either).
    """

    def __init__(self, key_dir: str | Path) -> None:
        self.directory = Path(key_dir) / "my_number"
        self._lock = threading.Lock()
        self._ciphers: dict[str, tuple[int, MyNumberCipher]] = {}
        self._keks: dict[str, bytes] = {}

    # --- the master key ----------------------------------------------------------------------

    def _kek(self, kek_id: str) -> bytes:
        key = self._keks.get(kek_id)
        if key is None:
            key = (self.directory / f"kek-{kek_id}.key").read_bytes()
            self._keks[kek_id] = key
        return key

    def current_kek(self) -> str:
        pointer = self.directory / "kek.current"
        if not pointer.exists():
            private_dir(self.directory)
            kek_id = secrets.token_hex(4)
            write_private(self.directory / f"kek-{kek_id}.key", os.urandom(_KEY_BYTES))
            _link_new(pointer, kek_id.encode())
        return pointer.read_text().strip()

    def _wrap(self, kek_id: str, name: str, key: bytes, serial: int) -> bytes:
        nonce = os.urandom(_NONCE)
        wrapped = AESGCM(self._kek(kek_id)).encrypt(nonce, key, name.encode())
        document = {"kek": kek_id, "serial": serial, "wrapped": _b64(nonce + wrapped)}
        return json.dumps(document, sort_keys=True).encode()

    def _unwrap(self, name: str, document: dict[str, object]) -> bytes:
        raw = _unb64(str(document["wrapped"]))
        try:
            return AESGCM(self._kek(str(document["kek"]))).decrypt(
                raw[:_NONCE], raw[_NONCE:], name.encode()
            )
        except InvalidTag:
            raise MyNumberKeyError(f"鍵 {name} を親鍵で開けません") from None

    # --- a municipality's keys ---------------------------------------------------------------

    def _folder(self, code: str) -> Path:
        if not code.isdigit():
            raise ValueError(f"団体コード {code!r}")
        return self.directory / code

    def cipher(self, code: str, may_create: Callable[[], bool] | None = None) -> MyNumberCipher:
        """The municipality's cipher; its keys are generated the first time they are asked,
        unless ``may_create`` says no (the register already holds values sealed for the
        municipality: new keys could not open them, and a search would silently find nobody)."""
        folder = self._folder(code)
        try:
            stamp = folder.stat().st_mtime_ns
        except FileNotFoundError:
            stamp = -1
        cached = self._ciphers.get(code)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with self._lock:
            if stamp == -1:
                if may_create is not None and not may_create():
                    raise MyNumberKeyError(
                        f"団体 {code} の個人番号の鍵が鍵ディレクトリ {self.directory} にありません。"
                        "暗号化済みの記録がある団体の鍵は新たに作りません"
                        "（鍵ディレクトリの設定・復元を確認してください）"
                    )
                self._create(code)
                stamp = folder.stat().st_mtime_ns
            cipher = self._load(code)
            self._ciphers[code] = (stamp, cipher)
            return cipher

    def _create(self, code: str) -> None:
        folder = self._folder(code)
        kek = self.current_kek()
        private_dir(folder)
        _link_new(
            folder / "search.json",
            self._wrap(kek, f"{code}/search", os.urandom(_KEY_BYTES), 0),
        )
        if not any(folder.glob("dek-*.json")):
            self.rotate(code)

    def _load(self, code: str) -> MyNumberCipher:
        folder = self._folder(code)
        search = json.loads((folder / "search.json").read_text())
        keys: dict[str, bytes] = {}
        order: list[tuple[int, str]] = []
        for path in folder.glob("dek-*.json"):
            key_id = path.stem.removeprefix("dek-")
            document = json.loads(path.read_text())
            keys[key_id] = self._unwrap(f"{code}/{key_id}", document)
            order.append((int(document["serial"]), key_id))
        if not keys:
            raise MyNumberKeyError(f"団体 {code} の個人番号の鍵がありません")
        return MyNumberCipher(code, max(order)[1], keys, self._unwrap(f"{code}/search", search))

    def rotate(self, code: str) -> str:
        """A new data key for the municipality's new writes; the old ones are kept to read."""
        folder = private_dir(self._folder(code))
        serials = [int(json.loads(p.read_text())["serial"]) for p in folder.glob("dek-*.json")]
        kek = self.current_kek()
        while True:
            key_id = secrets.token_hex(4)
            document = self._wrap(
                kek, f"{code}/{key_id}", os.urandom(_KEY_BYTES), max(serials, default=0) + 1
            )
            if _link_new(folder / f"dek-{key_id}.json", document):
                self._ciphers.pop(code, None)
                return key_id

    def municipalities(self) -> list[str]:
        if not self.directory.exists():
            return []
        return sorted(p.name for p in self.directory.iterdir() if p.is_dir() and p.name.isdigit())

    def rewrap(self) -> tuple[str, int]:
        """A new master key: every data and search key re-wrapped by it, the old master keys
        removed. No data is rewritten. Returns the new master key's id and the keys re-wrapped.

        Each key file is replaced whole, and the old master key is removed only once no file
        names it, so a crash half-way leaves every key readable (run it again to finish)."""
        self.current_kek()  # made if missing
        new = secrets.token_hex(4)
        write_private(self.directory / f"kek-{new}.key", os.urandom(_KEY_BYTES))
        count = 0
        for code in self.municipalities():
            folder = self._folder(code)
            for path in sorted(folder.glob("*.json")):
                name = f"{code}/{'search' if path.stem == 'search' else path.stem[4:]}"
                document = json.loads(path.read_text())
                key = self._unwrap(name, document)
                replace_private(path, self._wrap(new, name, key, int(document["serial"])))
                count += 1
        replace_private(self.directory / "kek.current", new.encode())
        for path in self.directory.glob("kek-*.key"):
            if path.stem.removeprefix("kek-") != new:
                path.unlink()
        self._keks = {new: self._kek(new)}
        self._ciphers.clear()
        return new, count
