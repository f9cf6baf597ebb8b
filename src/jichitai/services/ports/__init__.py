"""Ports: what the services need from the outside world, as Protocols, one module per area.

Adapters implement them (``jichitai.adapters``); ``tests/fakes.py`` has working in-memory
versions. A unit of work is opened for exactly one municipality: its repository filters every
query by that municipality's code, and no method takes the code from a caller.

Every port lives in this package, and is imported from it (``from jichitai.services.ports
import Clock``) whichever module defines it:

- ``common``: the clock, the random source and the id source;
- ``register``: the unit of work, the register's journal, read model, drafts and import, tenants;
- ``staff``: staff users, the log-in look-up, password hashing, tokens and sessions;
- ``seals``: 印鑑登録's journal and the seal image reader;
- ``certificates``: the issue history, the copy-code look-up, the PDF maker and checker;
- ``integration``: subscribers and their keys, the webhook outbox and queue, the transport, the
  host resolver;
- ``migration``: the layout export's sink, the import's source and its worker pool;
- ``suppression``: suppression settings;
- ``audit``: the access log;
- ``addresses``: the 町字 master and the file it is read from;
- ``shards``: a municipality's move between shards (the copy, the catalog, the snapshots);
- ``national``: the CS outbox (住基ネット) and the transport to the CS.
- ``immigration``: the 出入国在留管理庁長官通知 offered and the list of those taken in.
- ``cs_inbox``: the CS's mailbox of a municipality and the messages taken in from it.

A value a port carries that is a use case's own (an access-log entry, an issue record) stays
with its service and is named here for type checking only.
"""

from __future__ import annotations

from jichitai.services.ports.addresses import (
    TownAreaRepository,
    TownAreaSource,
)
from jichitai.services.ports.audit import (
    AccessLogRepository,
)
from jichitai.services.ports.card_destinations import (
    CardDestinationStore,
    RenewalSource,
    RenewalTarget,
    SendToVersion,
)
from jichitai.services.ports.certificates import (
    CertificateChecker,
    CertificateMaker,
    CertificateRepository,
    IssueCodes,
)
from jichitai.services.ports.common import (
    Clock,
    IdSource,
    RandomSource,
)
from jichitai.services.ports.cs_inbox import CsDelivery, CsInbox, CsInboxRow, CsMailbox
from jichitai.services.ports.immigration import (
    ImmigrationInbox,
    ImmigrationSource,
    InboundImmigrationNotice,
)
from jichitai.services.ports.integration import (
    HostNotFound,
    HostResolver,
    OutboxQueue,
    OutboxRepository,
    SubscriberKeys,
    SubscriberRepository,
    Transport,
)
from jichitai.services.ports.migration import (
    ExportSink,
    ImportSource,
    ProfileSource,
    RowCheckPool,
    RowToCheck,
)
from jichitai.services.ports.national import (
    CsAnswer,
    CsEntry,
    CsOutbox,
    CsTransport,
    CsUnreachable,
)
from jichitai.services.ports.national_check import (
    CardManagement,
    CardStatus,
    CardStatusStore,
    CsCopy,
)
from jichitai.services.ports.national_ops import CsManual, CsOperationsStore
from jichitai.services.ports.number_link import (
    NumberLinkRecord,
    NumberLinkRepository,
    NumberService,
    NumberServiceRefused,
    NumberServiceUnreachable,
)
from jichitai.services.ports.register import (
    GENESIS_HASH,
    Draft,
    DraftRepository,
    FeedEntry,
    HouseholdRow,
    ImportedSnapshot,
    JournalEntry,
    Municipality,
    MunicipalityDirectory,
    RegisterImport,
    RegisterJournal,
    RegisterReadModel,
    RegisterStats,
    SearchCriteria,
    UnitOfWork,
    receipt_number,
)
from jichitai.services.ports.seals import (
    SealImageReader,
    SealRepository,
)
from jichitai.services.ports.shards import MoveCatalog, ShardCopy, Snapshot
from jichitai.services.ports.staff import (
    PasswordHasher,
    SessionRepository,
    StaffLogins,
    StaffSession,
    StaffUser,
    TokenClaims,
    TokenCodec,
    UserRepository,
)
from jichitai.services.ports.suppression import (
    SuppressionRepository,
)

__all__ = [
    "GENESIS_HASH",
    "AccessLogRepository",
    "CardDestinationStore",
    "CardManagement",
    "CardStatus",
    "CardStatusStore",
    "CertificateChecker",
    "CertificateMaker",
    "CertificateRepository",
    "Clock",
    "CsAnswer",
    "CsCopy",
    "CsDelivery",
    "CsEntry",
    "CsInbox",
    "CsInboxRow",
    "CsMailbox",
    "CsManual",
    "CsOperationsStore",
    "CsOutbox",
    "CsTransport",
    "CsUnreachable",
    "Draft",
    "DraftRepository",
    "ExportSink",
    "FeedEntry",
    "HostNotFound",
    "HostResolver",
    "HouseholdRow",
    "IdSource",
    "ImmigrationInbox",
    "ImmigrationSource",
    "ImportSource",
    "ImportedSnapshot",
    "InboundImmigrationNotice",
    "IssueCodes",
    "JournalEntry",
    "MoveCatalog",
    "Municipality",
    "MunicipalityDirectory",
    "NumberLinkRecord",
    "NumberLinkRepository",
    "NumberService",
    "NumberServiceRefused",
    "NumberServiceUnreachable",
    "OutboxQueue",
    "OutboxRepository",
    "PasswordHasher",
    "ProfileSource",
    "RandomSource",
    "RegisterImport",
    "RegisterJournal",
    "RegisterReadModel",
    "RegisterStats",
    "RenewalSource",
    "RenewalTarget",
    "RowCheckPool",
    "RowToCheck",
    "SealImageReader",
    "SealRepository",
    "SearchCriteria",
    "SendToVersion",
    "SessionRepository",
    "ShardCopy",
    "Snapshot",
    "StaffLogins",
    "StaffSession",
    "StaffUser",
    "SubscriberKeys",
    "SubscriberRepository",
    "SuppressionRepository",
    "TokenClaims",
    "TokenCodec",
    "TownAreaRepository",
    "TownAreaSource",
    "Transport",
    "UnitOfWork",
    "UserRepository",
    "receipt_number",
]
