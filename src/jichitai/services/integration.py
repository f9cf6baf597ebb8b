"""What business systems read: the query API, the change feed and the full extract.

Every answer is cut to the subscriber's items (an item it may not receive is absent), withholds
persons flagged 他業務参照不可 or under a suppression that stops passing data to other systems
(``Process.FEED``), and is written to the access log before it is returned. Drafts are never
read: the feed is the journal, which holds only approved changes.

The feed is the municipality's journal in sequence order. A journal entry's sequence number is
drawn under the lock of the chain head and the lock is held until commit, so sequence order is
commit order: a reader that asks for everything after the last sequence number it saw cannot
skip a change that a slower transaction commits later (tests/integration/test_feed_race.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import orjson

from jichitai.codec import to_primitive
from jichitai.domain.access.actor import Forbidden, Unauthenticated
from jichitai.domain.access.suppression import Process
from jichitai.domain.common.identifiers import AtenaNumber, HouseholdNumber
from jichitai.domain.errors import Violation, invalid
from jichitai.domain.inbound.integration_params import as_of_day
from jichitai.domain.integration.codes import catalogue
from jichitai.domain.integration.feed import (
    TOOK_EFFECT,
    ItemSelection,
    Withheld,
    feed_change,
    shown_records,
    took_effect_of,
)
from jichitai.domain.integration.subscribers import (
    KEY_ITEMS,
    MY_NUMBER_ITEM,
    SUPPORT_ITEM,
    Subscriber,
)
from jichitai.domain.migration.layout import Layout
from jichitai.domain.residents.search import MAX_SEARCH_RESULTS
from jichitai.services.audit import AccessLog, Operation
from jichitai.services.effective_dates import EffectiveDates
from jichitai.services.integration_csv import gaiji_report
from jichitai.services.layout_mapping import RowMapper
from jichitai.services.ports import Clock, FeedEntry, JournalEntry, SubscriberKeys, UnitOfWork
from jichitai.services.queries import RegisterQueries, SearchBy, criteria_for
from jichitai.services.suppression import SuppressionService

MAX_FEED_LIMIT = 1_000
EXTRACT_PAGE = 1_000
RESIDENT_FILE = "resident_snapshot"
INTEGRATION_ROLE = "integration"
"""The role the access log records for a business system (staff roles are never this)."""


def key_hash(api_key: str) -> str:
    """API keys are 256-bit random values, so a plain SHA-256 is enough to store them (a slow
    password hash would only slow every request without protecting a guessable secret)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class FeedPage:
    changes: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


@dataclass(frozen=True, slots=True)
class Extract:
    """A full extract: the item names, the cursor to follow the feed from, and the records."""

    items: tuple[str, ...]
    cursor: str
    records: Iterator[dict[str, str]]


def _entry_fields(
    entry: JournalEntry, planned: bool, took_effect_of: Mapping[str, Any] | None
) -> dict[str, Any]:
    return {
        "takes_effect": "planned" if planned else "now",
        "took_effect_of": took_effect_of,
        "seq": entry.seq,
        "event_id": entry.event_id,
        "kind": entry.kind,
        "reason": entry.reason,
        "reason_group": entry.reason_group,
        "effective_on": entry.effective_on.isoformat(),
        "filed_on": entry.filed_on.isoformat() if entry.filed_on else None,
        "recorded_at": entry.recorded_at.isoformat(),
        "corrects_event_id": entry.corrects_event_id,
    }


def cursor_value(cursor: str) -> int:
    """A cursor is the decimal sequence number of the last change read ("0": the start)."""
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 18:
        raise invalid(
            "feed.cursor_invalid",
            "カーソルが不正です（前回の応答の next_cursor 又は 0 を指定してください）",
            "after",
        )
    return int(cursor)


