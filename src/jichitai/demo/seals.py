"""Demo 印鑑登録: round seals bearing each person's family name, registered for some adults.

The images come from ``draw`` (the seal-scan drawing adapter, wired by bootstrap), 12–18 mm
across. Registration goes through ``SealService.register`` like a clerk's, so the same rules
(age, one per person, size) apply.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from random import Random

from jichitai.demo.anchor import history_anchor
from jichitai.domain.access.actor import Actor
from jichitai.domain.common.identifiers import AtenaNumber
from jichitai.domain.errors import DomainError, NotFound
from jichitai.domain.residents.model import ResidentRecord
from jichitai.domain.seals.registration import MIN_AGE, attained_age


def register_demo_seals(
    register_seal: Callable[[Actor, str, bytes], object],
    draw: Callable[[str, float], bytes],
    current: Callable[[str], ResidentRecord],
    clerk: Actor,
    persons: int,
    today: date,
    *,
    share: float = 0.3,
    seed: int = 1,
) -> int:
    """Register a seal for about ``share`` of the living residents aged 15 or over among the
    first ``persons`` 宛名番号; the number registered.

    ``today`` is the register clock's today; the age is reckoned on the demo's anchor
    (:func:`~jichitai.demo.anchor.history_anchor`), so that the same seed picks the same persons
    whatever day it is run."""
    rng = Random(seed)
    anchor = history_anchor(today)
    registered = 0
    for serial in range(1, persons + 1):
        atena = AtenaNumber.from_serial(serial).value
        try:
            record = current(atena)
        except NotFound:
            continue
        if record.is_removed or not record.birth_date.is_calendar:
            continue
        if attained_age(record.birth_date.as_date(), anchor) < MIN_AGE or rng.random() >= share:
            continue
        family = record.name.family.strip() or record.name.roman.split(" ")[0][:3]
        try:
            register_seal(clerk, atena, draw(family, rng.uniform(12.0, 18.0)))
        except DomainError:
            continue  # a person the rules refuse (e.g. protected) simply has no demo seal
        registered += 1
    return registered
