"""``geo-service privacy purge|export|record``: retention, the right of access and the record
of processing (GDPR Art. 5(1)(e), 15 and 30)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from geo_service.cli.app import app
from geo_service.cli.common import console, print_json, say
from geo_service.cli.scoring import JSON_OPTION
from geo_service.errors import InputError
from geo_service.i18n import _, formats

privacy_app = typer.Typer(
    help="Data protection: anonymise what is past its retention period, show what is stored "
    "under a case, write the record of processing.",
    no_args_is_help=True,
)
app.add_typer(privacy_app, name="privacy")


@privacy_app.command("purge")
def purge(
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would be anonymised; change nothing."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Anonymise waiting-list entries, holds and allocation runs that ended more than
    GEO_SERVICE_PRIVACY_RETENTION_DAYS ago (default 180): their case reference hashes (and
    accommodation units) are removed; profiles, dates and the audit log stay."""
    from geo_service.config import get_settings
    from geo_service.db.engine import get_engine
    from geo_service.privacy.retention import purge as run

    days = get_settings().privacy_retention_days
    done = run(get_engine(), days, dry_run=dry_run)
    if as_json:
        print_json(done)
        return
    if done.skipped:
        say(_("nothing done: another process is purging right now"))
        return
    counts = {
        "entries": done.waiting_list_entries,
        "holds": done.holds,
        "runs": done.allocations,
        "cutoff": formats.moment(done.cutoff) if done.cutoff else "-",
        "days": days,
    }
    if dry_run:
        say(
            _(
                "would anonymise {entries} waiting-list entries, {holds} holds and {runs} "
                "allocation runs that ended before {cutoff} (retention {days} days)"
            ).format(**counts)
        )
    else:
        say(
            _(
                "anonymised {entries} waiting-list entries, {holds} holds and {runs} allocation "
                "runs that ended before {cutoff} (retention {days} days)"
            ).format(**counts)
        )


@privacy_app.command("export")
def export(
    case_ref_stdin: bool = typer.Option(
        False,
        "--case-ref-stdin",
        help="Read the case reference from stdin (never from the command line, where other "
        "users and the shell history would see it).",
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """Print everything stored under one case reference (GDPR Art. 15): the waiting-list entry,
    holds, allocation runs and audit entries; in German, or as JSON."""
    from geo_service.db.engine import get_engine
    from geo_service.privacy.export import case_data, case_text

    if not case_ref_stdin:
        raise InputError(_("give the case reference on stdin with --case-ref-stdin"))
    case_ref = sys.stdin.readline().strip()
    if not case_ref:
        raise InputError(_("no case reference on stdin"))
    data = case_data(get_engine(), case_ref)
    if as_json:
        print_json(data)
    else:
        sys.stdout.write(case_text(data))


@privacy_app.command("record")
def record(
    out: Path = typer.Option(..., "--out", help="Markdown file to write."),
) -> None:
    """Write the record of processing activities (GDPR Art. 30) in German, from the schema:
    purposes, categories of data, recipients, retention."""
    from geo_service.config import get_settings
    from geo_service.privacy.record import record_markdown

    out.write_text(record_markdown(get_settings()), encoding="utf-8")
    console.print(_("record of processing written to {path}").format(path=out))