class IntegrationService:
    """The query API, the feed and the extract, for an authenticated subscriber."""

    def __init__(
        self,
        uow_for: Callable[[str], UnitOfWork],
        reader_for: Callable[..., UnitOfWork],
        queries: RegisterQueries,
        subscribers: SubscriberKeys,
        suppressions: SuppressionService,
        access_log: AccessLog,
        layout: Callable[[str], Layout],
        clock: Clock,
        layout_version: str = "1.0",
        effective: EffectiveDates | None = None,
    ) -> None:
        self._uow_for = uow_for
        self._effective = effective
        self._reader_for = reader_for
        self._clock = clock
        self._queries = queries
        self._subscribers = subscribers
        self._suppressions = suppressions
        self._log = access_log
        loaded = layout(layout_version)
        self._mapper = RowMapper(loaded.file(RESIDENT_FILE), loaded.code_tables)
        self._header = tuple(loaded.file(RESIDENT_FILE).header)
        items = loaded.file(RESIDENT_FILE).items
        self._catalogue = catalogue(loaded, items)
        self._gaiji_items = frozenset(item.name for item in items if item.gaiji)

    @property
    def item_names(self) -> tuple[str, ...]:
        """Every item of the 住民 file, in the layout's order (what a subscriber may ask for)."""
        return self._header

    def codes(self) -> dict[str, Any]:
        """Every code table and item the payloads use, with its ``version`` (no personal data:
        the same for every subscriber, not logged)."""
        return self._catalogue

    # --- authentication --------------------------------------------------------------------------

    def authenticate(self, api_key: str) -> Subscriber:
        """The enabled subscriber holding ``api_key``."""
        subscriber = self._subscribers.by_key_hash(key_hash(api_key)) if api_key else None
        if subscriber is None or subscriber.disabled:
            raise Unauthenticated(
                Violation(
                    "auth.api_key_invalid",
                    "APIキーが正しくないか、連携先が無効になっています",
                    "Authorization",
                )
            )
        return subscriber

    def narrowed(
        self,
        subscriber: Subscriber,
        municipality_code: str | None = None,
        items: Sequence[str] | None = None,
    ) -> Subscriber:
        """The subscriber as the request asks to be answered: for its own municipality only
        (another is refused, 403), with only ``items`` (its key items always; an item outside
        its scope is refused, 403, an unknown name too, 422)."""
        if municipality_code is not None and municipality_code != subscriber.municipality_code:
            raise Forbidden(
                Violation(
                    "integration.other_municipality",
                    "この連携先は他の団体のデータを参照できません",
                    "municipality",
                )
            )
        if items is None:
            return subscriber
        wanted = {i.strip() for i in items if i.strip()}
        known = {*self._header, SUPPORT_ITEM}
        unknown = sorted(wanted - known)
        if unknown:
            raise invalid(
                "integration.unknown_item",
                f"項目「{'」「'.join(unknown)}」は中間標準レイアウトの住民ファイルにありません",
                "items",
            )
        outside = sorted(i for i in wanted if not subscriber.may_receive(i))
        if outside:
            raise Forbidden(
                Violation(
                    "integration.item_not_allowed",
                    f"項目「{'」「'.join(outside)}」はこの連携先に提供できません（登録された項目の範囲外）",
                    "items",
                )
            )
        kept = tuple(i for i in subscriber.items if i in wanted or i in KEY_ITEMS)
        return replace(subscriber, items=kept)

    # --- helpers ---------------------------------------------------------------------------------

    def _row(self, primitive: Mapping[str, Any], cells: frozenset[int]) -> list[str]:
        return self._mapper.to_row(primitive, latest=True, only=cells)

    def _withheld(
        self, uow: UnitOfWork, subscriber: Subscriber, primitives: Sequence[Mapping[str, Any]]
    ) -> Withheld:
        """What the register says *now* about passing these persons on: flagged 他業務参照不可
        in their current record or under a setting that stops feeds (withheld), under 支援措置
        (told). An old change re-read from the feed is judged now too, so a subscriber
        resynchronising from cursor 0 learns no more than the extract tells it. A subscriber
        with ``withheld_duties`` receives withheld persons as any other (``Withheld.exempt``)."""
        persons = [(p["atena_number"], p["household_number"]) for p in primitives]
        if not persons:
            return Withheld(exempt=bool(subscriber.withheld_duties))
        hidden = uow.read_model.hidden_from_other_systems([a for a, _ in persons])
        stopped, supported = self._suppressions.feed_status(uow, persons)
        return Withheld(hidden | stopped, supported, exempt=bool(subscriber.withheld_duties))

    def _log_read(
        self,
        uow: UnitOfWork,
        subscriber: Subscriber,
        operation: Operation,
        records: Sequence[Mapping[str, str]],
        target: str,
    ) -> None:
        self._log.record_for_user_in(
            uow,
            subscriber.municipality_code,
            subscriber.login,
            (INTEGRATION_ROLE,),
            operation,
            place=subscriber.name,
            purpose=subscriber.system_label,
            atena_numbers=[r["宛名番号"] for r in records],
            target=target,
            my_number_shown=any(r.get(MY_NUMBER_ITEM) for r in records),
        )

    def _shown(
        self, uow: UnitOfWork, subscriber: Subscriber, primitives: Sequence[Mapping[str, Any]]
    ) -> tuple[list[dict[str, str]], int]:
        selection = ItemSelection.of(self._header, subscriber)
        withheld = self._withheld(uow, subscriber, primitives)
        return shown_records(primitives, self._row, selection, withheld)

    # --- the feed --------------------------------------------------------------------------------

    def render(
        self,
        uow: UnitOfWork,
        subscriber: Subscriber,
        entries: Sequence[FeedEntry],
    ) -> list[dict[str, Any]]:
        """Entries with their snapshots (``feed_entries``) as the subscriber receives them (the
        feed and the webhooks alike), judged in ``uow`` (the subscriber's municipality's)."""
        snapshots = [[orjson.loads(text) for text in e.snapshots] for e in entries]
        withheld = self._withheld(uow, subscriber, [p for records in snapshots for p in records])
        selection = ItemSelection.of(self._header, subscriber)
        planned = (
            uow.journal.planned_in(entries[0].entry.seq, entries[-1].entry.seq) if entries else {}
        )
        return [
            feed_change(
                _entry_fields(e.entry, e.entry.seq in planned, self._told_of(uow, e.entry)),
                records,
                self._row,
                selection,
                withheld,
                before=[orjson.loads(text) for text in e.before],
            )
            for e, records in zip(entries, snapshots, strict=True)
        ]

    @staticmethod
    def _told_of(uow: UnitOfWork, entry: JournalEntry) -> dict[str, Any] | None:
        """For a ``took_effect`` entry, the planned change whose day it tells."""
        if entry.kind != TOOK_EFFECT:
            return None
        seq = took_effect_of(entry.idempotency_key)
        (planned,) = uow.journal.journal(after_seq=seq - 1, limit=1)
        return {"seq": planned.seq, "event_id": planned.event_id}

    def changes(self, subscriber: Subscriber, after: str, limit: int) -> FeedPage:
        """Approved changes after the cursor, in commit order, at most ``limit``."""
        if not 1 <= limit <= MAX_FEED_LIMIT:
            raise invalid(
                "feed.limit_out_of_range",
                f"limit は1から{MAX_FEED_LIMIT}までで指定してください",
                "limit",
            )
        start = cursor_value(after)
        with self._uow_for(subscriber.municipality_code) as uow:
            if self._effective is not None:  # the feed is never behind the register's today
                self._effective.tell_in(uow)
            head = uow.journal.feed_head()
            if start > head:
                raise invalid(
                    "feed.cursor_invalid",
                    "カーソルがこの団体の異動の範囲を超えています（前回の応答の next_cursor を指定してください）",
                    "after",
                )
            entries = uow.journal.feed_entries(start, limit)
            changes = self.render(uow, subscriber, entries)
            next_seq = entries[-1].entry.seq if entries else start
            records = [r for change in changes for r in change["records"]]
            self._log_read(uow, subscriber, Operation.FEED, records, f"feed:{start}-{next_seq}")
            uow.commit()
        return FeedPage(changes, str(next_seq), has_more=next_seq < head)

    def withheld_persons(self, subscriber: Subscriber) -> list[str]:
        """The 宛名番号s withheld from the subscriber *now* (and nothing else of them): flagged
        他業務参照不可, or under a setting that guards feeds and applies today. What a consumer
        compares with the list it kept, to catch anything it missed (a setting made, begun or
        lifted is also told by a ``protection`` entry, ``services/protection.py``). Empty for a
        subscriber whose duty lets it receive them (``withheld_duties``). Logged as a query of
        those persons."""
        with self._uow_for(subscriber.municipality_code) as uow:
            held: set[str] = set()
            if not subscriber.withheld_duties:
                held = set(uow.read_model.hidden_atena_numbers())
                held |= self._suppressed_for_feeds(uow)
            found = sorted(held)
            self._log.record_for_user_in(
                uow,
                subscriber.municipality_code,
                subscriber.login,
                (INTEGRATION_ROLE,),
                Operation.INTEGRATION_QUERY,
                place=subscriber.name,
                purpose=subscriber.system_label,
                atena_numbers=found,
                target="withheld",
            )
            uow.commit()
        return found

    def _suppressed_for_feeds(self, uow: UnitOfWork) -> frozenset[str]:
        """The persons a setting guarding feeds applies to today (every setting is read: there
        are few, and a household's setting covers its current members)."""
        atenas: set[str] = set()
        households: set[str] = set()
        after: str | None = None
        while page := uow.read_model.suppressions_after(after, EXTRACT_PAGE):
            after = page[-1].suppression_id
            for setting in page:
                if setting.lifted_at is not None or Process.FEED not in setting.processes:
                    continue
                if setting.atena_number:
                    atenas.add(setting.atena_number)
                if setting.household_number:
                    households.add(setting.household_number)
        persons = [
            (r.atena_number.value, r.household_number.value)
            for r in uow.read_model.current_of([AtenaNumber(a) for a in sorted(atenas)])
        ]
        for household in sorted(households):
            persons.extend(
                (r.atena_number.value, household)
                for r in uow.read_model.household_residents(HouseholdNumber(household))
            )
        stopped, _ = self._suppressions.feed_status(uow, persons)
        return stopped

    def tell_effective(self, municipality_code: str, on: date | None = None) -> list[int]:
        """Append the ``took_effect`` entries of planned changes dated on or before ``on``
        (default today; a later day is refused): the seqs appended (``EffectiveDates``)."""
        if self._effective is None:
            return []
        return self._effective.run(municipality_code, on)

    # --- queries ---------------------------------------------------------------------------------

    def as_of(self, text: str | None) -> date | None:
        """The request's ``as_of`` checked against the service's today (``as_of_day``)."""
        return as_of_day(text, self._clock.today())

    def person(
        self, subscriber: Subscriber, atena_number: str, as_of: date | None = None
    ) -> dict[str, str]:
        """A person's record in effect today, or in effect on ``as_of``."""
        mc = subscriber.municipality_code
        with self._uow_for(mc) as uow:
            reads = self._queries.within(uow)
            record = (
                reads.current(atena_number) if as_of is None else reads.as_of(atena_number, as_of)
            )
            records, withheld = self._shown(uow, subscriber, [to_primitive(record)])
            target = f"person:{record.atena_number.value}" + (f"@{as_of}" if as_of else "")
            if not withheld:
                self._log_read(uow, subscriber, Operation.INTEGRATION_QUERY, records, target)
                uow.commit()
                return records[0]
            self._log.record_for_user_in(
                uow,
                mc,
                subscriber.login,
                (INTEGRATION_ROLE,),
                Operation.INTEGRATION_QUERY,
                place=subscriber.name,
                purpose=subscriber.system_label,
                atena_numbers=[record.atena_number.value],
                target=target,
                outcome="refused",
                detail="integration.withheld",
            )
            uow.commit()  # the refusal is logged; the read answers nothing
        raise Forbidden(
            Violation(
                "integration.withheld",
                "この住民の情報は他業務への提供が止められています（他業務参照不可又は支援措置等）",
                "atena_number",
            )
        )

    def household(
        self, subscriber: Subscriber, household_number: str, as_of: date | None = None
    ) -> tuple[list[dict[str, str]], int]:
        """The household's living members in display order (withheld ones left out, counted),
        today or on ``as_of``."""
        with self._uow_for(subscriber.municipality_code) as uow:
            reads = self._queries.within(uow)
            members = (
                reads.household(household_number)
                if as_of is None
                else reads.household_on(household_number, as_of)
            )
            records, withheld = self._shown(uow, subscriber, [to_primitive(m) for m in members])
            self._log_read(
                uow,
                subscriber,
                Operation.INTEGRATION_QUERY,
                records,
                f"household:{members[0].household_number.value}" + (f"@{as_of}" if as_of else ""),
            )
            uow.commit()
        return records, withheld

    def search(
        self,
        subscriber: Subscriber,
        query: str,
        by: SearchBy = SearchBy.AUTO,
        *,
        include_removed: bool = True,
        limit: int = 50,
        as_of: date | None = None,
    ) -> tuple[list[dict[str, str]], int]:
        """基本検索 by the standard keys (カナ氏名, 氏名, 生年月日, 住所, 宛名番号, 世帯番号,
        住民票コード, 在留カード番号; 個人番号 only for a subscriber that may receive it)."""
        criteria = criteria_for(query, by, include_removed=include_removed)
        if criteria.individual_number and not subscriber.may_receive(MY_NUMBER_ITEM):
            raise Forbidden(
                Violation(
                    "integration.individual_number_forbidden",
                    "この連携先は個人番号による検索ができません",
                    "q",
                )
            )
        limit = max(1, min(limit, MAX_SEARCH_RESULTS))
        with self._uow_for(subscriber.municipality_code) as uow:
            reads = self._queries.within(uow)
            found = (
                reads.search(criteria, limit)
                if as_of is None
                else reads.search_on(criteria, as_of, limit)
            )
            records, withheld = self._shown(uow, subscriber, [to_primitive(r) for r in found])
            target = f"search:{by.value}" + (f"@{as_of}" if as_of else "")
            self._log_read(uow, subscriber, Operation.INTEGRATION_QUERY, records, target)
            uow.commit()
        return records, withheld

    # --- the full extract ------------------------------------------------------------------------

    def extract(
        self, subscriber: Subscriber, *, include_removed: bool = True, as_of: date | None = None
    ) -> Extract:
        """Every person's current record, read in one snapshot, with the feed cursor of that
        snapshot: a subscriber loads the extract, then follows the feed from the cursor and
        misses nothing in between. Logged once the stream ends (with the persons it carried), in
        a unit of work of its own: the stream is paced by the client, and holding the log's lock
        (on SQLite, the database's) for it would stop every other logged action (ADR 0012)."""
        selection = ItemSelection.of(self._header, subscriber)
        today = as_of or self._clock.today()
        uow = self._reader_for(subscriber.municipality_code, snapshot=True)
        uow.__enter__()
        try:
            cursor = str(uow.journal.feed_head())
        except BaseException:
            uow.__exit__(None, None, None)
            raise

        def records() -> Iterator[dict[str, str]]:
            sent: list[Mapping[str, str]] = []
            after: str | None = None
            try:
                while True:
                    page = uow.read_model.latest_snapshots_after(
                        after, EXTRACT_PAGE, include_removed=include_removed, on=today
                    )
                    if not page:
                        break
                    primitives = [orjson.loads(t) for t in page]
                    after = primitives[-1]["atena_number"]
                    withheld = self._withheld(uow, subscriber, primitives)
                    shown, _ = shown_records(primitives, self._row, selection, withheld)
                    for record in shown:
                        sent.append(record)
                        yield record
                    if len(page) < EXTRACT_PAGE:
                        break
            finally:
                uow.__exit__(None, None, None)
                with self._uow_for(subscriber.municipality_code) as logging:
                    self._log_read(
                        logging,
                        subscriber,
                        Operation.EXTRACT,
                        sent,
                        f"extract@{cursor}" + (f" as_of {as_of}" if as_of else ""),
                    )
                    logging.commit()

        return Extract(selection.names, cursor, records())

    def extract_gaiji(
        self, subscriber: Subscriber, *, include_removed: bool = True
    ) -> tuple[str, list[tuple[str, ...]]]:
        """The 外字 report of the extract's cp932 CSV (read, and logged, as the extract is) and
        the feed cursor of its snapshot: the report fits an extract with the same cursor."""
        found = self.extract(subscriber, include_removed=include_removed)
        return found.cursor, gaiji_report(found.items, found.records, self._gaiji_items)
