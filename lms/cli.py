"""The `lms` command: everything an operator does, from init to import."""
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from .accounts.models import ROLES, User
from .certificates.models import Certificate
from .certificates.awarding import is_revoked
from .certificates.credentials import (create_signing_key, ensure_signing_key, holder_name,
                                      published_keys, verify_credential)
from .certificates.issuing import award_certificates
from .accounts.users import AccountError, create_user, find_user
from .curriculum.files import load_curriculum
from .admin.audit import audit
from .authoring.transfer import ExportConflict, export_curriculum
from .authoring.tree import NotExportable
from .curriculum.sync import browser_conflicts, import_curriculum
from .clock import utcnow
from .demo import (CERTIFIED_EMAIL, DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_REFLECTION,  # noqa: F401
                   DEMO_TEAM, certify_demo_learner, seed_demo_team)
from .reminders.digests import send_digests
from .reminders.mail import deliver, unsent
from .extensions import db
from .teams.membership import TeamError, add_to_team, create_team

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def curriculum_dir(directory):
    """The folder given on the command line, else the configured one."""
    return directory or current_app.config["LMS_CURRICULUM_DIR"]


@click.command("init")
@with_appcontext
@click.option("--demo", is_flag=True, help="Also create the three demo accounts.")
def init_command(demo):
    """Create or upgrade the database schema (and the demo accounts)."""
    upgrade(directory=current_app.extensions["migrate"].directory)
    click.echo("Database is at the current schema.")
    ensure_signing_key(current_app.config["LMS_KEY_DIR"])
    db.session.commit()
    if current_app.config["LMS_BASE_URL"] == DEFAULT_BASE_URL:
        click.echo(f"Note: LMS_BASE_URL is {DEFAULT_BASE_URL}. Set it to the site's public "
                   "address before issuing real certificates: it is signed into them.")
    if demo:
        for email, name, role in DEMO_ACCOUNTS:
            if find_user(email) is None:
                create_user(email, name, DEMO_PASSWORD, role)
                click.echo(f"Created demo {role}: {email} / {DEMO_PASSWORD}")
        try:
            create_team(DEMO_TEAM)
            click.echo(f"Created demo team '{DEMO_TEAM}', managed by manager@example.com.")
        except TeamError:
            pass  # made by an earlier run
        add_to_team(DEMO_TEAM, "manager@example.com", as_manager=True)
        add_to_team(DEMO_TEAM, "learner@example.com")
        db.session.commit()
        certify_demo_learner()
        created = seed_demo_team(DEMO_TEAM, "manager@example.com", DEMO_PASSWORD,
                                 "learner@example.com", DEMO_REFLECTION)
        if created:
            click.echo(f"Added {created} demo learners with activity and assignments to "
                       f"'{DEMO_TEAM}' (password {DEMO_PASSWORD}).")


@click.command("check")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def check_command(directory):
    """Check the curriculum files and list every problem as path:line."""
    curriculum, problems = load_curriculum(curriculum_dir(directory))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s) found; nothing was changed.")
    modules = sum(len(level.modules) for level in curriculum.levels)
    click.echo(f"{curriculum.root}: {len(curriculum.levels)} level(s), "
               f"{modules} module(s), no problems.")


@click.command("import")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Import even over changes made in the browser and not exported since "
                   "(the overwritten versions stay in each module's history).")
@click.option("--keep-browser-changes", is_flag=True,
              help="When the browser holds changes not exported yet, import nothing and "
                   "succeed (what `make run` does, so a restart never undoes an admin's work).")
def import_command(directory, force, keep_browser_changes):
    """Import the curriculum files into the database, all or nothing."""
    started = time.perf_counter()
    curriculum, problems = load_curriculum(curriculum_dir(directory))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(f"{len(problems)} problem(s) found; nothing was imported.")
    conflicts = browser_conflicts(db.session, curriculum)
    if conflicts and keep_browser_changes and not force:
        click.echo(f"Not imported: {len(conflicts)} module(s) hold browser changes that the files "
                   "do not have yet; run `lms export` to write them into the files.")
        return
    if conflicts and not force:
        for key, why in conflicts:
            click.echo(f"{key}: {why}", err=True)
        raise SystemExit(f"{len(conflicts)} module(s) were changed in the browser since the last "
                         "`lms export`; nothing was imported. Run `lms export` and commit the "
                         "files, or import with --force to overwrite those changes (they stay "
                         "in each module's history).")
    report = import_curriculum(db.session, curriculum)
    if conflicts:
        audit(None, "imported over browser changes", str(curriculum.root),
              {"modules": [key for key, _ in conflicts]}, {"changes": report.lines()})
    db.session.commit()
    for line in report.lines():
        click.echo(line)
    if conflicts:
        click.echo(f"Overwrote browser changes in: {', '.join(key for key, _ in conflicts)}.")
    click.echo(f"Imported in {time.perf_counter() - started:.2f}s.")


