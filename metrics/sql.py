"""Portable SQL functions: one construct per operation, one compile rule per dialect.

Metrics call these and never look at the dialect. Each function below compiles for SQLite,
DuckDB, PostgreSQL, MySQL/MariaDB, Snowflake, BigQuery and Trino, and returns the same value
on every backend Granary runs on (SQLite, DuckDB, PostgreSQL, MariaDB) — bit for bit, but for the
last bit of a percentile on DuckDB (see ``LIST_PERCENTILE``):

- ``seconds_between(later, earlier)``: whole seconds between two timestamps (an integer; each
  timestamp is first truncated to its second, since MySQL's DATETIME keeps no fraction).
- ``days_between(later, earlier)``: for two dates, whole days (an integer); for two
  timestamps, fractional days = ``seconds_between / 86400`` as a double. Mixing a date with a
  timestamp is refused: say which you mean.
- ``bool_sum(condition)``: how many rows satisfy ``condition`` (0, never NULL, on no rows;
  a NULL condition does not count).
- ``month_index(date)``: ``year * 12 + month - 1``, for whole-month arithmetic.
- ``to_double(x)``: ``x`` as an IEEE double.
- ``whole_cents(amount)``: an amount as whole cents, a 64-bit integer.
- ``rounded_product(amount, rate)``: ``amount × rate`` rounded to the cent, exactly.
- ``product_at_least(amount, rate, bound)``: whether ``amount × rate``, unrounded, is at least ``bound``.
- ``distribution(value, ...)``: a grouped select of ``n, p25, median, p75, p90, mean`` with
  ``percentile_cont`` semantics (linear interpolation between the two neighbouring rows).
- ``local_date(ts, start, end, cal)``: the company-zone business date of a UTC timestamp inside
  a known range, with no database time-zone function.

Why it agrees exactly: aggregate integers (``seconds_between``), not fractional days, and divide
once at the end (``distribution(..., divide_by=86400)``); constants are cast to doubles (no
DECIMAL or NUMERIC arithmetic sneaks in), and every division and interpolation is one IEEE
double operation, in the same order, on every backend. Percentiles are the exception: SQLite, MariaDB
and PostgreSQL interpolate in the same order and agree bit for bit, while DuckDB uses its own exact
percentile, which is four times faster and may differ from theirs in the last bit (never in any digit
a page or export shows; see ``NATIVE_PERCENTILE``, ``LIST_PERCENTILE`` and ``ARRAY_PERCENTILE``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Date, Float, FromClause, Integer, Select, case, cast, func, literal, literal_column, null, select, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import sqltypes
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from data_layer.config import Calendar
from data_layer.filters import local_midnight_utc

#: Every dialect the functions compile for (MariaDB is MySQL's dialect under another name).
DIALECTS = ("sqlite", "duckdb", "postgresql", "mysql", "mariadb", "snowflake", "bigquery", "trino")
#: Dialects that use their own ``percentile_cont(q) WITHIN GROUP (ORDER BY x)``. Trino has only
#: ``approx_percentile``, BigQuery ``PERCENTILE_CONT`` only as a window function, SQLite and MySQL none
#: (MariaDB's is a window function).
NATIVE_PERCENTILE = frozenset({"snowflake"})
#: Dialects whose exact native percentile takes every fraction at once and selects rather than sorts:
#: DuckDB's ``quantile_cont(x, [q, …])``. It is percentile_cont, but it rounds the interpolation as
#: fma(lo, 1 − d, hi·d) where the others compute lo + (hi − lo)·d, so about one group in ten differs from
#: PostgreSQL's, SQLite's and MariaDB's answer in the last bit (checked on two million values in 400,000
#: groups). Worth it: the sales cycle's four quantiles over 1.4 M won deals take 0.085 s this way against
#: 0.34 s sorting each group's values into an array (demo size L), and percentiles are days and shares,
#: shown to a few digits, never money or counts.
LIST_PERCENTILE = frozenset({"duckdb"})
#: Dialects that find the two neighbouring rows in one sorted array per group
#: (``(array_agg(x ORDER BY x))[k]``, 1-based) instead of the window formulation (row_number and
#: count over the group, then a second aggregation). PostgreSQL's own ``percentile_cont`` interpolates
#: as Granary does, but sorts once per fraction.
ARRAY_PERCENTILE = frozenset({"postgresql"})
#: Dialects that need neither the window formulation's ranks nor its neighbours.
_NO_WINDOW = NATIVE_PERCENTILE | LIST_PERCENTILE | ARRAY_PERCENTILE
#: The statistics of ``distribution``, as column name → fraction.
QUANTILES: Mapping[str, float] = {"p25": 0.25, "median": 0.5, "p75": 0.75, "p90": 0.9}

_MYSQL = ("mysql", "mariadb")


def _args(element: FunctionElement) -> list[ColumnElement[Any]]:
    return list(element.clauses)


def _as_expression(value: object) -> ColumnElement[Any]:
    return value if isinstance(value, ColumnElement) else literal(value)


# --- to_double ------------------------------------------------------------------------------------


class _ToDouble(FunctionElement[float]):
    type = Float()
    name = "to_double"
    inherit_cache = True


def to_double(x: object) -> ColumnElement[float]:
    """``x`` as an IEEE double (exact for integers below 2**53)."""
    return _ToDouble(_as_expression(x))


def _cast_as(target: str) -> Any:
    def render(element: _ToDouble, compiler: SQLCompiler, **kw: Any) -> str:
        return f"CAST({compiler.process(_args(element)[0], **kw)} AS {target})"

    return render


compiles(_ToDouble, "default")(_cast_as("DOUBLE PRECISION"))
compiles(_ToDouble, "postgresql")(_cast_as("DOUBLE PRECISION"))
compiles(_ToDouble, "sqlite")(_cast_as("REAL"))
compiles(_ToDouble, "bigquery")(_cast_as("FLOAT64"))
for _d in ("duckdb", "snowflake", "trino", *_MYSQL):  # MySQL ≥ 8.0.17, MariaDB ≥ 10.4.5
    compiles(_ToDouble, _d)(_cast_as("DOUBLE"))


# --- seconds_between and days_between -------------------------------------------------------------


class _SecondsBetween(FunctionElement[int]):
    type = Integer()
    name = "seconds_between"
    inherit_cache = True


class _DaysBetweenDates(FunctionElement[int]):
    type = Integer()
    name = "days_between_dates"
    inherit_cache = True


def seconds_between(later: object, earlier: object) -> ColumnElement[int]:
    """Whole seconds from ``earlier`` to ``later`` (negative when ``later`` is earlier); each
    timestamp is truncated to its second first. NULL when either is NULL."""
    return _SecondsBetween(_as_expression(later), _as_expression(earlier))


def days_between(later: object, earlier: object) -> ColumnElement[Any]:
    """Days from ``earlier`` to ``later``.

    Two dates give whole days (an integer: 1 March − 28 February = 1). Two timestamps give
    fractional days as a double, ``seconds_between / 86400`` (six hours = 0.25): a deal won the
    hour it opened lasts a fraction of a day, not zero. A date and a timestamp raise TypeError.
    To average or take percentiles exactly, aggregate ``seconds_between`` and divide once.
    """
    a, b = _as_expression(later), _as_expression(earlier)
    dates = [isinstance(x.type, sqltypes.Date) for x in (a, b)]
    if all(dates):
        return _DaysBetweenDates(a, b)
    if any(dates):
        raise TypeError("days_between needs two dates or two timestamps, not one of each")
    return _divide(to_double(_SecondsBetween(a, b)), _double_literal(86400))


def _binary(template: str) -> Any:
    def render(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
        later, earlier = (compiler.process(x, **kw) for x in _args(element))
        return template.format(a=later, b=earlier)

    return render


# PostgreSQL: the epoch of a timestamp without time zone is its nominal seconds since 1970.
compiles(_SecondsBetween, "postgresql")(
    _binary("CAST(EXTRACT(EPOCH FROM date_trunc('second', {a})) - EXTRACT(EPOCH FROM date_trunc('second', {b})) AS BIGINT)")
)
compiles(_SecondsBetween, "duckdb")(_binary("date_diff('second', date_trunc('second', {b}), date_trunc('second', {a}))"))
compiles(_SecondsBetween, "sqlite")(_binary("(CAST(strftime('%s', {a}) AS INTEGER) - CAST(strftime('%s', {b}) AS INTEGER))"))
# TO_SECONDS drops the fraction of each side; TIMESTAMPDIFF would truncate their difference instead.
for _d in _MYSQL:
    compiles(_SecondsBetween, _d)(_binary("(TO_SECONDS({a}) - TO_SECONDS({b}))"))
compiles(_SecondsBetween, "snowflake")(_binary("DATEDIFF(second, {b}, {a})"))  # counts second boundaries
compiles(_SecondsBetween, "bigquery")(_binary("DATETIME_DIFF({a}, {b}, SECOND)"))  # counts second boundaries
compiles(_SecondsBetween, "trino")(_binary("date_diff('second', date_trunc('second', {b}), date_trunc('second', {a}))"))

compiles(_DaysBetweenDates, "postgresql")(_binary("({a} - {b})"))
compiles(_DaysBetweenDates, "duckdb")(_binary("date_diff('day', {b}, {a})"))
# julianday of a date is n + 0.5: the difference of two is an exact whole number.
compiles(_DaysBetweenDates, "sqlite")(_binary("CAST(julianday({a}) - julianday({b}) AS INTEGER)"))
for _d in _MYSQL:
    compiles(_DaysBetweenDates, _d)(_binary("DATEDIFF({a}, {b})"))
compiles(_DaysBetweenDates, "snowflake")(_binary("DATEDIFF(day, {b}, {a})"))
compiles(_DaysBetweenDates, "bigquery")(_binary("DATE_DIFF({a}, {b}, DAY)"))
compiles(_DaysBetweenDates, "trino")(_binary("date_diff('day', {b}, {a})"))


# --- whole_cents ----------------------------------------------------------------------------------


class _WholeCents(FunctionElement[int]):
    type = BigInteger()
    name = "whole_cents"
    inherit_cache = True


def whole_cents(amount: ColumnElement[Any]) -> ColumnElement[int]:
    """An amount as whole cents, rounded half away from zero, as a 64-bit integer. Give an exact
    amount its NUMERIC type (``type_coerce``) where SQLAlchemy cannot know it (``func.round``), so
    that DuckDB and PostgreSQL skip a rounding their cast does anyway."""
    return _WholeCents(amount)


def _whole_cents(element: _WholeCents, compiler: SQLCompiler, **kw: Any) -> str:
    (amount,) = _args(element)
    hundred = amount * literal_column("100", Integer())
    exact = isinstance(amount.type, sqltypes.Numeric) and not isinstance(amount.type, sqltypes.Float)
    if compiler.dialect.name == "duckdb" and isinstance(amount, _RoundedProduct):
        # The cents of a rounded product straight from its doubles (see _rounded_product_duckdb), not
        # through NUMERIC(38, 2) and back: five decimal operations a value fewer (two million wallets).
        f, clear = _double_cents(*_args(amount))
        slow = whole_cents(type_coerce(_exact_rounded(*_args(amount)), sqltypes.Numeric(38, 2)))
        return compiler.process(case((clear, cast(func.round(f), BigInteger())), else_=slow), **kw)
    if compiler.dialect.name == "duckdb" and exact:
        # DuckDB rounds a NUMERIC half away from zero when it casts it to fewer decimals or to an integer
        # (checked over 14 million values). A NUMERIC(38, s) lives in 128 bits, where that division
        # costs a quarter of a microsecond a value; narrowed first to NUMERIC(18, 2) — free when s is 2,
        # rounding as the cast would otherwise — it is a 64-bit one, whose times 100 stays in 18 digits
        # below 10^14. From 10^13 the wide cast stays.
        narrow = cast(cast(amount, sqltypes.Numeric(18, 2)) * literal_column("100", Integer()), BigInteger())
        wide = cast(hundred, BigInteger())
        return compiler.process(case((func.abs(amount) < literal_column("1e13"), narrow), else_=wide), **kw)
    if compiler.dialect.name == "postgresql" and exact:
        # PostgreSQL rounds a NUMERIC half away from zero when it casts it to an integer: the same as
        # ROUND(x, 0) first, at the cost of one rounding fewer.
        return compiler.process(cast(hundred, BigInteger()), **kw)
    return compiler.process(cast(func.round(hundred, 0), BigInteger()), **kw)


compiles(_WholeCents, "default")(_whole_cents)


# --- rounded_product ------------------------------------------------------------------------------


class _RoundedProduct(FunctionElement[Any]):
    type = sqltypes.Numeric(38, 2)
    name = "rounded_product"
    inherit_cache = True


def rounded_product(amount: ColumnElement[Any], factor: ColumnElement[Any]) -> ColumnElement[Any]:
    """``amount × factor`` rounded half away from zero to the cent, exactly (NULL when either is):
    an amount (two decimals) converted at a rate (up to eight). The amount is widened first, since
    DuckDB types NUMERIC(18, 2) × NUMERIC(18, 8) as 18 digits and overflows from about 100 million."""
    return _RoundedProduct(amount, factor)


def _exact_rounded(amount: ColumnElement[Any], factor: ColumnElement[Any]) -> ColumnElement[Any]:
    """ROUND(amount × factor, 2) in decimals, the amount widened first (see :func:`rounded_product`)."""
    return func.round(cast(amount, sqltypes.Numeric(38, 2)) * factor, 2)


def _rounded_product(element: _RoundedProduct, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(_exact_rounded(*_args(element)), **kw)


#: The relative error allowed for the product of two decimals computed in doubles. Each of the four
#: IEEE operations (two conversions, two multiplications) is off by at most half an ulp (2^-53 ≈ 1.1e-16
#: relative), so the product is off by under 1e-15 of itself; a hundred times that is allowed.
DOUBLE_PRODUCT_ERROR = "1e-13"


def _double_cents(amount: ColumnElement[Any], factor: ColumnElement[Any]) -> tuple[ColumnElement[float], ColumnElement[bool]]:
    """``amount × factor × 100`` in doubles, and whether it lies clear of a half cent by more than its error."""
    f = to_double(amount) * to_double(factor) * literal_column("100.0", Float())
    return f, func.abs(f - func.floor(f) - literal_column("0.5", Float())) > func.abs(f) * literal_column(DOUBLE_PRODUCT_ERROR, Float())


def _rounded_product_duckdb(element: _RoundedProduct, compiler: SQLCompiler, **kw: Any) -> str:
    """DuckDB rounds its 128-bit decimals slowly (a quarter of a microsecond a value: most of share of
    wallet's time at two million accounts). The cents computed in doubles, f = amount × factor × 100, are
    the exact cents rounded wherever the exact value lies farther than f's error from a half cent: then
    f and the exact value round to the same whole number. A value within that band of a half cent (a
    tie, or one so large that the band is wide) takes the exact path. The cents become NUMERIC(38, 2)
    through a 64-bit multiplication by 0.01, which rounds nothing."""
    amount, factor = _args(element)
    f, clear = _double_cents(amount, factor)
    cents = cast(cast(func.round(f), BigInteger()), sqltypes.Numeric(18, 0)) * literal_column("0.01", sqltypes.Numeric(3, 2))
    return compiler.process(
        case((clear, cast(cents, sqltypes.Numeric(38, 2))), else_=_exact_rounded(amount, factor)),
        **kw,
    )


compiles(_RoundedProduct, "default")(_rounded_product)
compiles(_RoundedProduct, "duckdb")(_rounded_product_duckdb)


# --- product_at_least ------------------------------------------------------------------------------


class _ProductAtLeast(FunctionElement[bool]):
    type = sqltypes.Boolean()
    name = "product_at_least"
    inherit_cache = True


def product_at_least(amount: ColumnElement[Any], factor: ColumnElement[Any], bound: Decimal) -> ColumnElement[bool]:
    """Whether ``amount × factor`` (unrounded) is at least ``bound``, exactly; NULL when either is."""
    return _ProductAtLeast(amount, factor, literal(bound, sqltypes.Numeric(38, 10)))


def _product_at_least(element: _ProductAtLeast, compiler: SQLCompiler, **kw: Any) -> str:
    amount, factor, bound = _args(element)
    return compiler.process(cast(amount, sqltypes.Numeric(38, 2)) * factor >= bound, **kw)


def _product_at_least_duckdb(element: _ProductAtLeast, compiler: SQLCompiler, **kw: Any) -> str:
    """In doubles where the product lies clear of the bound by more than its error (see
    :func:`_rounded_product_duckdb`), in decimals only within that band: DuckDB's 128-bit product
    costs a quarter of a microsecond a value, most of what a filter on two million wallets took."""
    amount, factor, bound = _args(element)
    d, b = to_double(amount) * to_double(factor), to_double(bound)
    clear = func.abs(d - b) > func.abs(d) * literal_column(DOUBLE_PRODUCT_ERROR, Float())
    return compiler.process(case((clear, d >= b), else_=cast(amount, sqltypes.Numeric(38, 2)) * factor >= bound), **kw)


compiles(_ProductAtLeast, "default")(_product_at_least)
compiles(_ProductAtLeast, "duckdb")(_product_at_least_duckdb)


# --- bool_sum -----------------------------------------------------------------------------------


class _BoolSum(FunctionElement[int]):
    type = Integer()
    name = "bool_sum"
    inherit_cache = True


def bool_sum(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """An aggregate: the number of rows where ``condition`` is true (NULL counts as false);
    0 over no rows, an integer on every backend (MySQL's SUM would give a DECIMAL)."""
    return _BoolSum(condition)


def _count_case(element: _BoolSum, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.count(case((_args(element)[0], 1))), **kw)


def _count_filter(element: _BoolSum, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(func.count().filter(_args(element)[0]), **kw)


def _unary(template: str) -> Any:
    def render(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
        return template.format(x=compiler.process(_args(element)[0], **kw))

    return render


compiles(_BoolSum, "default")(_count_case)
compiles(_BoolSum, "postgresql")(_count_filter)
compiles(_BoolSum, "duckdb")(_count_filter)
compiles(_BoolSum, "snowflake")(_unary("COUNT_IF({x})"))
compiles(_BoolSum, "bigquery")(_unary("COUNTIF({x})"))
compiles(_BoolSum, "trino")(_unary("count_if({x})"))


# --- month_index --------------------------------------------------------------------------------


class _MonthIndex(FunctionElement[int]):
    type = Integer()
    name = "month_index"
    inherit_cache = True


def month_index(date_column: object) -> ColumnElement[int]:
    """``year * 12 + month - 1`` of a date: consecutive months are consecutive integers.

    Meant for business dates (``*_date`` columns); a UTC timestamp gives its UTC month.
    """
    return _MonthIndex(_as_expression(date_column))


compiles(_MonthIndex, "default")(_unary("(EXTRACT(YEAR FROM {x}) * 12 + EXTRACT(MONTH FROM {x}) - 1)"))
compiles(_MonthIndex, "postgresql")(
    _unary("(CAST(EXTRACT(YEAR FROM {x}) AS INTEGER) * 12 + CAST(EXTRACT(MONTH FROM {x}) AS INTEGER) - 1)")
)
compiles(_MonthIndex, "sqlite")(_unary("(CAST(strftime('%Y', {x}) AS INTEGER) * 12 + CAST(strftime('%m', {x}) AS INTEGER) - 1)"))
for _d in ("duckdb", "snowflake", "trino", *_MYSQL):
    compiles(_MonthIndex, _d)(_unary("(year({x}) * 12 + month({x}) - 1)"))
compiles(_MonthIndex, "bigquery")(_unary("(EXTRACT(YEAR FROM {x}) * 12 + EXTRACT(MONTH FROM {x}) - 1)"))


# --- Percentiles --------------------------------------------------------------------------------


class _Floor(FunctionElement[Any]):
    """floor(x) for x ≥ 0; SQLite may be built without math functions, so it truncates."""

    type = Float()
    name = "floor"
    inherit_cache = True


compiles(_Floor, "default")(_unary("FLOOR({x})"))
compiles(_Floor, "sqlite")(_unary("CAST({x} AS INTEGER)"))


class _RankInGroup(FunctionElement[int]):
    """1-based position of a row's value within its group (window formulation only)."""

    type = Integer()
    name = "rank_in_group"
    inherit_cache = True


class _GroupSize(FunctionElement[int]):
    """Rows in a row's group (window formulation only)."""

    type = Integer()
    name = "group_size"
    inherit_cache = True


def _window(element: FunctionElement, compiler: SQLCompiler, **kw: Any) -> str:
    if compiler.dialect.name in _NO_WINDOW:
        return compiler.process(null(), **kw)  # the aggregate needs no window
    value, *group = _args(element)
    partition = group or None
    if isinstance(element, _RankInGroup):
        over = func.row_number().over(partition_by=partition, order_by=value)
    else:
        over = func.count().over(partition_by=partition)
    return compiler.process(over, **kw)


compiles(_RankInGroup, "default")(_window)
compiles(_GroupSize, "default")(_window)


class _Neighbour(FunctionElement[float]):
    """The value at 1-based position floor(q·(n−1)) + 1 + ``offset`` of a group's values in ascending
    order, from the rows of a ``distribution`` inner select (an aggregate). Only the window formulation
    reads it: ``LIST_PERCENTILE`` and ``ARRAY_PERCENTILE`` dialects index their list of quantiles or sorted
    array instead (NULL here), and ``NATIVE_PERCENTILE`` dialects put their own percentile at offset 0
    (NULL at offset 1)."""

    type = Float()
    name = "neighbour"
    inherit_cache = True


def _divide(a: ColumnElement[float], b: ColumnElement[float]) -> ColumnElement[float]:
    """a / b between two doubles, as a plain ``/`` (SQLAlchemy's true division adds casts)."""
    return a.op("/", precedence=8, return_type=Float())(b)


def _double_literal(q: float) -> ColumnElement[float]:
    # Rendered, not bound, so that it is a constant, and cast: MySQL and Trino read 0.9 as a DECIMAL and
    # PostgreSQL even 0.9e0 as a NUMERIC, whose exact arithmetic would round differently from a double's.
    text = repr(float(q))
    return to_double(literal_column(text if "e" in text else text + "e0", Float()))


def _neighbour(element: _Neighbour, compiler: SQLCompiler, **kw: Any) -> str:
    q, value, rank, size, offset = _args(element)
    step = int(offset.name)
    dialect = compiler.dialect.name
    if dialect in NATIVE_PERCENTILE:
        if step:
            return compiler.process(null(), **kw)
        constant = _args(q)[0]  # the bare literal: the fraction must be a constant
        return f"percentile_cont({compiler.process(constant, **kw)}) WITHIN GROUP (ORDER BY {compiler.process(value, **kw)})"
    if dialect in LIST_PERCENTILE | ARRAY_PERCENTILE:
        return compiler.process(null(), **kw)
    return compiler.process(func.max(case((rank == _Floor(q * (size - 1)) + 1 + step, value))), **kw)


compiles(_Neighbour, "default")(_neighbour)


class _SortedValues(FunctionElement[Any]):
    """An aggregate, ``(value, q…)``: on ``LIST_PERCENTILE`` dialects the group's quantiles at every
    fraction ``q``, as one list in their order; on ``ARRAY_PERCENTILE`` dialects the group's values in
    ascending order, as one array (sorted once per group, however many quantiles index it); NULL elsewhere."""

    name = "sorted_values"
    inherit_cache = True


def _sorted_values(element: _SortedValues, compiler: SQLCompiler, **kw: Any) -> str:
    value_, *fractions = _args(element)
    value = compiler.process(value_, **kw)
    if compiler.dialect.name in LIST_PERCENTILE:
        # Bare numbers: the fractions must be constants (a cast of one is not, to DuckDB's binder).
        return f"quantile_cont({value}, [{', '.join(_args(q)[0].name for q in fractions)}])"
    if compiler.dialect.name not in ARRAY_PERCENTILE:
        return compiler.process(null(), **kw)
    return f"array_agg({value} ORDER BY {value})"


compiles(_SortedValues, "default")(_sorted_values)


class _Percentile(FunctionElement[float]):
    """percentile_cont(q) from a group's ``n``, its ``sorted`` array (or list of quantiles, whose
    ``index``-th, 1-based, is q's) and its two neighbours ``lo`` and ``hi`` (:class:`_Neighbour`): the
    columns of a ``distribution`` aggregate."""

    type = Float()
    name = "percentile"
    inherit_cache = True


class _SortedAt(FunctionElement[float]):
    """The k-th (1-based) element of a sorted array, NULL past the last (``ARRAY_PERCENTILE`` dialects)."""

    type = Float()
    name = "sorted_at"
    inherit_cache = True


compiles(_SortedAt, "default")(_binary("({a})[{b}]"))


def _percentile(element: _Percentile, compiler: SQLCompiler, **kw: Any) -> str:
    q, n, sorted_, lo, hi, index = _args(element)
    if compiler.dialect.name in NATIVE_PERCENTILE:
        return compiler.process(lo, **kw)
    if compiler.dialect.name in LIST_PERCENTILE:
        return compiler.process(_SortedAt(sorted_, index), **kw)
    # The same arithmetic as PostgreSQL's and DuckDB's: pos = q·(n−1); lo, hi = the values at
    # floor(pos) and floor(pos)+1 (1-based: +1); value = lo + (hi − lo)·(pos − floor(pos)).
    pos = q * (n - 1)
    if compiler.dialect.name in ARRAY_PERCENTILE:
        index = _Floor(pos).cast(Integer)
        lo, hi = _SortedAt(sorted_, index + 1), _SortedAt(sorted_, index + 2)
    frac = pos - _Floor(pos)
    expr = case((n == 0, null()), (frac == 0, lo), else_=lo + (hi - lo) * frac)
    return compiler.process(expr, **kw)


compiles(_Percentile, "default")(_percentile)


def distribution(
    value: ColumnElement[Any],
    *,
    where: Iterable[ColumnElement[bool]] = (),
    group: ColumnElement[Any] | None = None,
    select_from: FromClause | None = None,
    quantiles: Mapping[str, float] = QUANTILES,
    divide_by: int | float | None = None,
) -> Select:
    """A select of ``value``'s distribution over the rows satisfying ``where``: columns ``group``
    (when grouped), ``n``, one per quantile (``p25``, ``median``, ``p75``, ``p90``) and ``mean``.

    Quantiles follow ``percentile_cont`` (linear interpolation between neighbouring rows, as
    numpy's ``method="linear"``). Rows whose value is NULL are ignored; a group with no value
    has no row, while the ungrouped total always has one (``n`` 0, statistics NULL). The
    statistics are doubles; ``mean`` is ``sum / n``, exact-then-rounded once for integer values.
    With ``divide_by`` each statistic is divided by it, last (seconds → days: 86400).

    Two levels: an aggregate per group (``n``, the sum, and either the sorted values or, in the
    window formulation, each quantile's two neighbouring values), then the interpolation over it.
    """
    if not all(0 <= q <= 1 for q in quantiles.values()):
        raise ValueError(f"quantiles must lie in [0, 1]: {dict(quantiles)}")
    inner_cols: list[ColumnElement[Any]] = [value.label("value")]
    partition: list[ColumnElement[Any]] = []
    if group is not None:
        inner_cols.append(group.label("group"))
        partition.append(group)
    inner_cols += [_RankInGroup(value, *partition).label("position"), _GroupSize(value, *partition).label("group_rows")]
    inner = select(*inner_cols).where(value.is_not(None), *where)
    if select_from is not None:
        inner = inner.select_from(select_from)
    rows = inner.subquery("values_")
    as_double = to_double(rows.c.value)

    aggregates: list[ColumnElement[Any]] = [] if group is None else [rows.c.group.label("group")]
    aggregates += [func.count().label("n"), func.sum(rows.c.value).label("total"), _SortedValues(as_double, *(_double_literal(q) for q in quantiles.values())).label("sorted_values")]
    for i, q in enumerate(quantiles.values()):
        for step in (0, 1):
            neighbour = _Neighbour(_double_literal(q), as_double, rows.c.position, rows.c.group_rows, literal_column(str(step)))
            aggregates.append(neighbour.label(f"q{i}_{step}"))
    per_group = select(*aggregates)
    if group is not None:
        per_group = per_group.group_by(rows.c.group)
    g = per_group.subquery("groups_")

    def scaled(stat: ColumnElement[float]) -> ColumnElement[float]:
        return stat if divide_by is None else _divide(stat, _double_literal(divide_by))

    stats: list[ColumnElement[Any]] = [] if group is None else [g.c.group.label("group")]
    stats.append(g.c.n.label("n"))
    stats += [
        scaled(_Percentile(_double_literal(q), g.c.n, g.c.sorted_values, g.c[f"q{i}_0"], g.c[f"q{i}_1"], literal_column(str(i + 1), Integer()))).label(name)
        for i, (name, q) in enumerate(quantiles.items())
    ]
    stats.append(scaled(_divide(to_double(g.c.total), to_double(func.nullif(g.c.n, 0)))).label("mean"))
    return select(*stats).select_from(g)


# --- Business dates of UTC timestamps -------------------------------------------------------------


class _AsDate(FunctionElement[date]):
    """A date value typed as DATE in SQL (MySQL would otherwise return a bound date as a string)."""

    type = Date()
    name = "as_date"
    inherit_cache = True


compiles(_AsDate, "default")(_unary("CAST({x} AS DATE)"))
compiles(_AsDate, "sqlite")(_unary("{x}"))  # SQLite keeps dates as text; CAST would make it a number


def local_date(ts: ColumnElement[Any], start: date, end: date, cal: Calendar) -> ColumnElement[date]:
    """The business date, in the company zone, of a UTC timestamp between local midnight
    ``start`` and local midnight after ``end`` (earlier rows map to ``start``, later to ``end``).

    A balanced CASE over the local midnights (bounds computed in Python, daylight saving
    included), so it needs no database time-zone function and costs about log2(days) comparisons.
    """
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]

    def tree(lo: int, hi: int) -> ColumnElement[date]:  # the days[lo:hi]
        if hi - lo == 1:
            return _AsDate(literal(days[lo], Date()))
        mid = (lo + hi) // 2
        return case((ts < local_midnight_utc(days[mid], cal), tree(lo, mid)), else_=tree(mid, hi))

    return tree(0, len(days))


def date_map(column: ColumnElement[Any], lo: date, hi: date, fn: Callable[[date], date]) -> ColumnElement[date]:
    """``fn`` of a date column whose values lie in ``lo`` … ``hi``: a balanced CASE over the days, the
    mapped dates computed in Python (so calendar arithmetic such as clamping to a month's last day
    is the same on every backend)."""
    days = [lo + timedelta(days=i) for i in range((hi - lo).days + 1)]

    def tree(a: int, b: int) -> ColumnElement[date]:
        if b - a == 1:
            return _AsDate(literal(fn(days[a]), Date()))
        mid = (a + b) // 2
        return case((column < days[mid], tree(a, mid)), else_=tree(mid, b))

    return tree(0, len(days))
