"""What the command line tools share: with no CRM configured they build the demo first, as the app
does, and output piped into a reader that stops early ends them quietly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from data_layer import check, connection
from metrics import cli


@pytest.fixture
def no_crm(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No CRM_DATABASE_URL, no secrets file, and the demo's file in a fresh folder (not yet built)."""
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    monkeypatch.setattr(connection, "read_secrets", lambda: {})
    demo = tmp_path / "var" / "demo.duckdb"
    monkeypatch.setattr(connection, "DEMO_URL", f"duckdb:///{demo}")
    return demo


def test_with_no_crm_configured_the_commands_build_the_demo_once_and_read_it(no_crm, capsys):
    assert not no_crm.exists()
    assert check.main(["--format", "csv", "--examples", "0"]) == 0
    out, err = capsys.readouterr()
    assert "building the demo CRM" in err and str(no_crm) in err
    assert no_crm.exists() and out.startswith("rule,") and "account_without_owner" in out
    assert not list(no_crm.parent.glob("*.building-*"))  # built beside, renamed into place
    built = no_crm.stat().st_mtime_ns

    assert cli.main(["summary", "--start", "2026-01-01", "--end", "2026-03-31", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "building" not in err and no_crm.stat().st_mtime_ns == built  # read, not built again
    assert "revenue" in out


def test_a_failed_demo_build_is_a_message_not_a_traceback(no_crm, monkeypatch, capsys):
    import data_layer.demo

    def broken(path: Path, as_of: object, size: str = "S") -> bool:
        raise OSError("No space left on device")

    monkeypatch.setattr(data_layer.demo, "ensure_demo_file", broken)
    assert check.main([]) == 2
    assert cli.main(["summary", "--start", "2026-01-01", "--end", "2026-03-31"]) == 2
    err = capsys.readouterr().err
    assert err.count("Could not build the demo CRM: OSError: No space left on device") == 2
    assert "Traceback" not in err and not no_crm.exists()


def test_a_given_url_is_read_as_it_is(no_crm, capsys):
    missing = no_crm.parent / "elsewhere.duckdb"
    assert check.main(["--url", f"duckdb:///{missing}"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert not no_crm.exists() and not missing.exists()  # only the demo is ever built


def test_output_piped_into_head_ends_quietly():
    # A megabyte is more than a pipe holds, so the writer meets the closed pipe.
    program = "from data_layer.commands import run; run(lambda: print('granary ' * 200_000) or 0)"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f'"{sys.executable}" -c "{program}" | head -c 10'],
        capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1], check=False,
    )
    assert done.stdout == "granary gr"
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
