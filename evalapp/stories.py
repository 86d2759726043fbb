"""Organisers code the stories (long text answers) and mark the panel's selection. Functions flush only."""
import re

from sqlalchemy import delete, select

from evalapp.extensions import db
from evalapp.models import StorySelection, StoryTag

TAG = re.compile(r"^[^\x00-\x1f]{1,60}$")


def normalise_tag(text: str) -> str | None:
    tag = " ".join(text.strip().lower().split())
    return tag if TAG.match(tag) else None


def add_tag(response_id: int, item_code: str, tag: str) -> None:
    exists = db.session.scalar(select(StoryTag.id).filter_by(response_id=response_id, item_code=item_code, tag=tag))
    if not exists:
        db.session.add(StoryTag(response_id=response_id, item_code=item_code, tag=tag))
        db.session.flush()


def remove_tag(response_id: int, item_code: str, tag: str) -> None:
    db.session.execute(delete(StoryTag).filter_by(response_id=response_id, item_code=item_code, tag=tag))


def set_selected(response_id: int, item_code: str, selected: bool) -> None:
    current = db.session.scalar(select(StorySelection).filter_by(response_id=response_id, item_code=item_code))
    if selected and current is None:
        db.session.add(StorySelection(response_id=response_id, item_code=item_code))
    elif not selected and current is not None:
        db.session.delete(current)
    db.session.flush()
