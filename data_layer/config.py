"""Company settings: calendar and reporting currency, from env vars or secrets.toml.

Read by plain Python (``tomllib``), not ``st.secrets``, so the CLI and the app agree.
Order of precedence: environment variable, ``[granary]`` in ``.streamlit/secrets.toml``,
default.
"""

from __future__ import annotations

import os
from decimal import Decimal
import tomllib
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ROOT / ".streamlit" / "secrets.toml"


@dataclass(frozen=True)
class Calendar:
    """How the company counts time.

    Attributes:
        timezone: IANA zone of the company; business dates and period bounds use it.
        week_start: 0 = Monday … 6 = Sunday.
        fiscal_year_start_month: 1 = January; a fiscal year is named by the calendar
            year it ends in (FY2026 starting April 2025 ends March 2026).
    """

    timezone: str = "Asia/Shanghai"
    week_start: int = 0
    fiscal_year_start_month: int = 1

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Settings:
    calendar: Calendar
    #: None = taken from the data (the exchange_rate table's to_currency).
    reporting_currency: str | None
    connect_timeout_s: int = 5
    statement_timeout_s: int = 30


def read_secrets(path: Path = SECRETS) -> dict:
    """The parsed secrets file, or {} when there is none."""
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_settings(secrets: dict | None = None) -> Settings:
    """Settings from the environment, then ``[granary]`` in secrets, then defaults."""
    section = (read_secrets() if secrets is None else secrets).get("granary", {})

    def get(name: str, default: object) -> object:
        env = os.environ.get(f"GRANARY_{name.upper()}")
        return env if env not in (None, "") else section.get(name, default)

    calendar = Calendar(
        timezone=str(get("timezone", Calendar.timezone)),
        week_start=int(get("week_start", Calendar.week_start)),  # type: ignore[arg-type]
        fiscal_year_start_month=int(get("fiscal_year_start_month", Calendar.fiscal_year_start_month)),  # type: ignore[arg-type]
    )
    calendar.zone  # noqa: B018 - fail early on an unknown zone name
    if not 0 <= calendar.week_start <= 6:
        raise ValueError(f"week_start must be 0 (Monday) to 6 (Sunday), not {calendar.week_start}")
    if not 1 <= calendar.fiscal_year_start_month <= 12:
        raise ValueError(f"fiscal_year_start_month must be 1 to 12, not {calendar.fiscal_year_start_month}")
    currency = get("reporting_currency", None)
    return Settings(
        calendar=calendar,
        reporting_currency=str(currency).upper() if currency else None,
        connect_timeout_s=int(get("connect_timeout_s", 5)),  # type: ignore[arg-type]
        statement_timeout_s=int(get("statement_timeout_s", 30)),  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class AccessSettings:
    """Where sign-in reads its users and entitlements, and when it locks a name out.

    Attributes:
        users_file: the built-in sign-in's users (TOML); None = not configured.
        entitlements_file: who may see what (TOML); None = not configured.
        max_failures: failed sign-ins of one name within ``lockout_minutes`` that lock it out
            for the rest of that window; 0 = never lock out.
        lockout_minutes: the window failures are counted in.
    """

    users_file: Path | None = None
    entitlements_file: Path | None = None
    max_failures: int = 5
    lockout_minutes: int = 15


def load_access_settings(secrets: dict | None = None) -> AccessSettings:
    """``GRANARY_USERS_FILE``, ``GRANARY_ENTITLEMENTS_FILE``, ``GRANARY_SIGNIN_MAX_FAILURES`` and
    ``GRANARY_SIGNIN_LOCKOUT_MINUTES``, else the same names under ``[granary]`` in secrets.
    Relative paths are read from the checkout's root."""
    section = (read_secrets() if secrets is None else secrets).get("granary", {})

    def get(name: str) -> object:
        env = os.environ.get(f"GRANARY_{name.upper()}")
        return env if env not in (None, "") else section.get(name)

    def path(name: str) -> Path | None:
        value = get(name)
        if value in (None, ""):
            return None
        p = Path(str(value)).expanduser()
        return p if p.is_absolute() else ROOT / p

    def count(name: str, default: int) -> int:
        value = get(name)
        number = default if value in (None, "") else int(value)  # type: ignore[call-overload]
        if number < 0:
            raise ValueError(f"{name} must be 0 or more, not {number}")
        return number

    return AccessSettings(
        users_file=path("users_file"),
        entitlements_file=path("entitlements_file"),
        max_failures=count("signin_max_failures", AccessSettings.max_failures),
        lockout_minutes=count("signin_lockout_minutes", AccessSettings.lockout_minutes),
    )


#: The demo company's incentive plan, used when no other plan file is configured.
DEMO_PLAN_FILE = ROOT / "plans" / "demo.toml"


def plan_file(secrets: dict | None = None) -> Path:
    """The incentive plan (TOML, docs/incentive-plans.md): ``GRANARY_PLAN_FILE``, else ``plan_file`` under
    ``[granary]`` in secrets, else the demo's plan. A relative path is read from the checkout's root."""
    env = os.environ.get("GRANARY_PLAN_FILE")
    value = env if env not in (None, "") else (read_secrets() if secrets is None else secrets).get("granary", {}).get("plan_file")
    if value in (None, ""):
        return DEMO_PLAN_FILE
    p = Path(str(value)).expanduser()
    return p if p.is_absolute() else ROOT / p


#: The five sources of customer value (DOMAIN.md §5, 客户价值金字塔), in the order their weights are given.
VALUE_COMPONENTS = ("sales", "expected", "credit", "profit", "reference")


@dataclass(frozen=True)
class ValueSettings:
    """What customer profitability and the value pyramid assume (metrics/profitability.py).

    Attributes:
        cost_per_ticket: what serving one service ticket costs, in the reporting currency; the CRM records no
            cost of service, so cost to serve is tickets × this. Default 50.00.
        weights: the value score's weight of each of :data:`VALUE_COMPONENTS` (sales contribution, expected
            sales, credit, profit contribution, reference value), relative: they are divided by their sum.
            Default 30, 20, 10, 30, 10.
    """

    cost_per_ticket: Decimal = Decimal("50.00")
    weights: tuple[float, ...] = (30.0, 20.0, 10.0, 30.0, 10.0)

    def __post_init__(self) -> None:
        if self.cost_per_ticket < 0:
            raise ValueError(f"cost_per_ticket must be 0 or more, not {self.cost_per_ticket}")
        if len(self.weights) != len(VALUE_COMPONENTS) or any(w < 0 for w in self.weights) or not sum(self.weights) > 0:
            raise ValueError(f"value_weights must give {', '.join(VALUE_COMPONENTS)} each a weight of 0 or more, not all 0: {self.weights}")


def _weights(value: object) -> tuple[float, ...]:
    """``value_weights`` as a table (``{sales = 30, …}``) or text (``sales=30,expected=20,…``); components left out weigh 0."""
    if isinstance(value, str):
        pairs = [part.split("=", 1) for part in value.split(",") if part.strip()]
        if any(len(p) != 2 for p in pairs):
            raise ValueError(f"value_weights must read like sales=30,expected=20,credit=10,profit=30,reference=10, not {value!r}")
        value = {k.strip(): v.strip() for k, v in pairs}
    if not isinstance(value, dict):
        raise ValueError(f"value_weights must be a table of weights by component, not {value!r}")
    unknown = sorted(set(value) - set(VALUE_COMPONENTS))
    if unknown:
        raise ValueError(f"value_weights: unknown component {', '.join(unknown)}; expected {', '.join(VALUE_COMPONENTS)}")
    return tuple(float(value.get(name, 0)) for name in VALUE_COMPONENTS)


def load_value_settings(secrets: dict | None = None) -> ValueSettings:
    """``GRANARY_COST_PER_TICKET`` and ``GRANARY_VALUE_WEIGHTS``, else ``cost_per_ticket`` and ``value_weights``
    under ``[granary]`` in secrets, else :class:`ValueSettings`' defaults."""
    section = (read_secrets() if secrets is None else secrets).get("granary", {})

    def get(name: str) -> object:
        env = os.environ.get(f"GRANARY_{name.upper()}")
        return env if env not in (None, "") else section.get(name)

    cost, weights = get("cost_per_ticket"), get("value_weights")
    return ValueSettings(
        cost_per_ticket=ValueSettings.cost_per_ticket if cost in (None, "") else Decimal(str(cost)).quantize(Decimal("0.01")),
        weights=ValueSettings.weights if weights in (None, "") else _weights(weights),
    )
