"""The clerk's operations on CS auto-send (standard §7.1.1.1 (1090)):

- 再送信: a message in error, or one already sent, goes again as a new message (after the
  pending ones: 異動の時系列は担保されること), with another 異動事由 if the clerk says so; the
  name is converted to 住基ネット統一文字 again with the current table. A message in error is
  completed by its re-send; a sent one stays sent.
- 手入力での補完 (``amend``): a message held (a character outside 住基ネット統一文字) or refused
  is completed or corrected by hand (the items of ``services/inbound_national.py``'s
  ``decode_cs_amendment``), converted and checked again as every message is, and sent as its
  re-send; the items changed, old and new values, who and when are kept on the new message.
- 手動で処理済み: a message in error (or pending) completed by hand with a note (送信データを
  手入力で補完して送った、等).
- 手動連携: a municipality's sending switched to manual for a while (until a time, or until
  switched back): the worker sends none of its messages meanwhile; they wait, in order.

Every value typed (note, 異動事由, 期限, items) is read by ``services/inbound_national.py``, the
one decoder of every door (API, counter, CLI), before anything else is looked at but the right.

Who: each needs the reviewer's right (``APPROVE_DRAFT``): what goes to the CS changes the
national copy of a person's 本人確認情報. Every action is recorded (who, when, the note).
"""

from __future__ import annotations

from datetime import datetime

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.errors import ConflictError, InvalidValue, NotFound, Violation
from jichitai.domain.national.cs_messages import CsMessage, unify
from jichitai.domain.national.unified_chars import UnifiedTable, describe
from jichitai.services.inbound_national import (
    CS_AMENDABLE,
    decode_cs_amendment,
    decode_cs_note,
    decode_cs_reason,
    decode_cs_until,
)
from jichitai.services.ports import Clock, CsEntry
from jichitai.services.ports.national_ops import CsManual, CsOperationsStore

__all__ = ["CsManual", "CsOperations", "unconvertible_text"]


def unconvertible_text(chars: tuple[str, ...]) -> str:
    """The clerk's wording of the characters a message was held for."""
    return "、".join(describe(c) for c in chars)


