"""The README stays true: two Quick-start commands, every metric's definition."""

from __future__ import annotations

import re
from pathlib import Path

from metrics.registry import definitions_markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_quick_start_holds_exactly_make_run_and_make_test():
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    assert block.group(1).split("\n")[:-1] == ["make run", "make test"]


def test_readme_lists_every_metric_definition():
    block = README.split("<!-- metric-definitions:start -->\n", 1)[1].split("<!-- metric-definitions:end -->", 1)[0]
    assert block.strip() == definitions_markdown().strip(), "update README from: python -m metrics.registry"


def test_secrets_example_is_committed_and_secrets_ignored():
    assert (ROOT / ".streamlit" / "secrets.toml.example").exists()
    assert ".streamlit/secrets.toml" in (ROOT / ".gitignore").read_text()
