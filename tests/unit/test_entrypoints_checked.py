"""No entry point reaches the register past the permission check and the access log.

``App.register`` (``RegisterService``) and ``App.queries`` (``RegisterQueries``) read and write
residents for the services, checking no right and logging nothing. Entry points use
``App.register_access`` (a person's data: permission, suppressions, masking, the access log) and
``App.register_overview`` (counts, 町字, the journal's check: the right checked). This test reads
the entry points' source (import-linter sees imports, not attributes) and names each use.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jichitai.entrypoints

UNCHECKED = frozenset({"register", "queries"})
# (module, function): why it may.
ALLOWED = {
    ("cli.py", "demo_seed"): "writes a synthetic demo register (no real person) at the console",
}
ENTRYPOINTS = Path(jichitai.entrypoints.__file__).parent


def unchecked_uses(source: str) -> list[tuple[str, int]]:
    """(enclosing function, line) of each ``<x>.register`` / ``<x>.queries`` but a service's
    own method of that name (``seals.register``: a seal registered by an actor)."""
    found: list[tuple[str, int]] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if (
            isinstance(node, ast.Attribute)
            and node.attr in UNCHECKED
            and not (isinstance(node.value, ast.Attribute) and node.value.attr == "seals")
        ):
            found.append((function, node.lineno))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def test_entry_points_read_the_register_only_through_the_checked_services() -> None:
    uses = [
        (str(path.relative_to(ENTRYPOINTS)), function, line)
        for path in sorted(ENTRYPOINTS.rglob("*.py"))
        for function, line in unchecked_uses(path.read_text(encoding="utf-8"))
    ]
    unexpected = [u for u in uses if u[:2] not in ALLOWED]
    assert unexpected == [], f"use register_access or register_overview: {unexpected}"
    assert {u[:2] for u in uses} == set(ALLOWED), "an allowance no longer needed"


def test_the_scan_finds_an_unchecked_read_and_lets_a_seal_registration_pass() -> None:
    source = (
        "def page(app, request):\n"
        "    app.seals.register(actor)\n"
        "    return app_of(request).queries.current('1', '2'), app.register.verify_chain('1')\n"
    )
    assert unchecked_uses(source) == [("page", 3), ("page", 3)]
