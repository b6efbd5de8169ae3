"""Who may sign in and what each person may see: the users file, the entitlements file, password
hashes and the viewer each entitlement makes.

Two TOML files, both read here and checked before use (see ``config/README.md``):

- the **users file** of the built-in sign-in: each user's display name and argon2id password
  hash (``python -m data_layer.access hash`` makes one). Not needed with ``st.login`` (OIDC).
- the **entitlements file**: each user's role and scope (org subtrees, business units), and
  optionally which pages each role may open.

A signed-in user with no entitlement gets no Viewer (:func:`viewer_for` returns None), so the
app shows a notice and runs no query. Everything here is plain Python: no Streamlit.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import getpass
import secrets as _secrets
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine

from data_layer.app_store import failures_since, record_sign_in
from data_layer.config import ROOT, AccessSettings
from data_layer.filters import OrgTree, Role, Viewer

DEMO_USERS_FILE = ROOT / "config" / "demo-users.toml"
DEMO_ENTITLEMENTS_FILE = ROOT / "config" / "demo-entitlements.toml"

#: Shortest password the hash command accepts.
MIN_PASSWORD_LENGTH = 10

ENTITLEMENT_KEYS = ("role", "units", "business_units", "name")
USER_KEYS = ("name", "password_hash", "demo_password")
ROLES = tuple(r.value for r in Role)

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106) default parameters


class AccessFileError(ValueError):
    """A users or entitlements file is wrong; ``problems`` names each wrong key or value."""

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(f"{source}: {n} problem{'s' if n != 1 else ''}:\n" + "\n".join(f"  - {p}" for p in self.problems))


def normalise_user(user: str) -> str:
    """The key a user name or e-mail is stored and looked up by: trimmed, lower case."""
    return user.strip().lower()


def _suggest(value: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise AccessFileError(str(path), ["the file does not exist"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise AccessFileError(str(path), [f"not valid TOML: {exc}"]) from None


def _codes(value: object, where: str, problems: list[str]) -> tuple[str, ...] | None:
    """A non-empty list of distinct code strings, or None after noting why not."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f'{where} must be a non-empty list of codes, e.g. ["CN-E"], not {value!r}')
        return None
    return tuple(dict.fromkeys(v.strip() for v in value))


# --- Entitlements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entitlement:
    """One user's role and scope.

    Attributes:
        user: the normalised user name or e-mail.
        units: org unit codes whose subtrees the user sees; None = the whole company
            (executives only).
        business_units: business-unit codes the user is limited to; None = all.
    """

    user: str
    role: Role
    units: tuple[str, ...] | None = None
    business_units: tuple[str, ...] | None = None
    name: str = ""


@dataclass(frozen=True)
class Entitlements:
    """The parsed entitlements file."""

    entries: tuple[Entitlement, ...]
    #: Pages per role from the file's ``[pages]`` table; a role not named there keeps the app's default.
    pages: tuple[tuple[Role, tuple[str, ...]], ...] = ()
    source: str = "entitlements"

    def get(self, user: str) -> Entitlement | None:
        key = normalise_user(user)
        return next((e for e in self.entries if e.user == key), None)

    def pages_for(self, role: Role, default: Mapping[Role, Sequence[str]]) -> tuple[str, ...]:
        """The page keys ``role`` may open: the file's ``[pages]`` entry, else ``default[role]``."""
        own = dict(self.pages).get(role)
        return tuple(own) if own is not None else tuple(default.get(role, ()))


def _user_tables(users: dict, problems: list[str], expected: str) -> Iterator[tuple[str, str, dict]]:
    """Each ``[users.NAME]`` table as (where, normalised name, table), reporting in ``problems``
    (and skipping) blank names, names that differ only in case, and entries that are not tables."""
    seen: dict[str, str] = {}
    for raw_user, entry in users.items():
        where = f"users.{raw_user}"
        user = normalise_user(raw_user)
        if not user:
            problems.append(f"{where}: a user name may not be blank")
            continue
        if user in seen:
            problems.append(f"{where}: the same user as users.{seen[user]} (names are not case-sensitive)")
            continue
        seen[user] = raw_user
        if not isinstance(entry, dict):
            problems.append(f"{where} must be a table with {expected}")
            continue
        yield where, user, entry


