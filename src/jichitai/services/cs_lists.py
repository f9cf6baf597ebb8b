"""The printed lists of CS auto-send (standard §7.1.1.1 (1090): CSへ連携できなかった場合のエラー
表示と一覧表への印字; §4.1.3.1.2 (690): 転入通知情報取込エラー一覧表):

- CS送信エラー一覧表: the messages in error (refused by the CS, or held: a character outside
  住基ネット統一文字), with the CS's answer and the characters;
- 転入通知情報等取込エラー一覧表: what came in through the CS and could not be taken in
  (``unmatched``), with the reason;
- CS送信一覧表 (送信した本人確認情報、転入通知情報、… の照会及び一覧表への印字): the messages the
  CS took, of one kind or all, sent in the last ``days`` days, with the CS's receipt;
- 転入通知情報等取込一覧表 (転入通知情報と転出証明書情報の取込、一覧表への印字): everything taken
  in through the CS, of one kind or all, received in the last ``days`` days, with what became of it.

Either as PDF (``adapters/pdf/list_pdf.py``) or CSV. Printing needs the counter's ``issue`` (and
``view``: the lists carry names and 住民票コード); each print is logged (``print`` for PDF,
``export`` for CSV) with the persons it names.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import orjson

from jichitai.domain.access.actor import Actor
from jichitai.domain.access.roles import Permission
from jichitai.domain.errors import invalid
from jichitai.domain.national.cs_lists import (
    FREE_CODES,
    INTAKE_ERRORS,
    RECEIVED,
    SEND_ERRORS,
    SENT,
    ListDocument,
    ward_of,
)
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.cs_inbox import INBOX_KINDS, CsIntake
from jichitai.services.inbound_national import (
    decode_list_days,
    decode_list_kind,
    decode_list_ward,
)
from jichitai.services.national import KINDS, CsSender
from jichitai.services.ports import Clock

FORMATS: tuple[str, ...] = ("pdf", "csv")
JST = timezone(timedelta(hours=9))
__all__ = ["FORMATS", "CsLists", "PrintedList"]


@dataclass(frozen=True, slots=True)
class PrintedList:
    title: str
    count: int
    format: str
    data: bytes

    @property
    def media_type(self) -> str:
        return "application/pdf" if self.format == "pdf" else "text/csv; charset=utf-8"


def _format(value: str) -> str:
    if value not in FORMATS:
        raise invalid(
            "list.format_unknown", f"形式 {value[:10]} は指定できません（pdf, csv）", "format"
        )
    return value


INBOX_STATUS_LABELS = {
    "new": "未処理",
    "taken": "取込済",
    "unmatched": "取込エラー",
    "used": "特例転入に使用",
}


def _stamp(at: datetime | None) -> str:
    return at.astimezone(JST).strftime("%Y-%m-%d %H:%M") if at is not None else ""


def _address_here(text: str) -> str:
    """The address in this municipality a received message names: a 転入通知's former address,
    a 転出証明書情報's 転出先."""
    body = _body(text)
    return str(body.get("former_address") or body.get("onward_address") or "")


