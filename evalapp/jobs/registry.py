"""The kinds of job and the units their progress is counted in: each defined once, here or with its kind."""
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from flask_babel import lazy_gettext as _l

from evalapp.i18n import ngettext

#: The modules that register kinds; imported by :func:`evalapp.jobs.init_app`, so that the web
#: process and every worker know the same kinds. A new kind's module is added here.
KIND_MODULES = (
    "evalapp.jobs.exports",
    "evalapp.jobs.backups",
    "evalapp.jobs.sends",
    "evalapp.jobs.invitations",
    "evalapp.jobs.imports",
    "evalapp.jobs.counts",
    "evalapp.jobs.report_pdfs",
)


def _responses(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s response", "%(done)s of %(total)s responses", total,
                    done=done, total=total_text)


def _partnerships(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s partnership", "%(done)s of %(total)s partnerships", total,
                    done=done, total=total_text)


def _emails(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s email", "%(done)s of %(total)s emails", total, done=done, total=total_text)


def _authorities(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s authority", "%(done)s of %(total)s authorities", total,
                    done=done, total=total_text)


def _bytes(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s byte", "%(done)s of %(total)s bytes", total, done=done, total=total_text)


def _steps(done: str, total: int, total_text: str) -> str:
    return ngettext("%(done)s of %(total)s step", "%(done)s of %(total)s steps", total, done=done, total=total_text)


#: How progress reads in each unit: "12,400 of 35,000 responses". A kind's unit is a key of this;
#: a new unit is added here with its wording (ngettext, so that French and English agree in number).
UNITS: dict[str, Callable[[str, int, str], str]] = {
    "responses": _responses,
    "partnerships": _partnerships,
    "emails": _emails,
    "authorities": _authorities,
    "bytes": _bytes,
    "steps": _steps,
}


@dataclass(frozen=True)
class Kind:
    name: str
    #: run(job, progress) -> result dict or None; see evalapp.jobs.
    run: Callable
    #: What the job is, for pages: "Export", "Backup of the database".
    label: str
    #: The unit its progress starts in (the kind may change it with progress.set_total).
    unit: str
    #: describe(job) -> one line about what this job does ("wide, for a spreadsheet..."), or None.
    describe: Callable | None = None
    #: summarise(job) -> one line about its result ("12,345 responses"), or None.
    summarise: Callable | None = None
    #: details(job) -> what the kind's own template (templates/organiser/jobs/<kind>.html) shows on the
    #: job's page, as ``details``: the messages that failed, the problems of a file...; or None.
    details: Callable | None = None


#: Every kind of job, by name.
KINDS: dict[str, Kind] = {}


def kind(name: str, *, label: str, unit: str = "steps", describe: Callable | None = None,
         summarise: Callable | None = None, details: Callable | None = None):
    """Register the decorated function as the kind of job ``name``; see :mod:`evalapp.jobs`."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}: add it to evalapp.jobs.registry.UNITS")

    def register(run: Callable) -> Callable:
        if name in KINDS and KINDS[name].run is not run:
            raise ValueError(f"a kind of job named {name!r} is already registered")
        KINDS[name] = Kind(name, run, label, unit, describe, summarise, details)
        return run

    return register


def load_kinds() -> None:
    for module in KIND_MODULES:
        import_module(module)


#: Shown for a kind no longer known (a job left from an older version).
UNKNOWN_KIND = _l("Job")