def parse_entitlements(data: Mapping[str, object], *, source: str = "entitlements") -> Entitlements:
    """Check the file's structure (keys, roles, value types) and build it; codes are checked
    against the organisation by :func:`check_entitlements`.

    Raises:
        AccessFileError: naming every wrong key or value.
    """
    problems: list[str] = []
    for key in data:
        if key not in ("users", "pages"):
            problems.append(
                f"unknown top-level key {key!r}{_suggest(key, ('users', 'pages'))}; "
                "expected [users.NAME] tables and an optional [pages] table"
            )
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AccessFileError(source, [*problems, "users must be a table of [users.NAME] entries"])
    entries: list[Entitlement] = []
    for where, user, entry in _user_tables(users, problems, "role = ..."):
        before = len(problems)
        for key in entry:
            if key not in ENTITLEMENT_KEYS:
                problems.append(
                    f"{where}: unknown key {key!r}{_suggest(key, ENTITLEMENT_KEYS)}; expected {', '.join(ENTITLEMENT_KEYS)}"
                )
        role_value = entry.get("role")
        role: Role | None = None
        if role_value is None:
            problems.append(f"{where}: role is missing; one of {', '.join(ROLES)}")
        elif role_value not in ROLES:
            problems.append(
                f"{where}.role: unknown role {role_value!r}{_suggest(str(role_value), ROLES)}; one of {', '.join(ROLES)}"
            )
        else:
            role = Role(role_value)
        units = _codes(entry["units"], f"{where}.units", problems) if "units" in entry else None
        if role is not None and role is not Role.EXECUTIVE and "units" not in entry:
            problems.append(
                f"{where}: a {role.value} must name the units they see (units = [...]); "
                "only an executive may see the whole company"
            )
        bus = _codes(entry["business_units"], f"{where}.business_units", problems) if "business_units" in entry else None
        name = entry.get("name", "")
        if not isinstance(name, str):
            problems.append(f"{where}.name must be text, not {name!r}")
        if role is not None and len(problems) == before:
            entries.append(Entitlement(user, role, units, bus, str(name).strip()))
    pages: list[tuple[Role, tuple[str, ...]]] = []
    raw_pages = data.get("pages", {})
    if not isinstance(raw_pages, dict):
        problems.append("pages must be a table: role = [page keys]")
        raw_pages = {}
    for role_value, keys in raw_pages.items():
        if role_value not in ROLES:
            problems.append(f"pages: unknown role {role_value!r}{_suggest(role_value, ROLES)}; one of {', '.join(ROLES)}")
        elif not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            problems.append(f"pages.{role_value} must be a list of page keys, not {keys!r}")
        else:
            pages.append((Role(role_value), tuple(dict.fromkeys(keys))))
    if problems:
        raise AccessFileError(source, problems)
    return Entitlements(tuple(entries), tuple(pages), source)


def check_entitlements(
    ent: Entitlements, org: OrgTree, *, business_units: Iterable[str] | None = None, pages: Iterable[str] | None = None
) -> list[str]:
    """What in ``ent`` does not match the organisation: unknown unit, business-unit or page
    codes, and team leads given a unit that is not a team (a unit with sub-units)."""
    problems: list[str] = []
    known = [u.code for u in org.units]
    known_bus = None if business_units is None else list(business_units)
    for e in ent.entries:
        for code in e.units or ():
            unit = org.by_code(code)
            if unit is None:
                problems.append(f"users.{e.user}.units: unknown org unit code {code!r}{_suggest(code, known)}")
            elif e.role is Role.TEAM_LEAD and org.children(unit.unit_id):
                problems.append(
                    f"users.{e.user}.units: {code!r} is not a team (it has sub-units); a team_lead's units must be teams"
                )
        if known_bus is not None:
            for code in e.business_units or ():
                if code not in known_bus:
                    problems.append(
                        f"users.{e.user}.business_units: unknown business-unit code {code!r}"
                        f"{_suggest(code, known_bus)}; known: {', '.join(known_bus)}"
                    )
    if pages is not None:
        known_pages = list(pages)
        for role, keys in ent.pages:
            for key in keys:
                if key not in known_pages:
                    problems.append(
                        f"pages.{role.value}: unknown page {key!r}{_suggest(key, known_pages)}; known: {', '.join(known_pages)}"
                    )
    return problems


def load_entitlements(
    path: Path, org: OrgTree | None = None, *, business_units: Iterable[str] | None = None, pages: Iterable[str] | None = None
) -> Entitlements:
    """Read, parse and (with ``org``) check an entitlements file.

    Raises:
        AccessFileError: the file is missing, not TOML, or has wrong keys, values or codes.
    """
    ent = parse_entitlements(_read_toml(path), source=str(path))
    if org is not None:
        problems = check_entitlements(ent, org, business_units=business_units, pages=pages)
        if problems:
            raise AccessFileError(str(path), problems)
    return ent


