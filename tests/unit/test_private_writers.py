"""Every file jichitai writes goes through ``adapters/private_files.py`` (owner-only, 0600/0700).

A project trap made a rule: a new ``write_bytes``, ``open(…, "w")``, ``mkdir`` or temporary
file in ``src/`` or ``bench/`` would be created with the umask's mode (0644, or 0666 under
umask 000) and could leave personal data readable by every local account. Such a call fails
this test unless it is listed below with the reason it holds no personal data.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "src" / "jichitai" / "adapters" / "private_files.py"
WRITERS = frozenset(
    {
        "write_text", "write_bytes", "mkdir", "makedirs", "touch", "mkstemp",
        "NamedTemporaryFile", "SpooledTemporaryFile", "copyfile", "copy2", "copytree",
    }
)  # fmt: skip
SHUTIL_ONLY = frozenset({"copy", "move"})
"""Names too common to flag on their own (``dict.copy()``): flagged as ``shutil.<name>``."""
ALLOWED_CALLS = {
    ("bench/api.py", "_server"): "the server's own log, in the bench's temporary folder (0700)",
    ("bench/api.py", "_locust"): "the locust plan and log: figures, no resident data",
    ("bench/feed.py", "_process"): "a process's log, in the bench's temporary folder (0700)",
    ("bench/migration.py", "run_import"): "the import's --json summary: counts, no persons",
    ("bench/locustfile_api.py", "_measure"): "the load run's figures, no resident data",
}
"""(file, enclosing function) → why its writes may take the umask's mode."""


def sources() -> list[Path]:
    found = [*(ROOT / "src" / "jichitai").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]
    return sorted(path for path in found if path != HELPER)


def _mode(call: ast.Call, position: int) -> str:
    for keyword in call.keywords:
        if keyword.arg == "mode" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return str(call.args[position].value)
    return "r"


def raw_writes(path: Path) -> list[tuple[str, int, str]]:
    """(enclosing function, line, call) of every call that may create or write a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, int, str]] = []

    def visit(node: ast.AST, function: str) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
                is_os = owner == "os"
                if name in WRITERS or (name in SHUTIL_ONLY and owner == "shutil"):
                    found.append((inner, child.lineno, name))
                elif name == "open" and is_os:
                    found.append((inner, child.lineno, "os.open"))
                elif name in ("open", "fdopen"):
                    # builtin open(path, mode) / os.fdopen(fd, mode); Path.open(mode)
                    position = 0 if isinstance(func, ast.Attribute) and name == "open" else 1
                    if set(_mode(child, position)) & set("wax+"):
                        found.append((inner, child.lineno, f"{name}({_mode(child, position)!r})"))
            visit(child, inner)

    visit(tree, "")
    return found


@pytest.mark.parametrize("path", sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_files_are_written_only_through_the_private_files_helper(path: Path) -> None:
    relative = str(path.relative_to(ROOT))
    offending = [
        f"{relative}:{line} {call} in {function or 'module'}()"
        for function, line, call in raw_writes(path)
        if (relative, function) not in ALLOWED_CALLS
    ]
    assert offending == [], "write through jichitai.adapters.private_files instead"


def test_the_rule_finds_writers() -> None:
    helper = raw_writes(HELPER)
    assert {call for _, _, call in helper} >= {"os.open", "fdopen('w')"}
    assert all(
        any(function == f for f, _, _ in raw_writes(ROOT / file))
        for file, function in ALLOWED_CALLS
    ), "an allowance names a function that no longer writes: remove it"
