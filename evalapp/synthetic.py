"""Synthetic submitted responses in bulk, for benchmarks: Core inserts in batches, no ORM objects.

Written in bulk, the responses are not in the round's tallies yet: the catch-up counts them
(evalapp/tallies.py), as it would any response written outside the write paths.
"""
import random
import secrets
from datetime import timedelta

from sqlalchemy import func, insert, select

from evalapp import tallies
from evalapp.demo import demo_response_rows
from evalapp.directory import history
from evalapp.directory.countries import fold
from evalapp.extensions import db
from evalapp.models import Answer, Authority, Invitation, Response, ResponseStatus, Round, Side
from evalapp.models.base import utcnow
from evalapp.questionnaires.loader import definition_of
from evalapp.questionnaires.types import BLANK_ROW

REGIONS = ["Auvergne-Rhône-Alpes", "Bretagne", "Occitanie", "Grand Est", "Normandie", "Hauts-de-France"]


def add_responses(round_: Round, count: int, batch: int = 2000, seed: int = 1, catch_up: bool = True) -> int:
    """Add ``count`` authorities to ``round_``, invited on their own, each with a submitted response to all it is asked.

    Returns the number of answer rows written. Commits after each batch; then, with ``catch_up``,
    counts them into the round's tallies (:func:`evalapp.tallies.catch_up`, in batches too).
    """
    rng = random.Random(seed)
    definition = definition_of(round_.questionnaire_version)
    next_id = {model: (db.session.scalar(select(func.max(model.id))) or 0) + 1
               for model in (Authority, Invitation, Response)}
    now = utcnow()
    written = 0
    for start in range(0, count, batch):
        size = min(batch, count - start)
        authorities, invitations, responses, answers = [], [], [], []
        for k in range(size):
            number = start + k
            authority_id, invitation_id, response_id = (next_id[m] + number for m in (Authority, Invitation, Response))
            name = f"Commune synthétique {number:06d}"
            authorities.append({"id": authority_id, "name": name, "sort_name": fold(name), "kind": "commune",
                                "country": "FR", "region": rng.choice(REGIONS), "language": "fr", "created_at": now})
            invitations.append({"id": invitation_id, "round_id": round_.id, "authority_id": authority_id,
                                "side": Side.HOME.value, "token": secrets.token_urlsafe(24), "created_at": now})
            submitted = now - timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            responses.append({"id": response_id, "invitation_id": invitation_id, "status": ResponseStatus.SUBMITTED.value,
                              "respondent_role": "international_staff", "started_at": submitted - timedelta(hours=1),
                              "updated_at": submitted, "submitted_at": submitted})
            level = rng.uniform(2, 4.5)
            for rows in demo_response_rows(definition, Side.HOME, False, level, rng)[1].values():
                for row in rows:
                    answers.append({"response_id": response_id, **BLANK_ROW, **row})
        db.session.execute(insert(Authority), authorities)
        history.record((row for values in authorities for row in history.changes(
            "created", {}, {name: values.get(name) for name in history.AUTHORITY_FIELDS}, authority_id=values["id"])),
            by=None)
        db.session.execute(insert(Invitation), invitations)
        db.session.execute(insert(Response), responses)
        _insert_answers(answers)
        db.session.commit()
        written += len(answers)
    _after_bulk_load()
    if catch_up:
        tallies.catch_up(round_.id)
    return written


ANSWER_COLUMNS = ("response_id", "item_code", "choice", "scale_value", "dont_know", "number_value", "text_value")


def _insert_answers(rows: list[dict]) -> None:
    """PostgreSQL: COPY, the fastest way in; elsewhere an executemany insert."""
    if db.engine.dialect.name != "postgresql":
        db.session.execute(insert(Answer), rows)
        return
    cursor = db.session.connection().connection.cursor()
    with cursor.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in ANSWER_COLUMNS])


def _after_bulk_load() -> None:
    """On PostgreSQL, move the id sequences past the ids written explicitly and refresh the planner's statistics."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("authorities", "invitations", "responses"):
        db.session.execute(db.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"))
    db.session.commit()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(db.text("ANALYZE"))
