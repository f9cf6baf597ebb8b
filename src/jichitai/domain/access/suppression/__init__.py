"""Suppression (抑止) and DV support measures (支援措置): standard §3.1 (410), §3.4 (440).

A *setting* (:class:`Suppression`) targets one person (宛名番号) or one household (世帯番号),
names the processes it guards (:class:`Process`: 照会, 証明書発行, 異動入力, 他システム連携) and one
level for all of them: error (the process is refused) or alert (it may go on once the operator
acknowledges the alert). A person may carry several settings, each with its own processes and
level (§3.1); a household's settings apply to each of its members.

The level is :class:`~jichitai.domain.errors.Severity` itself (``Level`` is an alias): a setting's
level becomes the severity of the violations it raises, so nothing maps one onto the other.
"処理可（抑止なし）" is simply a process the setting does not name.

Life of a setting (:meth:`Suppression.status`):

- it is in force from ``starts_on`` (inclusive) until it is **lifted** (``lifted_at``). The end
  date (``ends_on``) never lifts it: §3.1 says a setting whose end date has passed stays in force
  until someone lifts it explicitly. For DV support the end date only drives the alerts below.
- a **temporary release** (一時解除) until ``released_until`` suspends the setting for 照会,
  証明書発行 and 異動入力; at ``released_until`` it is in force again by itself (no job runs: the
  check compares the time). A release never suspends 他システム連携 (FEED): §3.1 says a temporary
  release must not reach the other systems, lest they take it for a lift, so for them (and for
  the feed of the person's data) the setting stays in force.

DV support (支援措置, and 仮支援措置 while an application is examined):

- period: one year. ``ends_on`` defaults to :func:`dv_period_end` of ``starts_on`` (民法 第143条:
  the day before the same date a year later, or the last day of that month when there is no such
  date): 2020-04-01 → 2021-03-31, 2020-02-29 → 2021-02-28. It can be given instead (修正).
- extension (延長) is possible from :func:`one_month_before_end` (the first day from which the
  period ends within one month: 2021-03-31 → 2021-03-01) onwards, also after the end date as
  long as the setting has not been lifted; the new period runs one year from the day after the
  old end date (:func:`extended_end`).
- on 照会 (VIEW): an alert ``dv_support.ending_soon`` from that same day to the end date, and
  ``dv_support.ended`` after it while nobody has extended or lifted the setting (it still
  blocks, see above).
- **decision: default processes.** DV support and 仮支援措置 default to 証明書発行 (ISSUE) at error
  level: §3.4 requires an *error* for 住民票の写し等の交付. 照会 is not refused (the counter must
  still be able to find and serve the victim), but every 照会 of the person raises the alert
  ``dv_support.notice`` / ``provisional_dv_support.notice`` ("この方は支援措置の対象者です"), so
  the clerk always sees that the person is protected (§2.2.4 (380)). 異動入力 is not blocked by
  default (the victim's own move must be recordable). 他システム連携 is not blocked by default
  either: the person's data keeps flowing *with its DV flag* (:func:`flags_for`) so that the
  other systems (宛名, tax) apply their own suppression (§3.2); withholding it would leave them
  with the old address, the one the victim fled. A DV officer may name any processes and level.
- DV settings target a person, never a household (the standard protects 支援対象者 and each
  併せて支援を求める者 by name).
- messages of DV settings never carry their reason or details (who the perpetrator is, where
  the victim went): only that the person is protected and what is refused.

Violation codes (errors cannot be acknowledged; alerts are acknowledged by code):

============================================ ======== =========================================
code                                         severity raised when
============================================ ======== =========================================
``suppression.blocked``                      error    抑止 at error level on the process
``suppression.alert``                        alert    抑止 at alert level on the process
``dv_support.blocked``                       error    支援措置 at error level on the process
``dv_support.alert``                         alert    支援措置 at alert level on the process
``dv_support.notice``                        alert    照会 of a 支援対象者 (process not named)
``dv_support.ending_soon``                   alert    照会, the period ends within one month
``dv_support.ended``                         alert    照会, the period has ended, not lifted
``provisional_dv_support.blocked``           error    仮支援措置 at error level on the process
``provisional_dv_support.alert``             alert    仮支援措置 at alert level on the process
``provisional_dv_support.notice``            alert    照会 of a person under 仮支援措置
============================================ ======== =========================================

**Decision: acknowledged alerts.** :func:`check` returns what stops the process: every error and
the alerts whose code is not acknowledged (an empty answer means "go on"). :func:`applicable`
returns everything, acknowledged or not, and :func:`enforce` raises ``RuleViolations`` with the
stopping ones or returns the acknowledged alerts, as ``plan_change`` does for a 異動.

Lists naming persons (the national links'): ``listing`` (:data:`WITHHELD_MARK`, and who sees
through it).

Modules: ``model`` (the processes, kinds, status and :class:`Suppression`), ``periods`` (the
period of DV support, 民法 第143条), ``settings`` (parsing and creating a setting, its life:
lift, release, extend, amend the end, redact) and ``enforcement`` (what a process meets:
:func:`applicable`, :func:`check`, :func:`enforce`, :func:`flags_for`). Every public name is
re-exported here.
"""

from jichitai.domain.access.suppression.enforcement import (
    applicable,
    check,
    enforce,
    flags_for,
)
from jichitai.domain.access.suppression.listing import WITHHELD_MARK
from jichitai.domain.access.suppression.model import (
    DV_KINDS,
    KIND_LABELS,
    PROCESS_LABELS,
    Level,
    Process,
    Status,
    Suppression,
    SuppressionKind,
)
from jichitai.domain.access.suppression.periods import (
    dv_period_end,
    extended_end,
    months_later_end,
    one_month_before_end,
)
from jichitai.domain.access.suppression.settings import (
    MAX_DETAILS_LENGTH,
    MAX_REASON_LENGTH,
    amend_end,
    default_level,
    default_processes,
    extend,
    lift,
    new_suppression,
    parse_kind,
    parse_level,
    parse_processes,
    redacted,
    release,
)

__all__ = [
    "DV_KINDS",
    "KIND_LABELS",
    "MAX_DETAILS_LENGTH",
    "MAX_REASON_LENGTH",
    "PROCESS_LABELS",
    "WITHHELD_MARK",
    "Level",
    "Process",
    "Status",
    "Suppression",
    "SuppressionKind",
    "amend_end",
    "applicable",
    "check",
    "default_level",
    "default_processes",
    "dv_period_end",
    "enforce",
    "extend",
    "extended_end",
    "flags_for",
    "lift",
    "months_later_end",
    "new_suppression",
    "one_month_before_end",
    "parse_kind",
    "parse_level",
    "parse_processes",
    "redacted",
    "release",
]
