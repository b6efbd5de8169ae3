"""``python -m metrics summary`` prints the dashboard's numbers."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from sqlalchemy import create_engine

from metrics.cli import main
from metrics.registry import REGISTRY
from tests import tiny_crm


@pytest.fixture(scope="module")
def crm_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "crm.duckdb"
    engine = create_engine(f"duckdb:///{path}")
    tiny_crm.load(engine)
    engine.dispose()
    return f"duckdb:///{path}"


def test_summary_as_json(crm_url, capsys):
    assert main(["summary", "--url", crm_url, "--start", "2025-04-01", "--end", "2025-06-30", "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    by_key = {row["metric"]: row for row in out["metrics"]}
    assert set(by_key) == set(REGISTRY)
    assert by_key["revenue"]["value"] == "1220.10" and by_key["revenue"]["previous"] == "300.00"
    assert by_key["won_orders"]["value"] == 5
    assert (by_key["win_rate"]["numerator"], by_key["win_rate"]["denominator"]) == (2, 3)
    assert out["filters"]["currency"] == "USD"
    assert by_key["revenue"]["excluded"] == {"orders_no_amount": 1, "orders_no_rate": 1}  # SO-3 no amount, SO-5 in GBP
    assert by_key["won_orders"]["excluded"] == {}


def test_summary_by_unit_as_csv(crm_url, capsys):
    assert main(["summary", "--url", crm_url, "--start", "2025-04-01", "--end", "2025-06-30", "--by", "unit", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0])[:6] == ["metric", "label", "kind", "better", "group", "value"]
    north = next(r for r in rows if (r["metric"], r["group"]) == ("revenue", "NORTH"))
    assert (north["value"], north["numerator"], north["denominator"]) == ("1000.10", "1000.10", "")
    south = next(r for r in rows if (r["metric"], r["group"]) == ("revenue", "SOUTH"))
    assert (north["excluded"], south["excluded"]) == ("orders_no_rate=1", "orders_no_amount=1")  # SO-5 in N-OFF, SO-3 in S-OFF
    roi = next(r for r in rows if r["metric"] == "campaign_roi")  # a total-only metric says why it has no split
    assert roi["value"] == "" and "supports only the total" in roi["reason"]


def test_bad_input_gets_a_message_not_a_traceback(crm_url, capsys):
    with pytest.raises(SystemExit) as info:
        main(["summary", "--url", crm_url, "--start", "2025-04-01", "--end", "2025-06-30", "--unit", "NOPE"])
    assert info.value.code == 2 and "unknown unit code 'NOPE'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["summary", "--url", crm_url, "--start", "2025-06-30", "--end", "2025-04-01"])
    assert "before it starts" in capsys.readouterr().err
    assert main(["summary", "--url", "postgresql+psycopg://u:topsecret@127.0.0.1:1/x", "--start", "2025-04-01", "--end", "2025-06-30"]) == 2
    err = capsys.readouterr().err
    assert "topsecret" not in err and "127.0.0.1" in err


def test_every_command_has_help():
    for args in (["--help"], ["summary", "--help"]):
        done = subprocess.run([sys.executable, "-m", "metrics", *args], capture_output=True, text=True, check=False)
        assert done.returncode == 0 and "usage:" in done.stdout
