"""Tenants: adding a municipality (地方公共団体) and looking it up."""

from __future__ import annotations

from collections.abc import Sequence

from jichitai.domain.common.municipality import MunicipalityCode
from jichitai.domain.errors import DomainError, NotFound, Violation
from jichitai.domain.inbound.text import MUNICIPALITY_NAME
from jichitai.services.ports import Clock, Municipality, MunicipalityDirectory


class MunicipalityService:
    def __init__(self, directory: MunicipalityDirectory, clock: Clock) -> None:
        self._directory = directory
        self._clock = clock
        self._names: dict[str, str] = {}

    def add(self, code: str, name: str, *, shard: str | None = None) -> Municipality:
        """Register a tenant; the code must be a valid 地方公共団体コード (check digit included).
        ``shard``: the shard that holds its data (by default the catalog database's)."""
        parsed = MunicipalityCode.parse(code)
        name = MUNICIPALITY_NAME.read(name, "name")
        if not name:
            raise DomainError(
                Violation("municipality.name_required", "団体名を入力してください", "name")
            )
        if self._directory.get(parsed.value) is not None:
            raise DomainError(
                Violation(
                    "municipality.exists",
                    f"地方公共団体コード {parsed.value} の団体は既に登録されています",
                    "municipality_code",
                )
            )
        municipality = Municipality(parsed.value, name, self._clock.now())
        self._directory.add(municipality, shard)
        return municipality

    def get(self, code: str) -> Municipality:
        parsed = MunicipalityCode.parse(code)
        found = self._directory.get(parsed.value)
        if found is None:
            raise NotFound(
                Violation(
                    "municipality.not_found",
                    f"地方公共団体コード {parsed.value} の団体は登録されていません",
                    "municipality_code",
                )
            )
        return found

    def name_of(self, code: str) -> str | None:
        """The municipality's name, remembered once seen (tenants are added, never renamed)."""
        if code not in self._names:
            found = self._directory.get(code)
            if found is None:
                return None
            self._names[code] = found.name
        return self._names[code]

    def all(self) -> Sequence[Municipality]:
        return self._directory.all()
