"""Flask commands: ``flask --app evalapp questionnaire load``, ``seed-demo``, ``worker``, ``tallies catch-up``..."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from evalapp.backup import BackupError, backup, restore
from evalapp.extensions import db
from evalapp.models import SIDES, WIDE_ONLY_FORMATS, ExportFormat, ExportKind
from evalapp.questionnaires import DEFINITIONS_DIR
from evalapp.questionnaires.loader import DefinitionError, load_all, read_definition
from evalapp.reporting import export as exports

questionnaire_cli = AppGroup("questionnaire", help="Questionnaire definitions.")


@questionnaire_cli.command("load")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=DEFINITIONS_DIR, show_default=True, help="Folder of definition files.")
def load_command(directory):
    """Validate every definition file and store the versions not stored yet."""
    try:
        with force_locale("en"):  # the command's language, whatever the interface's default
            results = load_all(directory)
    except DefinitionError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    for result in results:
        version = result.version
        state = "loaded" if result.created else "already loaded, unchanged"
        click.echo(f"{version.code} v{version.version}: {state} ({len(version.items)} answer codes)")


@questionnaire_cli.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check_command(files):
    """Validate definition files without storing them."""
    failed = False
    for path in files:
        try:
            with force_locale("en"):
                definition = read_definition(path)
        except DefinitionError as exc:
            click.echo(str(exc), err=True)
            failed = True
        else:
            click.echo(f"{path.name}: {definition.code} v{definition.version} is valid")
    if failed:
        raise SystemExit(1)


@click.command("seed-demo")
@click.option("--authorities", type=click.IntRange(min=0), default=0,
              help="Also add this many synthetic authorities with submitted responses, in bulk (for load and benchmarks).")
@with_appcontext
def seed_demo_command(authorities):
    """Create the demo round (once) and print the links still open."""
    import time

    from evalapp import demo
    from evalapp.invitations import base_url
    from evalapp.synthetic import add_responses

    round_, created = demo.seed()
    db.session.commit()
    if authorities:
        started = time.perf_counter()
        rows = add_responses(round_, authorities, catch_up=False)
        click.echo(f"Added {authorities:,} synthetic authorities with submitted responses "
                   f"({rows:,} answers) in {time.perf_counter() - started:.1f} s")
        _catch_up(round_.id)
    base = base_url()
    click.echo(("Created" if created else "Found") + f" the demo round: {round_.title}")
    click.echo(f"Organiser pages: {base}/o/login  (email {demo.DEMO_EMAIL}, password {demo.DEMO_PASSWORD})")
    earlier = demo.earlier_round()
    if earlier is not None:
        click.echo(f"Last year's round, closed, on {earlier.questionnaire_version.code} "
                   f"v{earlier.questionnaire_version.version}: {earlier.title}")
        click.echo(f"  compared with this year's (v{round_.questionnaire_version.version}): "
                   f"{base}/o/rounds/{round_.id}/compare?with={earlier.id}")
    click.echo("Invitation links still open (answer as an authority, no account needed):")
    for line in demo.open_links(round_):
        click.echo(line)




tallies_cli = AppGroup("tallies", help="The dashboards' kept figures (evalapp/tallies.py).")


def _catch_up(round_id: int) -> None:
    import time

    from evalapp import tallies

    started = time.perf_counter()
    done = tallies.catch_up(round_id)
    click.echo(f"Round {round_id}: counted {done.counted:,} responses into its tallies in "
               f"{time.perf_counter() - started:.1f} s" + (f"; {done.left:,} held by respondents, counted by them"
                                                           if done.left else ""))


def _rounds(round_ids) -> list[int]:
    from evalapp.models import Round

    known = set(db.session.scalars(db.select(Round.id)))
    unknown = sorted(set(round_ids) - known)
    if unknown:
        raise click.ClickException(f"no round {', '.join(map(str, unknown))}")
    return sorted(round_ids or known)


@tallies_cli.command("catch-up")
@click.argument("round_ids", type=int, nargs=-1)
@with_appcontext
def catch_up_command(round_ids):
    """Count the responses the tallies do not hold as they are (written in bulk, changed outside the app),
    in batches; of the given rounds, or of every round. Safe while the app serves; resumes where it stopped."""
    from evalapp import tallies

    for round_id in _rounds(round_ids):
        if db.session.scalar(db.select(db.func.count()).select_from(tallies.not_current(round_id).subquery())):
            _catch_up(round_id)


@tallies_cli.command("rebuild")
@click.argument("round_ids", type=int, nargs=-1)
@with_appcontext
def rebuild_command(round_ids):
    """Empty the tallies of the given rounds (or of every round) and count every response again."""
    from evalapp import tallies

    for round_id in _rounds(round_ids):
        tallies.forget(round_id)
        db.session.commit()
        _catch_up(round_id)


organiser_cli = AppGroup("organiser", help="Organiser accounts.")


@organiser_cli.command("create")
@click.argument("email")
@click.option("--password", help="For scripts; asked for when omitted.")
@click.option("--name", help="Full name shown on pages.")
@click.option("--admin", is_flag=True, help="Administrator: sees every round and manages accounts.")
def create_organiser_command(email, password, name, admin):
    """Create an organiser account."""
    from evalapp.auth.accounts import AccountError, create_organiser

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        organiser = create_organiser(email, password, name, is_admin=admin)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {'administrator' if admin else 'organiser'} {organiser.email}")


@click.command("export")
@click.argument("round_id", type=int)
@click.option("--kind", type=click.Choice([kind.value for kind in ExportKind]), default=ExportKind.WIDE.value,
              show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write; standard output if omitted.")
@click.option("--format", "file_format", type=click.Choice([f.value for f in ExportFormat]), default=ExportFormat.CSV.value,
              show_default=True, help="csv; xlsx (an Excel workbook); sav (SPSS) or dta (Stata), of the wide file only.")
@click.option("--excel", is_flag=True, help='As the "Excel" button: semicolons and a BOM, for a spreadsheet.')
@click.option("--for", "target", type=click.Choice(list(exports.TARGETS)), default="spreadsheet", show_default=True,
              help="spreadsheet: formulas neutralised with an apostrophe; analysis: every value exactly as typed, "
                   "for R, Python, SPSS, Stata (not to be opened in a spreadsheet).")
@click.option("--headers", type=click.Choice(["codes", "text"]), default="codes", show_default=True)
@click.option("--values", type=click.Choice(["codes", "labels"]), default="codes", show_default=True)
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True)
@click.option("--sep", type=click.Choice([",", ";"]), default=",", show_default=True)
@click.option("--bom/--no-bom", default=False, show_default=True)
@click.option("--partial", is_flag=True, help="Include responses in progress.")
@click.option("--type", "kind_filter", default="", help="Only authorities of this type.")
@click.option("--country", default="", help="Only authorities of this country (ISO code).")
@click.option("--region", default="")
@click.option("--side", type=click.Choice(["", *SIDES]), default="")
@with_appcontext
def export_command(round_id, kind, output, file_format, excel, target, headers, values, lang, sep, bom, partial,
                   kind_filter, country, region, side):
    """Export a round's answers as CSV, an Excel workbook, SPSS or Stata: the files of the organisers' export page."""
    from evalapp.models import Round
    from evalapp.reporting.aggregate import Filters

    if excel and target != "spreadsheet":
        raise click.UsageError("--excel makes a file for a spreadsheet; leave it out with --for analysis")
    if excel and file_format != ExportFormat.CSV:
        raise click.UsageError("--excel makes a CSV file; leave it out with --format")
    if file_format in WIDE_ONLY_FORMATS and kind != ExportKind.WIDE:
        raise click.UsageError(f"--format {file_format} holds the wide file only: leave out --kind {kind}")
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"no round {round_id}")
    filters = Filters(kind=kind_filter, country=country.upper(), region=region, side=side)
    common = {"headers": headers, "values": values, "lang": lang, "partial": partial, "filters": filters}
    if excel:
        options = exports.ExportOptions.excel(**common)
    else:
        options = exports.ExportOptions(delimiter=sep, bom=bom, target=target, format=file_format, **common)
    entry = exports.record(round_, kind, options, organiser_id=None)
    db.session.commit()
    pieces = exports.export(round_, kind, options)
    if output:
        # Written beside, renamed when complete: a cut export never leaves a file that looks whole.
        output = Path(output)
        partial = output.with_name(output.name + ".partial")
        try:
            with partial.open("wb") as f:
                for piece in pieces:
                    f.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            partial.replace(output)
        finally:
            partial.unlink(missing_ok=True)
        click.echo(f"Wrote {output}", err=True)
    else:
        for piece in pieces:
            click.echo(piece, nl=False)  # bytes go to the binary standard output as they are
    exports.mark_complete(entry.id)
    db.session.commit()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(file):
    """Back up the whole database (every round) into FILE; safe while the app serves."""
    try:
        backup(db.engine.url, file)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backed up the database to {file} ({file.stat().st_size:,} bytes)")


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data the database already holds.")
@with_appcontext
def restore_command(file, force):
    """Restore the whole database from FILE, made by `flask backup`. Stop the app first."""
    try:
        restore(file, db.engine.url, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the database from {file}. Check it: flask --app evalapp db current, then a dashboard.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting in the queue, then stop.")
@with_appcontext
def worker_command(burst):
    """Run background jobs from the Redis queue (REDIS_URL); start as many as you like, on any machine."""
    from evalapp.jobs import queue

    if not current_app.config["REDIS_URL"]:
        raise click.ClickException("REDIS_URL is not set: without it, jobs run in the web process and need no worker")
    # Each job runs in a process forked from this one: it must not inherit open database connections.
    db.engine.dispose()
    queue.make_worker().work(burst=burst)


jobs_cli = AppGroup("jobs", help="Background jobs.")


@jobs_cli.command("purge")
def purge_command():
    """Mark the jobs that stopped giving signs of life as failed, and remove the job files past their time."""
    from sqlalchemy import func, select

    from evalapp.jobs import sweep
    from evalapp.models import JobFile

    before = db.session.scalar(select(func.count()).select_from(JobFile).where(JobFile.removed_at.is_(None)))
    sweep()
    after = db.session.scalar(select(func.count()).select_from(JobFile).where(JobFile.removed_at.is_(None)))
    click.echo(f"Removed {before - after} job file(s) past their time ({after} kept).")


def register(app):
    app.cli.add_command(questionnaire_cli)
    app.cli.add_command(organiser_cli)
    app.cli.add_command(tallies_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(export_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_cli)
