"""The domain stays pure: no I/O, no clock, no randomness (import-linter checks the imports)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

import jichitai.services.ports as ports

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "jichitai" / "domain"
FORBIDDEN_CALLS = {"open", "input", "print", "now", "today", "utcnow", "time", "perf_counter"}
FORBIDDEN_MODULES = {"random", "secrets", "uuid", "os", "pathlib", "io", "time", "sqlite3"}


def domain_modules() -> list[Path]:
    return sorted(DOMAIN.rglob("*.py"))


@pytest.mark.parametrize("path", domain_modules(), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_code_reads_no_clock_file_or_random_source(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            assert name not in FORBIDDEN_CALLS, f"{path.name}:{node.lineno} calls {name}()"
        if isinstance(node, ast.Import):
            for alias in node.names:
                assert alias.name.split(".")[0] not in FORBIDDEN_MODULES, (path.name, alias.name)
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in FORBIDDEN_MODULES, (path.name, node.module)


def test_the_check_finds_the_domain_modules() -> None:
    assert len(domain_modules()) >= 15


ENTRYPOINTS = DOMAIN.parent / "entrypoints"
PYPROJECT = DOMAIN.parents[2] / "pyproject.toml"


def test_every_command_line_module_is_kept_apart_from_the_api_and_the_counter() -> None:
    """The import-linter contracts list the command line's modules by name (they are modules
    beside the api and web packages, not a package): a new ``cli_*.py`` must be listed too."""
    contracts = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["importlinter"]
    by_name = {c["name"]: c for c in contracts["contracts"]}
    cli_modules = {f"jichitai.entrypoints.{p.stem}" for p in ENTRYPOINTS.glob("cli*.py")}
    assert len(cli_modules) >= 5
    doors = [c for name, c in by_name.items() if "is no other door's" in name]
    assert len(doors) == 3
    for contract in doors:
        listed = set(contract["source_modules"]) | set(contract["forbidden_modules"])
        assert cli_modules <= listed, (contract["name"], sorted(cli_modules - listed))


SERVICES = DOMAIN.parent / "services"


def _protocols(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(getattr(base, "id", getattr(base, "attr", "")) == "Protocol" for base in node.bases)
    ]


def test_ports_have_one_home_services_ports() -> None:
    """Every Protocol of the services is a port and lives in ``services/ports/`` (one module per
    area, all re-exported by the package), not in the use case that happens to need it."""
    elsewhere = {
        str(path.relative_to(SERVICES)): names
        for path in sorted(SERVICES.rglob("*.py"))
        if path.parent.name != "ports" and (names := _protocols(path))
    }
    assert elsewhere == {}
    defined = {name for path in (SERVICES / "ports").glob("*.py") for name in _protocols(path)}
    assert len(defined) >= 20
    assert defined <= set(ports.__all__)


def test_services_make_no_random_ids_themselves() -> None:
    """Ids and tokens come from the ``IdSource`` port (import-linter keeps ``secrets``, ``os``
    and ``multiprocessing`` out of the services; ``uuid`` stays for formatting an id)."""
    calls = []
    for path in sorted(SERVICES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"uuid1", "uuid4", "getrandbits", "randbits", "token_hex"}
            ):
                calls.append(f"{path.name}:{node.lineno} {node.func.attr}")
    assert calls == []
