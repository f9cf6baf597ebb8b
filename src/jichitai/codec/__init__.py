"""A typed codec between the register's frozen dataclasses and JSON-compatible values.

The journal stores full snapshots (``ResidentRecord``), command drafts and the hash chain through
this module. ``to_primitive`` turns a value into dicts, lists, strings, numbers, booleans and
``None``; ``from_primitive`` rebuilds the typed value from the declared type. ``canonical_json``
is the byte-stable text that is hashed.

Mapping of types (the declared type drives decoding, so nothing but the tag of a union is stored
about types):

* dataclass: an object of its ``init`` fields by name. A field whose value equals its default
  (or what its ``default_factory`` returns) is **omitted**; decoding leaves it out of the
  constructor call, so the dataclass restores it. Unknown keys and missing required keys are
  errors. Fields with ``init=False`` are derived and not stored.
* value types with ``to_json()`` / classmethod ``from_json()`` (``RecordDate``, ``PersonName``,
  ``Address`` …): whatever those return / accept.
* single-string wrappers: a dataclass whose only ``init`` field is ``value: str`` or ``text: str``
  (``AtenaNumber``, ``ResidentCode``, ``Relationship``, ``MunicipalityCode`` …) is the plain
  string. Decoding calls the constructor (``cls(value)``), **not** ``parse``: stored values were
  validated when they were entered, and the constructor's own invariant checks still run. In
  particular a ``ResidentCode`` is not re-checked against a check-digit rule (as
  ``ResidentCode.parse(..., rule=RESIDENT_CODE_UNCHECKED)``), and a ``Relationship`` is rebuilt as
  ``Relationship(text)`` without re-parsing.
* ``Enum`` with all-``str`` or all-``int`` values (``StrEnum`` in practice): the value.
* ``str``, ``int``, ``bool``, ``float`` (finite only), ``None``: themselves.
* ``datetime.date``: ``"YYYY-MM-DD"``; ``datetime.datetime``: ISO 8601 with its UTC offset; naive
  datetimes are refused. Decoding gives a fixed-offset ``timezone`` (equal as an instant).
* ``tuple[X, ...]``, ``tuple[X, Y]``, ``list[X]``: a list. ``frozenset[X]``, ``set[X]``: a list
  sorted by the encoded items (so the output does not depend on set iteration order).
* ``Mapping[K, X]`` / ``dict[K, X]`` with ``K`` a ``str``, a string enum or a string wrapper: an
  object (decoded as a ``dict``).
* ``X | None``: ``None`` or the encoding of ``X``.
* a union of several dataclasses (``ChangeCommand``): ``{"type": <class name>, ...fields}``; see
  :func:`encode_tagged` / :func:`decode_tagged`. A union of scalars (``int | str``) is decoded by
  the JSON type. Other unions are refused.

Errors: an unsupported type (at any depth) or a value that does not match its declared type is a
``TypeError`` when encoding; bad data is a ``ValueError`` when decoding. Both name the path at
fault, e.g. ``ResidentRecord.foreign.aliases[0].entered_on: expected an ISO date …``.

Speed: type hints are resolved once per class (``typing.get_type_hints``) into an encode/decode
plan that is cached; plans are built under a lock and published only when complete, so the codec
is safe to use from several threads.

Layout of the package: ``api`` (the public functions), ``_build`` (which codec a declared type
gets), ``_scalars``, ``_values`` (enums, ``to_json`` types, string wrappers), ``_plans``
(dataclasses field by field, tagged unions), ``_containers`` (sequences, sets, mappings,
unions), ``_dynamic`` (encoding by runtime type), ``_registry`` (the plan caches), ``_types``
(type classification and names) and ``_errors`` (the path-collecting error).
"""

from jichitai.codec.api import (
    TAG,
    canonical_json,
    decode_tagged,
    encode_tagged,
    from_primitive,
    to_primitive,
)

__all__ = [
    "TAG",
    "canonical_json",
    "decode_tagged",
    "encode_tagged",
    "from_primitive",
    "to_primitive",
]