def viewer_for(user: str, entitlements: Entitlements, org: OrgTree, *, display_name: str = "") -> Viewer | None:
    """The viewer ``user`` signs in as, or None when they are entitled to nothing.

    Raises:
        AccessFileError: the entitlement names a unit the organisation does not have (the file
            was not checked against this org); never guessed wider or narrower.
    """
    e = entitlements.get(user)
    if e is None:
        return None
    unknown = [code for code in e.units or () if org.by_code(code) is None]
    if unknown:
        raise AccessFileError(entitlements.source, [f"users.{e.user}.units: unknown org unit code {c!r}" for c in unknown])
    return Viewer(user=e.user, role=e.role, units=e.units, bus=e.business_units, display_name=e.name or display_name or e.user)


# --- Users and passwords -----------------------------------------------------------------------


@dataclass(frozen=True)
class UserAccount:
    """A user of the built-in sign-in."""

    user: str
    name: str
    password_hash: str = ""
    #: Only in a file marked ``demo = true``: the sample password shown on the sign-in page.
    demo_password: str | None = None

    def __repr__(self) -> str:  # the hash stays out of logs and tracebacks
        return f"UserAccount(user={self.user!r}, name={self.name!r})"


@dataclass(frozen=True)
class Users:
    """The parsed users file."""

    accounts: tuple[UserAccount, ...]
    #: The demo's sample users, whose passwords are public: shown on the sign-in page.
    demo: bool = False
    source: str = "users"

    def get(self, user: str) -> UserAccount | None:
        key = normalise_user(user)
        return next((a for a in self.accounts if a.user == key), None)


def parse_users(data: Mapping[str, object], *, source: str = "users") -> Users:
    """Check and build a users file.

    Raises:
        AccessFileError: naming every wrong key or value (never a hash).
    """
    problems: list[str] = []
    for key in data:
        if key not in ("users", "demo"):
            problems.append(
                f"unknown top-level key {key!r}{_suggest(key, ('users', 'demo'))}; "
                "expected [users.NAME] tables and an optional demo = true"
            )
    demo = data.get("demo", False)
    if not isinstance(demo, bool):
        problems.append(f"demo must be true or false, not {demo!r}")
        demo = False
    users = data.get("users", {})
    if not isinstance(users, dict):
        raise AccessFileError(source, [*problems, "users must be a table of [users.NAME] entries"])
    accounts: list[UserAccount] = []
    for where, user, entry in _user_tables(users, problems, "password_hash = ..."):
        before = len(problems)
        for key in entry:
            if key not in USER_KEYS:
                problems.append(f"{where}: unknown key {key!r}{_suggest(key, USER_KEYS)}; expected {', '.join(USER_KEYS)}")
        hashed = entry.get("password_hash")
        if not isinstance(hashed, str) or not hashed.startswith("$argon2id$"):
            problems.append(
                f"{where}.password_hash: missing or not an argon2id hash; "
                "make one with `python -m data_layer.access hash` (never store a password itself)"
            )
        shown = entry.get("demo_password")
        if shown is not None and not demo:
            problems.append(f"{where}.demo_password: only a file marked demo = true may show passwords")
        elif shown is not None and not isinstance(shown, str):
            problems.append(f"{where}.demo_password must be text")
        name = entry.get("name", "")
        if not isinstance(name, str):
            problems.append(f"{where}.name must be text, not {name!r}")
        if len(problems) == before:
            accounts.append(UserAccount(user, str(name).strip() or user, str(hashed), shown))
    if problems:
        raise AccessFileError(source, problems)
    return Users(tuple(accounts), demo, source)


def load_users(path: Path) -> Users:
    """Read and check a users file.

    Raises:
        AccessFileError: the file is missing, not TOML, or has wrong keys or values.
    """
    return parse_users(_read_toml(path), source=str(path))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (salted; a new hash each call)."""
    return _hasher.hash(password)


@functools.cache
def _decoy_hash() -> str:
    return _hasher.hash(_secrets.token_urlsafe(24))


def verify_password(users: Users, user: str, password: str) -> UserAccount | None:
    """The account when ``password`` is ``user``'s, else None.

    An unknown user costs the same argon2 verification as a known one, so the time taken does
    not tell which names exist; the comparison itself is the library's.
    """
    account = users.get(user)
    try:
        _hasher.verify(account.password_hash if account else _decoy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    return account


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one password sign-in: the account, or None and why not.

    ``reason`` is what the audit records: ok, wrong_password, unknown_user or locked_out. Show
    users the same words for wrong_password and unknown_user, so no one learns which names exist.
    """

    account: UserAccount | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.account is not None


