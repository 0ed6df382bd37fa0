"""README.md's code blocks are excerpts of the files in examples/, which pytest runs.

Each fenced block of code in the README is preceded by ``<!-- examples/<file> -->``
and must appear, byte for byte, in that file. Shell blocks (commands) are exempt.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(
    r"(?:<!-- (?P<source>examples/[\w.-]+) -->\n)?```(?P<lang>\w*)\n(?P<code>.*?)^```",
    re.S | re.M,
)
EXEMPT_LANGUAGES = {"sh", "console", "text"}

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
    assert snippet["code"] in source.read_text(encoding="utf-8"), (
        f"README snippet differs from {snippet['source']}; copy the file's lines over"
    )


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
