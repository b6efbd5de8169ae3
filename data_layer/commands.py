"""What Granary's command line tools share: which database they read, and how they end."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

from sqlalchemy.engine import make_url

from data_layer.config import Calendar
from data_layer.connection import duckdb_path, resolve_source


def command_url(given: str | None, calendar: Calendar) -> str | None:
    """The CRM URL a command line tool reads: ``given`` (its --url), else :func:`resolve_source`'s —
    and when that is the demo and its file is missing, the demo is built first (as the app does on
    its first start), saying so on stderr, so that a command works with no set-up too. None, with the
    reason on stderr, when that build fails."""
    if given:
        return given
    source = resolve_source()
    path = duckdb_path(make_url(source.url))
    if source.is_demo and path is not None and not path.exists():
        from data_layer.demo import ensure_demo_file  # the generator's libraries load only when needed

        print(f"No CRM configured: building the demo CRM into {path} (once, about half a minute)…", file=sys.stderr)
        try:
            ensure_demo_file(path, datetime.now(calendar.zone).date())
        except Exception as exc:  # noqa: BLE001 - say why, no traceback
            print(f"Could not build the demo CRM: {type(exc).__name__}: {exc}", file=sys.stderr)
            return None
    return source.url


def command_mapping(given_url: str | None, given: str | None) -> str | None:
    """The mapping a command line tool reads its CRM through: ``given`` (its --mapping), else — when it
    reads the configured CRM rather than a --url — the configured one (``CRM_MAPPING`` or the secrets')."""
    if given:
        return given
    return None if given_url else resolve_source().mapping


#: The --mapping option's help, the same in every command.
MAPPING_HELP = (
    "read the CRM in place through this mapping: a TOML file or a shipped preset (odoo-17, suitecrm-7); "
    "default: CRM_MAPPING or secrets.toml's, when no --url is given"
)


def run(main: Callable[[], int]) -> NoReturn:
    """Exit with ``main()``'s status; output piped into a reader that stops early (``| head``) ends
    the command quietly, as the reader asked, rather than with a BrokenPipeError traceback."""
    try:
        status = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at /dev/null so that flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        status = 0
    sys.exit(status)