def authenticate(
    users: Users, user: str, password: str, *, audit: Engine, settings: AccessSettings, now: datetime | None = None
) -> SignInResult:
    """Check ``password`` for ``user`` and record the attempt in Granary's own database.

    A name with ``settings.max_failures`` failed guesses (known name or not) within the last
    ``settings.lockout_minutes`` since its last success is locked out: refused without checking
    the password until the window has passed. The password is never recorded.
    """
    key = normalise_user(user)
    now = now or datetime.now(UTC)
    if (
        settings.max_failures
        and failures_since(audit, key, now - timedelta(minutes=settings.lockout_minutes)) >= settings.max_failures
    ):
        result = SignInResult(None, "locked_out")
    else:
        account = verify_password(users, key, password)
        result = SignInResult(account, "ok" if account else "wrong_password" if users.get(key) else "unknown_user")
    record_sign_in(audit, user=key, method="password", success=result.ok, reason=result.reason, at=now)
    return result


def access_files(settings: AccessSettings, *, is_demo: bool) -> tuple[Path | None, Path | None]:
    """The users and entitlements files to use: the configured ones, else — on the demo CRM
    only — the demo's sample files. A real CRM never falls back to the demo's users."""
    users = settings.users_file or (DEMO_USERS_FILE if is_demo else None)
    entitlements = settings.entitlements_file or (DEMO_ENTITLEMENTS_FILE if is_demo else None)
    return users, entitlements


# --- Command line ------------------------------------------------------------------------------


def _cmd_hash(args: argparse.Namespace) -> int:
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("The two passwords differ.", file=sys.stderr)
            return 2
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return 2
    print(hash_password(password))
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from data_layer import schema
    from data_layer.config import load_access_settings
    from data_layer.connection import explain, make_engine, read_frame, resolve_source
    from data_layer.dimensions import load_org

    source = resolve_source()
    url = args.url or source.url
    users_path, ent_path = access_files(load_access_settings(), is_demo=args.url is None and source.is_demo)
    users_path = Path(args.users) if args.users else users_path
    ent_path = Path(args.entitlements) if args.entitlements else ent_path
    failed = False
    users: Users | None = None
    if users_path is not None:
        try:
            users = load_users(users_path)
            print(f"{users_path}: {len(users.accounts)} users{' (demo: passwords public)' if users.demo else ''}")
        except AccessFileError as exc:
            print(exc, file=sys.stderr)
            failed = True
    if ent_path is None:
        print("No entitlements file: set GRANARY_ENTITLEMENTS_FILE or entitlements_file under [granary].", file=sys.stderr)
        return 2
    try:
        engine = make_engine(url)
        try:
            org = load_org(engine)
            bus = [str(c) for c in read_frame(engine, select(schema.business_unit.c.code))["code"]]
        finally:
            engine.dispose()
    except Exception as exc:  # noqa: BLE001 - reported as a message, password masked
        print(explain(exc, url), file=sys.stderr)
        return 2
    try:
        ent = load_entitlements(ent_path, org, business_units=bus)
        print(f"{ent_path}: {len(ent.entries)} entitlements, checked against {len(org.units)} org units")
        if users is not None:
            for account in users.accounts:
                if ent.get(account.user) is None:
                    print(f"note: {account.user} may sign in but is entitled to nothing")
    except AccessFileError as exc:
        print(exc, file=sys.stderr)
        failed = True
    return 2 if failed else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_layer.access", description="Granary's users and entitlements.")
    sub = parser.add_subparsers(dest="command", required=True)
    h = sub.add_parser("hash", help="print an argon2id hash of a password, for password_hash in the users file")
    h.add_argument("--stdin", action="store_true", help="read the password from the first line of standard input (no prompt)")
    h.set_defaults(run=_cmd_hash)
    c = sub.add_parser("check", help="check the users and entitlements files against the CRM's organisation")
    c.add_argument("--users", help="users file (default: the configured one, or the demo's on the demo CRM)")
    c.add_argument("--entitlements", help="entitlements file (default: the configured one, or the demo's on the demo CRM)")
    c.add_argument("--url", help="CRM database URL (default: the app's)")
    c.set_defaults(run=_cmd_check)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