@click.command("export")
@with_appcontext
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--force", is_flag=True,
              help="Overwrite files whose edits were never imported.")
def export_command(directory, force):
    """Write the published curriculum back as files (default: the curriculum folder), so
    browser edits can be committed to git; `lms import` after it changes nothing."""
    target = Path(curriculum_dir(directory)).resolve()
    home = target == Path(current_app.config["LMS_CURRICULUM_DIR"]).resolve()
    try:
        plan = export_curriculum(target, force=force, clears_browser_changes=home)
    except NotExportable as error:
        raise SystemExit(f"Not exported: {error}.")
    except ExportConflict as conflict:
        for path in conflict.paths:
            click.echo(f"{path}: changed in the files and never imported", err=True)
        raise SystemExit(f"Not exported: {len(conflict.paths)} file(s) hold edits the database "
                         "does not have. Import them first (lms import), or export with --force "
                         "to overwrite them.")
    audit(None, "exported the curriculum", str(target), None,
          {"files written": len(plan.writes), "removed": len(plan.removals), "forced": force})
    db.session.commit()
    for folder in plan.unknown:
        click.echo(f"{folder}: not in the database, left alone (lms import would add it)")
    click.echo(f"Exported the published curriculum to {target}.")
    if not home:
        click.echo("This is not the curriculum folder, so browser changes still count as "
                   "not exported.")


