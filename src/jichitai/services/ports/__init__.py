"""Ports: what the services need from the outside world, as Protocols, one module per area.

Adapters implement them (``jichitai.adapters``); ``tests/fakes.py`` has working in-memory
versions. A unit of work is opened for exactly one municipality: its repository filters every
query by that municipality's code, and no method takes the code from a caller.

Every port lives in this package, and is imported from it (``from jichitai.services.ports
import Clock``) whichever module defines it:

- ``common``: the clock, the random source and the id source;
- ``register``: the unit of work, the register's repository and read model, drafts, tenants;
- ``staff``: staff users, password hashing, tokens and sessions;
- ``seals``: 印鑑登録's journal and the seal image reader;
- ``certificates``: the issue history and the PDF maker;
- ``integration``: subscribers, the webhook outbox and transport, the host resolver;
- ``migration``: the layout export's sink, the import's source and its worker pool;
- ``suppression``: suppression settings;
- ``audit``: the access log's store.

A value a port carries that is a use case's own (an access-log entry, an issue record) stays
with its service and is named here for type checking only.
"""

from __future__ import annotations

from jichitai.services.ports.audit import (
    AccessLogStore,
)
from jichitai.services.ports.certificates import (
    CertificateMaker,
    CertificateStore,
)
from jichitai.services.ports.common import (
    Clock,
    IdSource,
    RandomSource,
)
from jichitai.services.ports.integration import (
    HostNotFound,
    HostResolver,
    OutboxAdmin,
    OutboxStore,
    SubscriberDirectory,
    Transport,
)
from jichitai.services.ports.migration import (
    ExportSink,
    ImportSource,
    RowCheckPool,
    RowToCheck,
)
from jichitai.services.ports.register import (
    GENESIS_HASH,
    Draft,
    HouseholdRow,
    ImportedSnapshot,
    JournalEntry,
    Municipality,
    MunicipalityDirectory,
    RegisterReadModel,
    RegisterRepository,
    RegisterStats,
    SearchCriteria,
    UnitOfWork,
)
from jichitai.services.ports.seals import (
    SealImageReader,
    SealRepository,
)
from jichitai.services.ports.staff import (
    PasswordHasher,
    SessionStore,
    StaffSession,
    StaffUser,
    TokenClaims,
    TokenCodec,
    UserDirectory,
)
from jichitai.services.ports.suppression import (
    SuppressionStore,
)

__all__ = [
    "GENESIS_HASH",
    "AccessLogStore",
    "CertificateMaker",
    "CertificateStore",
    "Clock",
    "Draft",
    "ExportSink",
    "HostNotFound",
    "HostResolver",
    "HouseholdRow",
    "IdSource",
    "ImportSource",
    "ImportedSnapshot",
    "JournalEntry",
    "Municipality",
    "MunicipalityDirectory",
    "OutboxAdmin",
    "OutboxStore",
    "PasswordHasher",
    "RandomSource",
    "RegisterReadModel",
    "RegisterRepository",
    "RegisterStats",
    "RowCheckPool",
    "RowToCheck",
    "SealImageReader",
    "SealRepository",
    "SearchCriteria",
    "SessionStore",
    "StaffSession",
    "StaffUser",
    "SubscriberDirectory",
    "SuppressionStore",
    "TokenClaims",
    "TokenCodec",
    "Transport",
    "UnitOfWork",
    "UserDirectory",
]
