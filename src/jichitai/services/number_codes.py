"""住民票コードの付番 from the CS's free codes (standard §4.3.1 (870)): a new person's code is drawn
at random from the stock the CS handed the municipality, and taken out of it in the change's
transaction (a change that rolls back puts it back). With the stock empty the change is refused:
with the link on, a code is never made here."""

from __future__ import annotations

from jichitai.domain.common.identifiers import ResidentCode
from jichitai.domain.errors import DomainError, Violation
from jichitai.services.ports.common import RandomSource
from jichitai.services.ports.number_link import NumberLinkRepository
from jichitai.services.ports.register import RegisterJournal

EMPTY = Violation(
    "resident_code.stock_empty",
    "住民票コードの空きコードがありません。CSから空きコードを取得してください",
    "resident_code",
)


def draw_free_code(
    stock: NumberLinkRepository, repo: RegisterJournal, random: RandomSource
) -> ResidentCode:
    """A code drawn at random from ``stock`` and taken out of it; one somebody already holds
    (it should not happen: the CS hands out unused codes) is dropped and another drawn."""
    for _ in range(50):
        size = stock.stock_size()
        if size == 0:
            break
        found = stock.stock_code_at(int(random.digits(9)) % size)
        if found is None or not stock.stock_take(found):
            continue
        code = ResidentCode.parse(found)
        if not repo.find_by_identifiers(None, code, None):
            return code
    raise DomainError(EMPTY)
