"""The caches of encoders, decoders and plans by declared type, and the lookups of codecs.

``_class_plan`` and ``_tagged_union`` live with the plans (``_plans.py``), ``_dynamic_encoder``
with the encoding by runtime type (``_dynamic.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Final

from jichitai.codec._types import _Decoder, _Encoder, _type_name


class _Registry:
    """Caches of encoders and decoders by declared type; built under a lock, published whole.

    A dataclass plan registers itself before its fields are planned (so recursive types work);
    everything built during one outermost call is published together once all of it is
    complete, so another thread never sees a half-built plan.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.depth = 0
        self.published: dict[tuple[str, Any], Any] = {}
        self.staged: dict[tuple[str, Any], Any] = {}

    def get(self, kind: str, key: Any, build: Callable[[Any], Any]) -> Any:
        cache_key = (kind, key)
        try:
            return self.published[cache_key]
        except KeyError:
            pass
        except TypeError:  # an unhashable annotation (e.g. Annotated metadata)
            raise TypeError(f"cannot encode values of type {_type_name(key)}") from None
        with self.lock:
            found = self.published.get(cache_key, self.staged.get(cache_key))
            if found is not None:
                return found
            self.depth += 1
            try:
                built = build(key)
                self.staged[cache_key] = built
            except BaseException:
                self.depth -= 1
                if self.depth == 0:
                    self.staged.clear()
                raise
            self.depth -= 1
            if self.depth == 0:
                self.published.update(self.staged)
                self.staged.clear()
            return built

    def stage(self, kind: str, key: Any, value: Any) -> None:
        """Make ``value`` visible to the build in progress (this thread holds the lock)."""
        self.staged[(kind, key)] = value


_REGISTRY: Final = _Registry()


def _encoder(tp: Any) -> _Encoder:
    encoder: _Encoder = _REGISTRY.get("encode", tp, _build_encoder)
    return encoder


def _decoder(tp: Any) -> _Decoder:
    decoder: _Decoder = _REGISTRY.get("decode", tp, _build_decoder)
    return decoder


def _build_encoder(tp: Any) -> _Encoder:
    # Late import, forced by a real cycle: building a codec (``_build._codec``) builds the codecs
    # of fields and items, which ask this module for them (``_encoder``/``_decoder``). It runs
    # only when a codec is first built, never on the encode/decode path.
    from jichitai.codec._build import _codec

    encoder, decoder = _codec(tp)
    _REGISTRY.stage("decode", tp, decoder)
    return encoder


def _build_decoder(tp: Any) -> _Decoder:
    from jichitai.codec._build import _codec  # late import: see _build_encoder

    encoder, decoder = _codec(tp)
    _REGISTRY.stage("encode", tp, encoder)
    return decoder
