"""``jichitai municipality move CODE --to SHARD`` (ADR 0016): a municipality moved to another
shard while it keeps working.

1. **Copy** the municipality's rows to the target (marked ``arriving``: not served there yet);
2. **catch up** from the journal and the other insert-only tables while writes continue, until
   a round brings few rows;
3. **freeze** the municipality's writes (they wait, they are not refused): copy the last
   appended rows and the tables updated in place, compare every table's row count, then
   **switch**: the target serves it, the catalog names the target, the source says ``moved``
   (the waiting writers go to the catalog and on to the target). The freeze ends;
4. **verify**: the target's journal hash chain, and a standard-layout export of the target
   (read in a snapshot taken before the freeze ended) byte-identical to the source's (which
   no longer changes).

A move that fails before the switch leaves the municipality on its shard, serving as before
(``move.*`` codes); run again, it resumes the copy. A failed verification after the switch is
reported (``move.verify_failed``): the copy left on the source is untouched, for a move back.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass

from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import DomainError, Violation
from jichitai.services.ports import Clock, MoveCatalog, ShardCopy, Snapshot

CATCH_UP_ROUNDS = 8
"""Copy rounds at most before the freeze, while writes continue."""
FEW_ROWS = 500
"""A round that copies at most this many rows ends the catch-up: the rest waits for the freeze."""


@dataclass(frozen=True)
class MoveChecks:
    """What a move checks the copy with, shard by shard (wired in ``bootstrap.py``)."""

    snapshot: Callable[[str, str], Snapshot]
    """(shard, municipality code) → a snapshot begun now."""
    verify_chain: Callable[[str, str], int]
    """(shard, municipality code) → the journal's entries, its hash chain verified."""


@dataclass(frozen=True)
class MoveReport:
    municipality_code: str
    source: str
    target: str
    rounds: int
    """Copy rounds while writes continued."""
    rows_copied: int
    frozen_seconds: float
    """How long the municipality's writes waited."""
    journal_entries: int
    export_files: int
    export_bytes: int
    seconds: float


def _failed(code: str, message: str) -> DomainError:
    return DomainError(Violation(code, message, "municipality_code"))


class MunicipalityMoves:
    def __init__(
        self,
        catalog: MoveCatalog,
        copy_for: Callable[[str, str, str], ShardCopy],
        checks: MoveChecks,
        clock: Clock,
        monotonic: Callable[[], float],
    ) -> None:
        """``monotonic``: seconds from a steady clock, for the durations reported."""
        self._catalog = catalog
        self._copy_for = copy_for
        self._checks = checks
        self._clock = clock
        self._monotonic = monotonic

    def move(self, municipality_code: str, to: str) -> MoveReport:
        started = self._monotonic()
        code = MunicipalityCode.parse(municipality_code).value
        source = self._catalog.begin_move(code, to, self._clock.now())
        switched = False
        try:
            copy = self._copy_for(source, to, code)
            copy.prepare()
            copied, rounds = self._catch_up(copy)
            frozen_at = self._monotonic()
            with copy.frozen() as hand_over:
                copied += copy.copy_appended()
                copied += copy.replace_current()
                differing = copy.differences()
                if differing:
                    raise _failed(
                        "move.copy_differs",
                        f"移動先の件数が移動元と一致しません（{'、'.join(differing)}）。"
                        "移動を中止しました（移動元のまま利用できます）",
                    )
                after = self._checks.snapshot(to, code)  # the state the freeze leaves
                try:
                    copy.serve_target(True)
                    hand_over()  # the source says ``moved`` as the freeze ends
                except BaseException:
                    after.close()
                    copy.serve_target(False)
                    raise
            # Writers now find the source ``moved`` and ask the catalog, which names the
            # target from here on (they wait for it a moment: ``SqlUnitOfWork``).
            try:
                self._catalog.end_move(code, switched_to=to, now=self._clock.now())
            except BaseException as exc:
                after.close()
                raise _failed(
                    "move.catalog_failed",
                    f"データはシャード {to} へ移しましたが、シャードカタログを更新できません"
                    f"でした（{exc}）。shard_assignments の {code} を {to} にしてください",
                ) from exc
            switched = True
            frozen_seconds = self._monotonic() - frozen_at
        finally:
            if not switched:
                self._catalog.end_move(code, switched_to=None, now=self._clock.now())
        entries, files, size = self._verify(code, source, to, after)
        return MoveReport(
            code,
            source,
            to,
            rounds,
            copied,
            frozen_seconds,
            entries,
            files,
            size,
            self._monotonic() - started,
        )

    def _catch_up(self, copy: ShardCopy) -> tuple[int, int]:
        copied = rounds = 0
        for rounds in range(1, CATCH_UP_ROUNDS + 1):  # noqa: B007 - the rounds are reported
            brought = copy.copy_appended()
            copied += brought
            if brought <= FEW_ROWS:
                break
        return copied, rounds

    def _verify(self, code: str, source: str, to: str, after: Snapshot) -> tuple[int, int, int]:
        try:
            exported_after = after.export()
        finally:
            after.close()
        with closing(self._checks.snapshot(source, code)) as before:
            exported_before = before.export()
        if exported_before != exported_after:
            differing = sorted(
                name
                for name in exported_before.keys() | exported_after.keys()
                if exported_before.get(name) != exported_after.get(name)
            )
            raise _failed(
                "move.verify_failed",
                f"移動後の標準レイアウト出力が移動前と一致しません（{'、'.join(differing)}）。"
                f"移動元のシャード {source} のデータはそのまま残っています",
            )
        try:
            entries = self._checks.verify_chain(to, code)
        except DomainError as exc:
            raise _failed(
                "move.verify_failed",
                f"移動先のシャード {to} で異動記録のハッシュチェーンを検証できません"
                f"（{exc.violations[0].message}）。移動元のシャード {source} のデータは"
                "そのまま残っています",
            ) from exc
        size = sum(len(content) for content in exported_after.values())
        return entries, len(exported_after), size