@click.command("create-user")
@with_appcontext
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--name", default="", help="Full name (defaults to the email's first part).")
def create_user_command(email, role, name):
    """Create an account; the password comes from a prompt, or stdin when piped."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(email, name, password, role)
    except AccountError as error:
        raise SystemExit(f"Not created: {error}")
    db.session.commit()
    click.echo(f"Created {user.role} {user.email}.")


@click.group("team")
def team_command():
    """Create teams and put people in them (managers review their members' work)."""


@team_command.command("create")
@click.argument("name")
@with_appcontext
def team_create_command(name):
    """Create a team called NAME."""
    try:
        create_team(name)
    except TeamError as error:
        raise SystemExit(f"Not created: {error}")
    db.session.commit()
    click.echo(f"Created team '{name}'.")


@team_command.command("add")
@click.argument("team")
@click.argument("email")
@click.option("--manager", is_flag=True, help="Add them as one of the team's managers.")
@with_appcontext
def team_add_command(team, email, manager):
    """Add the user with EMAIL to TEAM, as a member or (--manager) a manager."""
    try:
        add_to_team(team, email, as_manager=manager)
    except TeamError as error:
        raise SystemExit(f"Not added: {error}")
    db.session.commit()
    click.echo(f"Added {email} to '{team}' as {'a manager' if manager else 'a member'}.")


@click.command("verify")
@click.argument("file", type=click.File("r"))
@click.option("--jwks", type=click.File("r"),
              help="A saved copy of the issuer's key set (/.well-known/jwks.json); "
                   "without it, this site's own published keys.")
@with_appcontext
def verify_command(file, jwks):
    """Verify a downloaded credential (a .jwt file) offline: signature, dates, revocation."""
    keys = json.load(jwks) if jwks else published_keys()
    verdict = verify_credential(file.read(), keys, is_revoked=None if jwks else is_revoked)
    if verdict.credential:
        click.echo(f"{verdict.credential.get('name')} - {holder_name(verdict.credential)}")
    click.echo(f"{verdict.status.upper()}: {verdict.message}")
    if jwks:
        click.echo("(Revocation not checked: that needs the issuer's site or database.)")
    raise SystemExit(0 if verdict.ok else 1)


@click.command("remind")
@with_appcontext
def remind_command():
    """Send today's reminders (run it daily from cron; a second run the same day sends nothing new).

    Learners get one digest of assigned work due within seven days or overdue,
    managers one digest of their teams' overdue work, and holders of
    certificates due for renewal a notice. Email goes by SMTP when MAIL_SERVER
    is set; otherwise messages wait in the admins' outbox (/admin/outbox).
    """
    notice_days = current_app.config["LMS_RECERT_NOTICE_DAYS"]
    now = utcnow()
    holders = db.session.scalars(db.select(Certificate.user_id).where(
        Certificate.revoked_at.is_(None), Certificate.expires_at.is_not(None),
        Certificate.expires_at <= now + timedelta(days=notice_days)).distinct()).all()
    for user_id in holders:
        award_certificates(db.session.get(User, user_id))
    db.session.commit()
    click.echo(f"Checked {len(holders)} learner(s) with certificates due for renewal.")
    base_url = current_app.config["LMS_BASE_URL"].rstrip("/")
    with current_app.test_request_context("/", base_url=base_url):
        learners, managers = send_digests(now.date(), now, base_url,
                                          current_app.config["LMS_LOCK_LEVELS"])
    db.session.commit()
    click.echo(f"Queued {learners} learner digest(s) and {managers} manager digest(s).")
    waiting = unsent(now)
    if current_app.config["MAIL_SERVER"]:
        sent = deliver(waiting, now=now)
        click.echo(f"Emailed {sent} of {len(waiting)} message(s).")
        if sent < len(waiting):
            click.echo("Some could not be sent; they stay in the outbox with the reason "
                       "and are tried again next run.", err=True)
    elif waiting:
        click.echo(f"MAIL_SERVER is not set: {len(waiting)} message(s) kept in the outbox "
                   "(/admin/outbox).")


def sqlite_path():
    """The SQLite file the site uses, or a SystemExit saying what to do on PostgreSQL."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit("This site runs on PostgreSQL: back it up with pg_dump and restore with "
                         "pg_restore (see README, 'Backups').")
    return Path(url.database)


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the SQLite database to PATH, consistently, while the site keeps running."""
    import sqlite3
    source_path, target = sqlite_path(), Path(path)
    if not source_path.is_file():
        raise SystemExit(f"There is no database at {source_path}: check DATABASE_URL.")
    if target.exists():
        raise SystemExit(f"{target} exists; choose a new file so no backup is overwritten.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        with copy:
            source.backup(copy)  # SQLite's online backup: a consistent snapshot
    finally:
        source.close()
        copy.close()
    click.echo(f"Backed up {source_path} to {target} ({target.stat().st_size // 1024} KB).")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the SQLite database with a backup made by `lms backup` (stop the site first)."""
    import sqlite3
    target, source_path = sqlite_path(), Path(path)
    check = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok" or not check.execute(
                "SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            raise SystemExit(f"{source_path} is not a backup of this site's database.")
    except sqlite3.DatabaseError:
        raise SystemExit(f"{source_path} is not an SQLite database.") from None
    if not yes:
        click.confirm(f"Replace {target} with {source_path}? Everything since the backup is lost",
                      abort=True)
    db.session.remove()
    db.engine.dispose()
    if target.is_file():  # keep what is being replaced, in case the wrong backup was chosen
        kept = target.with_name(f"{target.name}.before-restore-{utcnow():%Y%m%d%H%M%S}")
        current = sqlite3.connect(f"file:{target}?mode=ro", uri=True)
        keep = sqlite3.connect(kept)
        try:
            with keep:
                current.backup(keep)
        finally:
            current.close()
            keep.close()
        click.echo(f"The database as it was is kept in {kept}.")
    copy = sqlite3.connect(target)
    try:
        with copy:
            check.backup(copy)
    finally:
        check.close()
        copy.close()
    click.echo(f"Restored {target} from {source_path}. Run `lms init` to bring it to the "
               "current schema if the backup is older than this version.")


@click.group("keys")
def keys_command():
    """Manage the keys that sign credentials."""


@keys_command.command("rotate")
@with_appcontext
def keys_rotate_command():
    """Sign new credentials with a new key; credentials signed before still verify."""
    kid = create_signing_key(current_app.config["LMS_KEY_DIR"])
    db.session.commit()
    click.echo(f"New signing key {kid}; older keys stay published for verification.")


COMMANDS = (init_command, check_command, import_command, export_command, create_user_command,
            team_command,
            verify_command, remind_command, keys_command, backup_command, restore_command)


def register_commands(app):
    """Add the `lms` commands to the app's CLI."""
    for command in COMMANDS:
        app.cli.add_command(command)


def main():
    """Entry point of the `lms` console script."""
    from . import create_app
    FlaskGroup(create_app=create_app, help="Run and manage the customer success academy.")()
