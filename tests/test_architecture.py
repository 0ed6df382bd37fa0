"""The package's shape: its public names, its one-way imports (DESIGN.md), small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_sqsmock

PACKAGE = Path(pytest_sqsmock.__file__).parent
README = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")

DOCUMENTED_NAMES = [
    "Call",
    "CallError",
    "CallLog",
    "Credentials",
    "Fault",
    "Faults",
    "MessageView",
    "NetworkBlockedError",
    "QueueView",
    "SqsError",
    "SqsMock",
    "SqsMockAssertionError",
    "SqsMockError",
    "SqsMockSecurityWarning",
    "SqsServer",
    "UnknownQueueError",
    "mock_sqs",
]

# What each layer must not import (DESIGN.md "Layers"; STYLE.md 14).
FORBIDDEN = {
    "model": {"botocore", "boto3", "requests", "responses", "pytest", "pytest_sqsmock.service", "pytest_sqsmock.wire"},
    "service": {"botocore", "boto3", "pytest", "pytest_sqsmock.wire", "pytest_sqsmock.transports"},
    "wire": {
        "pytest",
        "pytest_sqsmock.service",
        "pytest_sqsmock.model",
        "pytest_sqsmock.transports",
        "pytest_sqsmock.mock",
    },
    "transports": {"pytest", "pytest_sqsmock.mock", "pytest_sqsmock.plugin"},
}


def imports_of(folder: Path) -> set[str]:
    """Every module imported anywhere below ``folder`` (and each parent package of it)."""
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                found.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return found


def test_public_api_is_what_the_readme_documents() -> None:
    assert sorted(pytest_sqsmock.__all__) == DOCUMENTED_NAMES
    undocumented = [name for name in DOCUMENTED_NAMES if f"`{name}" not in README and f"{name}(" not in README]
    assert undocumented == []


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_imports_point_one_way(layer: str) -> None:
    banned = FORBIDDEN[layer] & imports_of(PACKAGE / layer)
    assert not banned, f"{layer} breaks the one-way import rule (DESIGN.md): {sorted(banned)}"


def test_no_module_is_a_god_module() -> None:
    sizes = {path.relative_to(PACKAGE).as_posix(): len(path.read_text().splitlines()) for path in PACKAGE.rglob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 450} == {}
