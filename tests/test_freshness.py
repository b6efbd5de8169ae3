"""When the newest record was written (data_layer.dimensions.newest_record), worked out by hand on the tiny CRM on
every backend, with a table or a column missing; and the freshness line the heading writes from it."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, text

from data_layer import schema
from data_layer.config import Calendar
from data_layer.dimensions import newest_record
from tests import tiny_crm
from tests.conftest import FreshDatabases
from ui.widgets import freshness_line

CAL = Calendar("Asia/Shanghai")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _tiny(fresh_db: FreshDatabases, backend: str) -> Engine:
    engine = fresh_db.engine(backend)
    tiny_crm.load(engine)
    return engine


def test_the_newest_timestamp_in_the_companys_zone(fresh_db: FreshDatabases, backend: str) -> None:
    # Lead 4 was created 2025-06-30 16:30 UTC: 1 July 00:30 in Shanghai, the latest timestamp; the newest order
    # (SO-6) is dated 1 July too, no later, so the timestamp (with its time) stands.
    assert newest_record(_tiny(fresh_db, backend), CAL) == datetime(2025, 7, 1, 0, 30, tzinfo=SHANGHAI)


def test_a_later_order_date_or_stage_change_is_newer(fresh_db: FreshDatabases, backend: str) -> None:
    engine = _tiny(fresh_db, backend)
    order = dict(tiny_crm.ORDERS[0], order_id=10, order_number="SO-10", order_date=date(2025, 7, 3))
    with engine.begin() as conn:
        conn.execute(insert(schema.sales_order), [order])
    assert newest_record(engine, CAL) == date(2025, 7, 3)  # a date only: orders carry no time
    with engine.begin() as conn:  # 2025-07-03 17:15 UTC is 4 July 01:15 in Shanghai
        conn.execute(insert(schema.opportunity_stage_history), [dict(opportunity_id=5, changed_at=datetime(2025, 7, 3, 17, 15), stage="proposal")])
    assert newest_record(engine, CAL) == datetime(2025, 7, 4, 1, 15, tzinfo=SHANGHAI)


def test_a_missing_table_or_column_is_left_out(fresh_db: FreshDatabases, backend: str) -> None:
    engine = _tiny(fresh_db, backend)
    with engine.begin() as conn:
        conn.execute(insert(schema.opportunity_stage_history), [dict(opportunity_id=5, changed_at=datetime(2025, 8, 1), stage="proposal")])
        conn.execute(insert(schema.lead_status_history), [dict(lead_id=1, status="working", changed_at=datetime(2025, 7, 20))])
    assert newest_record(engine, CAL) == datetime(2025, 8, 1, 8, 0, tzinfo=SHANGHAI)
    schema.opportunity_stage_history.drop(engine)
    assert newest_record(engine, CAL) == datetime(2025, 7, 20, 8, 0, tzinfo=SHANGHAI)  # lead 1's change of status
    schema.lead_status_history.drop(engine)
    with engine.begin() as conn:  # the table again, without the column saying when
        conn.execute(text("CREATE TABLE lead_status_history (lead_id INTEGER, status VARCHAR(20))"))
        conn.execute(text("INSERT INTO lead_status_history VALUES (1, 'working')"))
    assert newest_record(engine, CAL) == datetime(2025, 7, 1, 0, 30, tzinfo=SHANGHAI)  # lead 4 again


@pytest.mark.parametrize("backend", ["sqlite", "duckdb"])
def test_no_record_or_no_table_is_none(fresh_db: FreshDatabases, backend: str) -> None:
    empty = fresh_db.engine(backend)
    assert newest_record(empty, CAL) is None  # not a single table
    schema.metadata.create_all(empty)
    assert newest_record(empty, CAL) is None  # the tables, with no rows


@pytest.mark.parametrize(
    ("newest", "now", "lang", "line", "stale"),
    [
        (datetime(2025, 7, 1, 0, 30, tzinfo=SHANGHAI), datetime(2025, 7, 1, 9, 0, tzinfo=SHANGHAI), "en",
         "Newest record written 1 Jul 2025 at 00:30 (today)", False),
        # 30 June 16:30 UTC is already 1 July in Shanghai: "now" is read in the company's zone too.
        (datetime(2025, 7, 1, 0, 30, tzinfo=SHANGHAI), datetime(2025, 7, 1, 17, 0, tzinfo=ZoneInfo("UTC")), "en",
         "Newest record written 1 Jul 2025 at 00:30 (1 day ago)", False),
        (date(2025, 7, 1), datetime(2025, 7, 8, 9, 0, tzinfo=SHANGHAI), "en", "Newest record dated 1 Jul 2025 (7 days ago)", False),
        (date(2025, 7, 1), datetime(2025, 7, 9, 9, 0, tzinfo=SHANGHAI), "zh", "最新记录日期为 2025年7月1日（8 天前）", True),
        (datetime(2025, 7, 1, 0, 30, tzinfo=SHANGHAI), datetime(2025, 9, 1, 9, 0, tzinfo=SHANGHAI), "zh",
         "最新记录写入于 2025年7月1日 00:30（62 天前）", True),
    ],
)
def test_the_freshness_line_says_how_old_the_newest_record_is(newest: date, now: datetime, lang: str, line: str, stale: bool) -> None:
    assert freshness_line(newest, now, CAL, lang) == (line, stale)


def test_no_record_has_no_freshness_line() -> None:
    assert freshness_line(None, datetime(2025, 7, 1, tzinfo=SHANGHAI), CAL, "en") is None
