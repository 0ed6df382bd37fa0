"""README.md's code blocks are excerpts of the files in examples/, which pytest runs.

Each fenced block of code in the README is preceded by ``<!-- examples/<file> -->``.
It opens with the imports it needs, as its file imports them, so that it can be
pasted; the rest appears, byte for byte, in that file. Shell blocks (commands) are
exempt. ``python -m examples.snippets`` rewrites the imports after an edit.
"""

from __future__ import annotations

import re

import pytest
from snippets import BLOCK, EXEMPT_LANGUAGES, ROOT, bindings, free_names, split_imports

README = (ROOT / "README.md").read_text(encoding="utf-8")

SNIPPETS = [m for m in BLOCK.finditer(README) if m["lang"] not in EXEMPT_LANGUAGES]


def github_anchor(heading: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def test_readme_has_snippets() -> None:
    assert len(SNIPPETS) >= 5


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda m: f"{m['source']}@{m.start()}")
def test_snippet_is_an_excerpt_of_its_example_file(snippet: re.Match[str]) -> None:
    assert snippet["source"], f"README block needs a '<!-- examples/... -->' line:\n{snippet['code']}"
    source = ROOT / snippet["source"]
    assert source.is_file(), f"{snippet['source']} does not exist"
    text = source.read_text(encoding="utf-8")
    if snippet["lang"] != "python":
        assert snippet["code"] in text, f"README snippet differs from {snippet['source']}; copy the file's lines over"
        return
    imports, body = split_imports(snippet["code"])
    assert body in text, f"README snippet differs from {snippet['source']}; copy the file's lines over"
    available = bindings(text)
    imported = bindings(imports) if imports else {}
    assert {name: available.get(name) for name in imported} == imported, (
        f"README snippet of {snippet['source']} imports what its file does not"
    )
    missing = sorted(name for name in free_names(body) if name in available and name not in imported)
    assert missing == [], f"README snippet of {snippet['source']} uses {missing} without importing them"


def test_first_snippet_is_the_quick_start() -> None:
    assert SNIPPETS[0]["source"] == "examples/test_quickstart.py"
    first_code_line = README[: SNIPPETS[0].start()].count("\n") + 1
    assert first_code_line <= 20, "the first example must come right after the commands"


def test_readme_anchors_that_error_messages_link_to_exist() -> None:
    anchors = {github_anchor(h) for h in re.findall(r"^#{2,3} (.+)$", README, re.M)}
    package = ROOT / "pytest_sqsmock"
    linked = {
        anchor
        for path in package.rglob("*.py")
        for anchor in re.findall(r"README(?:\.md)?#([\w-]+)", path.read_text(encoding="utf-8"))
    }
    stable = {
        "fixture-and-marker",
        "without-pytest",
        "controlling-time",
        "inspecting-queues",
        "inspecting-calls",
        "regions-and-accounts",
        "configuration",
        "transports",
        "errors-and-how-to-fix-them",
        "supported-operations-and-differences-from-aws",
        "migrating-from-moto",
        "changelog",
    }
    assert stable | linked <= anchors, f"missing README sections: {sorted((stable | linked) - anchors)}"
