"""The package's shape: its public names, its one-way imports (docs/architecture.md), small modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import pytest_sqsmock

# The source tree beside these tests, not wherever the package is installed (tox installs a wheel).
ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pytest_sqsmock"
README = (ROOT / "README.md").read_text(encoding="utf-8")

DOCUMENTED_NAMES = [
    "Call",
    "CallError",
    "CallLog",
    "Credentials",
    "Fault",
    "Faults",
    "MessageView",
    "NetworkBlockedError",
    "PriceTable",
    "QueueView",
    "SqsError",
    "SqsMock",
    "SqsMockAssertionError",
    "SqsMockError",
    "SqsMockSecurityWarning",
    "SqsServer",
    "UnknownQueueError",
    "Usage",
    "mock_sqs",
]

# What each layer must not import (docs/architecture.md, "Floors").
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


# The design's layers, top floor first (docs/architecture.md, "Floors"): a module may import only from a lower
# floor, or from its own package. The bottom holds what every layer shares: the clock, the SQS error
# table, identifiers and the package's exceptions.
FLOORS: dict[str, int] = {
    **dict.fromkeys(["__init__", "__main__", "plugin"], 10),
    "mock": 9,
    # What SqsMock delegates to, each written against the simulation.
    **dict.fromkeys(["activation", "decorating", "assertions", "driving", "lambda_trigger", "producers"], 8),
    # Set-up helpers: queues and messages as the API would make them (producers send through them).
    "seeding": 7,
    "simulation": 6,
    **dict.fromkeys(["journal", "faults", "snapshots", "billing"], 5),
    **dict.fromkeys(["transports", "references", "lambda_events", "environment", "clients"], 4),
    **dict.fromkeys(["service", "wire"], 3),
    "views": 2,
    "model": 1,
    **dict.fromkeys(["clock", "exceptions", "sqs_errors", "ids"], 0),
}


def package_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (anywhere in it, TYPE_CHECKING and function bodies too)."""
    root = PACKAGE.parent
    graph: dict[str, set[str]] = {}

    def module_of(name: str) -> str | None:
        while name:
            path = root / name.replace(".", "/")
            if path.with_suffix(".py").exists() or (path / "__init__.py").exists():
                return name
            name = name.rpartition(".")[0]
        return None

    for path in PACKAGE.rglob("*.py"):
        module = ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            for name in names:
                target = module_of(name) if name.startswith("pytest_sqsmock.") else None
                if target is not None and target != module:
                    targets.add(target)
        graph[module] = targets
    return graph


def unit_of(module: str) -> str:
    """The top-level module or package of the package a module belongs to."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


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
    assert not banned, f"{layer} breaks the one-way import rule (docs/architecture.md): {sorted(banned)}"


def test_every_module_sits_on_a_floor() -> None:
    units = {unit_of(module) for module in package_graph()}
    assert units == set(FLOORS)


def test_imports_only_point_down() -> None:
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in package_graph().items()
        for target in targets
        if unit_of(target) != unit_of(module) and FLOORS[unit_of(target)] >= FLOORS[unit_of(module)]
    )
    assert upward == []


def test_no_import_cycles() -> None:
    graph = package_graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


def code_lines(path: Path) -> int:
    """Lines of code: docstrings, comments and blank lines aside (the facade's docs are its API reference)."""
    source = path.read_text(encoding="utf-8")
    documentation: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                documentation.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return sum(
        1
        for number, line in enumerate(source.splitlines(), 1)
        if number not in documentation and line.strip() and not line.lstrip().startswith("#")
    )


def test_no_module_is_a_god_module() -> None:
    sizes = {path.relative_to(PACKAGE).as_posix(): code_lines(path) for path in PACKAGE.rglob("*.py")}
    assert {name: size for name, size in sizes.items() if size > 320} == {}