class CsOperations:
    def __init__(self, store: CsOperationsStore, clock: Clock, unified: UnifiedTable) -> None:
        self._store = store
        self._clock = clock
        self._unified = unified

    def _found(self, actor: Actor, seq: int, ordinal: int) -> CsEntry:
        entry = self._store.entry(actor.municipality_code, seq, ordinal)
        if entry is None:
            raise NotFound(
                Violation("cs.not_found", f"通番 {seq}-{ordinal} の電文はありません", "seq")
            )
        return entry

    def resend(
        self,
        actor: Actor,
        seq: int,
        ordinal: int,
        reason: str | None = None,
        note: str | None = None,
    ) -> CsEntry:
        """再送信 (with another 異動事由 if ``reason``): the new message, pending."""
        actor.require(Permission.APPROVE_DRAFT)
        changed, text = decode_cs_reason(reason), decode_cs_note(note)
        original = self._found(actor, seq, ordinal)
        if original.status not in ("error", "sent"):
            raise ConflictError(
                Violation(
                    "cs.not_resendable",
                    "再送信できるのはエラーか送信済みの電文です（送信待ちはそのまま送られます）",
                    "seq",
                )
            )
        body = orjson.loads(original.body)
        if changed is not None:
            body["reason"], body["reason_label"] = changed.value, changed.label
        body["resend_of"] = {"seq": original.seq, "ordinal": original.ordinal}
        message = unify(CsMessage(original.kind, original.destination, body), self._unified)
        label = f"{changed.label}に変更して" if changed is not None else ""
        now = self._clock.now()
        try:
            return self._store.add_resend(
                original,
                orjson.dumps(message.body, option=orjson.OPT_SORT_KEYS).decode(),
                unconvertible_text(message.unconvertible),
                (
                    f"再送信（元: 通番 {seq}-{ordinal}、{label}）"
                    if label
                    else f"再送信（元: 通番 {seq}-{ordinal}）"
                )
                + (f" {text}" if text else ""),
                actor.login,
                now,
                "再送信した" + (f" {text}" if text else "") if original.status == "error" else None,
            )
        except LookupError:
            raise ConflictError(
                Violation("cs.changed", "電文の状態が変わりました。一覧を見直してください", "seq")
            ) from None

    def amend(
        self, actor: Actor, seq: int, ordinal: int, items: object, note: str | None = None
    ) -> CsEntry:
        """送信データの手入力での補完: the message in error with ``items`` (``{"name": …}``)
        typed by the reviewer, sent again as its re-send (a new pending message after the
        pending ones); refused, and nothing changed, while a character is still outside
        住基ネット統一文字."""
        actor.require(Permission.APPROVE_DRAFT)
        typed, text = decode_cs_amendment(items), decode_cs_note(note)
        original = self._found(actor, seq, ordinal)
        if original.status != "error":
            raise ConflictError(
                Violation("cs.not_amendable", "手入力で補完できるのはエラーの電文です", "seq")
            )
        body = orjson.loads(original.body)
        absent = [key for key in typed if key not in body]
        if absent:
            raise InvalidValue(
                *(
                    Violation(
                        "cs.item_absent",
                        f"{original.kind}に{CS_AMENDABLE[key]}の項目はありません",
                        f"items.{key}",
                    )
                    for key in absent
                )
            )
        changes = [
            {"item": key, "old": str(body[key]), "new": value}
            for key, value in typed.items()
            if str(body[key]) != value
        ]
        if not changes:
            raise InvalidValue(
                Violation("cs.items_unchanged", "変更された項目がありません", "items")
            )
        body.update(typed)
        body["resend_of"] = {"seq": original.seq, "ordinal": original.ordinal}
        message = unify(CsMessage(original.kind, original.destination, body), self._unified)
        if message.unconvertible:
            raise InvalidValue(
                Violation(
                    "cs.unified_chars",
                    "住基ネット統一文字に変換できない文字があります: "
                    + unconvertible_text(message.unconvertible),
                    "items",
                )
            )
        labels = "、".join(CS_AMENDABLE[c["item"]] for c in changes)
        try:
            return self._store.add_resend(
                original,
                orjson.dumps(message.body, option=orjson.OPT_SORT_KEYS).decode(),
                "",
                f"手入力で補完（元: 通番 {seq}-{ordinal}、{labels}）"
                + (f" {text}" if text else ""),
                actor.login,
                self._clock.now(),
                f"手入力で補完して再送信した（{labels}）",
                orjson.dumps(changes).decode(),
            )
        except LookupError:
            raise ConflictError(
                Violation("cs.changed", "電文の状態が変わりました。一覧を見直してください", "seq")
            ) from None

    def complete(self, actor: Actor, seq: int, ordinal: int, note: str | None) -> CsEntry:
        """手動で処理済み, with a note (required: what was done instead)."""
        actor.require(Permission.APPROVE_DRAFT)
        text = decode_cs_note(note)
        if not text:
            raise InvalidValue(
                Violation("cs.note_missing", "手動で処理した内容をメモに書いてください", "note")
            )
        entry = self._found(actor, seq, ordinal)
        if entry.status not in ("error", "pending"):
            raise ConflictError(
                Violation(
                    "cs.not_completable",
                    "手動で処理済みにできるのはエラーか送信待ちの電文です",
                    "seq",
                )
            )
        try:
            return self._store.complete(entry, text, actor.login, self._clock.now())
        except LookupError:
            raise ConflictError(
                Violation("cs.changed", "電文の状態が変わりました。一覧を見直してください", "seq")
            ) from None

    def manual(self, actor: Actor) -> CsManual | None:
        """The switch to manual, if it is on now."""
        actor.require(Permission.VIEW)
        found = self._store.manual(actor.municipality_code)
        if found is not None and found.until is not None and found.until <= self._clock.now():
            return None
        return found

    def pause(
        self, actor: Actor, until: datetime | str | None, note: str | None = None
    ) -> CsManual:
        """手動連携に切り替える: nothing goes to the CS until ``until`` (an ISO date and time; one
        without a time zone is Japan time; None: until resumed)."""
        actor.require(Permission.APPROVE_DRAFT)
        text = decode_cs_note(note)
        now = self._clock.now()
        ends = decode_cs_until(until, now)
        manual = CsManual(actor.municipality_code, ends, actor.login, now, text)
        self._store.set_manual(manual)
        return manual

    def resume(self, actor: Actor) -> None:
        """自動送信に戻す: the waiting messages go out in order at the worker's next round."""
        actor.require(Permission.APPROVE_DRAFT)
        self._store.clear_manual(actor.municipality_code)

    def counts(self, actor: Actor) -> dict[str, int]:
        actor.require(Permission.VIEW)
        return dict(self._store.statuses(actor.municipality_code))
