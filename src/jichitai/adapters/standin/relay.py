"""The stand-in CS's relay between municipalities: a 転入通知情報 or 転出証明書情報 addressed to
another municipality (its 地方公共団体コード in ``destination``) is kept in that municipality's
mailbox, in the same transaction as the CS takes it (a message taken is always relayed, once:
the CS answers a resend with its first receipt and relays nothing more). The municipality fetches
its mailbox with ``GET /v1/inbox?municipality=CODE&after=N``: the messages numbered above ``N``
(the last one it took), oldest first.

住基ネット共同利用 (``domain/national/shared_cs.py``): a message addressed to a member of a group
sharing one CS (``--shared GROUP=M1,M2``) lands in the group's mailbox, naming its addressee
(``to``); the members' system hands it on.

A destination that is not a code (a municipality the sender could not name by code) is not
relayed: the CS keeps the message (``GET /v1/messages``), as the real CS would for a municipality
outside 住基ネット's routing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import orjson

from jichitai.domain.national.move_messages import RELAYED_KINDS, is_municipality_code
from jichitai.domain.national.shared_cs import Groups, group_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS mailbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, destination TEXT NOT NULL, receipt TEXT NOT NULL UNIQUE,
    sender TEXT NOT NULL, seq INTEGER NOT NULL, ordinal INTEGER NOT NULL, kind TEXT NOT NULL,
    body TEXT NOT NULL, addressee TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS ix_mailbox_destination ON mailbox (destination, id);
"""
PAGE = 200


def deliver(
    db: sqlite3.Connection,
    receipt: str,
    sender: str,
    seq: int,
    ordinal: int,
    kind: str,
    destination: str,
    body: dict[str, Any],
    groups: Groups = (),
) -> bool:
    """Put a message just taken into its destination's mailbox (its group's, for a member of a
    shared CS; in the caller's transaction); whether it was relayed."""
    if kind not in RELAYED_KINDS or not is_municipality_code(destination):
        return False
    db.execute(
        "INSERT OR IGNORE INTO mailbox (destination, receipt, sender, seq, ordinal, kind, body,"
        " addressee) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            group_of(destination, groups),
            receipt,
            sender,
            seq,
            ordinal,
            kind,
            orjson.dumps(body).decode(),
            destination,
        ),
    )
    return True


def inbox(db: sqlite3.Connection, municipality: str, after: int) -> list[dict[str, Any]]:
    """The municipality's mailbox after message ``after``, oldest first (at most ``PAGE``)."""
    rows = db.execute(
        "SELECT id, receipt, sender, seq, ordinal, kind, addressee, body FROM mailbox"
        " WHERE destination = ? AND id > ? ORDER BY id LIMIT ?",
        (municipality, after, PAGE),
    ).fetchall()
    keys = ("id", "receipt", "sender", "seq", "ordinal", "kind", "to")
    return [{**dict(zip(keys, row[:7], strict=True)), "body": orjson.loads(row[7])} for row in rows]
