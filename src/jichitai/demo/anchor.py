"""The day the demo's generated history ends, so that a seed gives the same register on any day.

The generator used to count everything back from the day it ran (birth dates, move-in dates,
the thirty years of history, the 在留期間 ends), so the same ``--seed`` gave other persons and
other dates the next day: the README's lines (a birth date to search for, 宛名番号 0000000051
and 0000000060), the docs and the screenshots drifted. Now the generated history counts back
from a fixed day, :data:`DEMO_ANCHOR`, and depends only on the seed and the number of residents.

Only what must lie around the real today still uses the clock's today: the move-outs filed for
the coming two weeks (転出予定, dated from today, filed no later than today). A machine whose
clock is before the anchor (a wrong clock) takes its today as the anchor: no effective date may
lie after the register's today, so its demo is then not the usual one.

Moving the anchor changes every seed's register (and the pinned digest in
``tests/unit/test_demo_generator.py``, the README's birth date): do it seldom, on purpose, and
say so in the commit message.
"""

from __future__ import annotations

from datetime import date
from typing import Final

DEMO_ANCHOR: Final = date(2026, 12, 1)
"""The last day of the generated history (all its effective and filing dates are on or before
it); 在留期間 ends and ages are reckoned from it too."""


def history_anchor(today: date) -> date:
    """The day the generated history ends: :data:`DEMO_ANCHOR`, or ``today`` when the clock says
    an earlier day (no effective date may lie after the register's today)."""
    return min(DEMO_ANCHOR, today)