def _body(text: str) -> dict[str, object]:
    try:
        found = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def to_csv(document: ListDocument) -> bytes:
    """The list as CSV (UTF-8 with a BOM, as spreadsheet programs in Japan read it); a value
    a spreadsheet would take for a formula is quoted with a leading apostrophe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(document.header)
    for row in document.rows:
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@") else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class CsLists:
    def __init__(
        self,
        cs: Callable[[], CsSender],
        inbox: Callable[[], CsIntake],
        log: AccessLog,
        clock: Clock,
        render: Callable[[ListDocument], bytes],
        name_of: Callable[[str], str | None],
        stock: Callable[[Actor], Sequence[tuple[datetime, int, str, str]]] = lambda _: (),
    ) -> None:
        """``stock``: the free 住民票コード taken in, by when (``NumberLinkService``)."""
        self._stock = stock
        self._cs, self._inbox, self._log = cs, inbox, log
        self._clock, self._render, self._name_of = clock, render, name_of

    def send_errors(self, actor: Actor, format: str = "pdf") -> PrintedList:
        """CS送信エラー一覧表: every message in error, in sending order."""
        actor.require(Permission.ISSUE)
        wanted = _format(format)
        rows: list[tuple[str, ...]] = []
        atena: list[str] = []
        for e in self._cs().listed(actor, "error"):
            body = _body(e.body)
            if isinstance(body.get("atena"), str):
                atena.append(str(body["atena"]))
            rows.append(
                (
                    f"{e.seq}-{e.ordinal}",
                    e.kind,
                    str(body.get("reason_label", "")),
                    str(body.get("resident_code", "")),
                    str(body.get("name", "")),
                    e.destination,
                    e.last_error,
                    e.unconvertible,
                    str(e.attempts),
                )
            )
        header = (
            "通番",
            "種別",
            "異動事由",
            "住民票コード",
            "氏名",
            "送付先",
            "エラー内容",
            "変換できない文字",
            "送信回数",
        )
        return self._printed(actor, SEND_ERRORS, header, rows, atena, wanted, "cs:send_errors")

    def intake_errors(self, actor: Actor, format: str = "pdf") -> PrintedList:
        """転入通知情報等取込エラー一覧表: what came in and could not be taken in."""
        actor.require(Permission.ISSUE)
        wanted = _format(format)
        rows = [
            (
                str(r.relay_id),
                r.kind,
                f"{self._name_of(r.sender) or r.sender}（{r.sender}）",
                f"{r.sender_seq}-{r.sender_ordinal}",
                r.resident_code,
                r.name,
                r.note,
                _stamp(r.received_at),
            )
            for r in self._inbox().listed(actor, status="unmatched")
        ]
        header = (
            "受信番号",
            "種別",
            "送信元",
            "送信元通番",
            "住民票コード",
            "氏名",
            "理由",
            "受信日時",
        )
        return self._printed(actor, INTAKE_ERRORS, header, rows, [], wanted, "cs:intake_errors")

    def sent(
        self,
        actor: Actor,
        format: str = "pdf",
        *,
        kind: str | None = None,
        days: str | int | None = None,
        ward: str | None = None,
    ) -> PrintedList:
        """CS送信一覧表: the messages the CS took (of ``kind``; sent in the last ``days`` days;
        of persons in one 行政区 of a 指定都市), in sending order, with the CS's receipt."""
        actor.require(Permission.ISSUE)
        wanted, only, back = _format(format), decode_list_kind(kind, KINDS), decode_list_days(days)
        in_ward = decode_list_ward(ward)
        since = self._clock.now() - timedelta(days=back) if back is not None else None
        rows: list[tuple[str, ...]] = []
        atena: list[str] = []
        for e in self._cs().listed(actor, "sent"):
            if only is not None and e.kind != only:
                continue
            if since is not None and (e.sent_at is None or e.sent_at < since):
                continue
            body = _body(e.body)
            district = ward_of(str(body.get("address", "")))
            if in_ward is not None and district != in_ward:
                continue
            if isinstance(body.get("atena"), str):
                atena.append(str(body["atena"]))
            rows.append(
                (
                    f"{e.seq}-{e.ordinal}",
                    e.kind,
                    str(body.get("reason_label", "")),
                    str(body.get("resident_code", "")),
                    str(body.get("name", "")),
                    e.destination,
                    _stamp(e.sent_at),
                    e.receipt or "",
                    e.note,
                    district,
                )
            )
        header = (
            "通番",
            "種別",
            "異動事由",
            "住民票コード",
            "氏名",
            "送付先",
            "送信日時",
            "受領番号",
            "備考",
            "行政区",
        )
        target = "cs:sent" + (f" kind={only}" if only else "") + (f" days={back}" if back else "")
        target += f" ward={in_ward}" if in_ward else ""
        return self._printed(actor, SENT, header, rows, atena, wanted, target)

    def received(
        self,
        actor: Actor,
        format: str = "pdf",
        *,
        kind: str | None = None,
        days: str | int | None = None,
        ward: str | None = None,
    ) -> PrintedList:
        """転入通知情報等取込一覧表: everything taken in through the CS (of ``kind``; received in
        the last ``days`` days; of persons whose address here is in one 行政区 of a 指定都市), in
        the order it arrived, with its state."""
        actor.require(Permission.ISSUE)
        wanted, only, back = (
            _format(format),
            decode_list_kind(kind, INBOX_KINDS),
            decode_list_days(days),
        )
        in_ward = decode_list_ward(ward)
        since = self._clock.now() - timedelta(days=back) if back is not None else None
        rows = [
            (
                str(r.relay_id),
                r.kind,
                f"{self._name_of(r.sender) or r.sender}（{r.sender}）",
                f"{r.sender_seq}-{r.sender_ordinal}",
                r.resident_code,
                r.name,
                INBOX_STATUS_LABELS.get(r.status, r.status),
                r.note,
                _stamp(r.received_at),
                district,
            )
            for r in self._inbox().listed(actor, kind=only)
            if since is None or r.received_at >= since
            for district in (ward_of(_address_here(r.body)),)
            if in_ward is None or district == in_ward
        ]
        header = (
            "受信番号",
            "種別",
            "送信元",
            "送信元通番",
            "住民票コード",
            "氏名",
            "状態",
            "処理",
            "受信日時",
            "行政区",
        )
        target = (
            "cs:received" + (f" kind={only}" if only else "") + (f" days={back}" if back else "")
        )
        target += f" ward={in_ward}" if in_ward else ""
        return self._printed(actor, RECEIVED, header, rows, [], wanted, target)

    def free_codes(self, actor: Actor, format: str = "pdf") -> PrintedList:
        """住民票コード空きコード取込一覧表: the free codes taken in from the CS and still
        unused, by when they came (how many, the lowest and the highest)."""
        actor.require(Permission.ISSUE)
        wanted = _format(format)
        rows = [(_stamp(at), str(count), low, high) for at, count, low, high in self._stock(actor)]
        header = ("取込日時", "未使用の件数", "最小の住民票コード", "最大の住民票コード")
        return self._printed(actor, FREE_CODES, header, rows, [], wanted, "cs:free_codes")

    def _printed(
        self,
        actor: Actor,
        title: str,
        header: tuple[str, ...],
        rows: Sequence[tuple[str, ...]],
        atena: list[str],
        format: str,
        target: str,
    ) -> PrintedList:
        document = ListDocument(
            title,
            self._name_of(actor.municipality_code) or actor.municipality_code,
            self._clock.today(),
            header,
            tuple(rows),
        )
        data = self._render(document) if format == "pdf" else to_csv(document)
        numbers = tuple(dict.fromkeys(atena))
        self._log.record(
            actor,
            Operation.PRINT if format == "pdf" else Operation.EXPORT,
            atena_numbers=numbers,
            target=f"{target}:{format}",
            person_count=len(rows),
        )
        return PrintedList(title, len(rows), format, data)
