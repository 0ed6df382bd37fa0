"""Reading README snippets: the imports they open with, and the names they use.

A README snippet is its example file's imports that it needs, then an excerpt of
the file. ``examples/test_readme_snippets.py`` checks both; ``python -m
examples.snippets`` rewrites each snippet's imports from its file.
"""

from __future__ import annotations

import ast
import builtins
import re
import symtable
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(
    r"(?:<!-- (?P<source>examples/[\w.-]+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```",
    re.S | re.M,
)
EXEMPT_LANGUAGES = {"sh", "console", "text"}
FIRST_PARTY = "pytest_sqsmock"

Binding = tuple[str, str | None]  # (module, name): ``import module`` has no name


def split_imports(code: str) -> tuple[str, str]:
    """A snippet's leading import statements (with the blank lines between them) and the rest."""
    try:
        statements = ast.parse(code).body
    except SyntaxError:
        return "", code
    end = 0
    for node in statements:
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            break
        end = node.end_lineno or node.lineno
    if end == 0:
        return "", code
    lines = code.splitlines(keepends=True)
    rest = lines[end:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return "".join(lines[:end]), "".join(rest)


def bindings(code: str) -> dict[str, Binding]:
    """The names a piece of code's top-level imports bind, and what each one is."""
    bound: dict[str, Binding] = {}
    for node in ast.parse(code).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0],
                    None,
                )
        elif isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            for alias in node.names:
                bound[alias.asname or alias.name] = (node.module, alias.name)
    return bound


def free_names(code: str) -> set[str]:
    """The global names ``code`` uses but neither defines nor imports, builtins aside."""
    table = symtable.symtable(code, "snippet", "exec")
    defined = {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned() or symbol.is_imported()}
    used: set[str] = set()
    tables = [table]
    while tables:
        current = tables.pop()
        tables.extend(current.get_children())
        for symbol in current.get_symbols():
            if symbol.is_referenced() and (current is table or symbol.is_global()):
                used.add(symbol.get_name())
    return used - defined - set(dir(builtins))


def import_block(needed: dict[str, Binding]) -> str:
    """Import statements for ``needed``, grouped and sorted as ruff's isort would write them."""
    plain: dict[str, set[str]] = {}
    from_imports: dict[str, set[str]] = {}
    for name, (module, member) in needed.items():
        if member is None:
            plain.setdefault(module, set()).add(module if name == module.split(".")[0] else f"{module} as {name}")
        else:
            from_imports.setdefault(module, set()).add(member if member == name else f"{member} as {name}")
    groups: dict[int, list[str]] = {}
    for module, forms in plain.items():
        groups.setdefault(_group(module), []).extend(f"import {form}" for form in forms)
    for module, members in from_imports.items():
        ordered = sorted(members, key=lambda member: (not member[:1].isupper(), member))
        groups.setdefault(_group(module), []).append(f"from {module} import {', '.join(ordered)}")
    blocks = []
    for group in sorted(groups):
        lines = sorted(groups[group], key=lambda line: (line.startswith("from "), line.split()[1]))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _group(module: str) -> int:
    top = module.split(".")[0]
    if top == FIRST_PARTY:
        return 2
    return 0 if top in sys.stdlib_module_names else 1


def rewrite(readme: str) -> str:
    """``readme`` with every snippet opening with the imports its names need from its example file."""

    def fix(match: re.Match[str]) -> str:
        if match["lang"] != "python" or not match["source"]:
            return match.group(0)
        _, body = split_imports(match["code"])
        available = bindings((ROOT / match["source"]).read_text(encoding="utf-8"))
        needed = {name: available[name] for name in sorted(free_names(body)) if name in available}
        # As ruff formats them: two blank lines before a top-level def, class or decorator, else one.
        gap = "\n\n" if body.startswith(("def ", "async def ", "class ", "@")) else "\n"
        code = (import_block(needed) + gap + body) if needed else body
        return match.group(0).replace(match["code"], code, 1)

    return BLOCK.sub(fix, readme)


if __name__ == "__main__":
    readme = ROOT / "README.md"
    readme.write_text(rewrite(readme.read_text(encoding="utf-8")), encoding="utf-8")
