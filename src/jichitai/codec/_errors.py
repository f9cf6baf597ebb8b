"""The codec's internal error: raised deep inside, it collects its path on the way out."""

from __future__ import annotations


class _PathError(Exception):
    """Raised inside the codec; containers add their path segment on the way out."""

    def __init__(self, kind: type[Exception], reason: str) -> None:
        super().__init__(reason)
        self.kind = kind
        self.reason = reason
        self.path: list[str] = []  # innermost segment first

    def public(self, root: str) -> Exception:
        return self.kind(f"{root}{''.join(reversed(self.path))}: {self.reason}")


def _wrong_type(expected: str, value: object) -> _PathError:
    return _PathError(TypeError, f"expected {expected}, got {type(value).__qualname__}")


def _bad_data(expected: str, data: object) -> _PathError:
    shown = repr(data)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return _PathError(ValueError, f"expected {expected}, got {shown}")


def _failed(action: str, exc: Exception) -> _PathError:
    error = _PathError(ValueError, f"{action} failed: {type(exc).__name__}: {exc}")
    error.__cause__ = exc
    return error
