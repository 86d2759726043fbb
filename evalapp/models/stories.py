from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from evalapp.extensions import db
from evalapp.models.base import utcnow


class StoryTag(db.Model):
    """A code an organiser gives a story (a long text answer), in the manner of the Most Significant Change technique."""

    __tablename__ = "story_tags"
    __table_args__ = (UniqueConstraint("response_id", "item_code", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    #: The long-text item the story answers.
    item_code: Mapped[str] = mapped_column(String(60))
    #: The organisers' own code, e.g. "youth", "water", "governance".
    tag: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<StoryTag {self.response_id} {self.item_code} {self.tag!r}>"


class StorySelection(db.Model):
    """A story the panel selected as most significant."""

    __tablename__ = "story_selections"
    __table_args__ = (UniqueConstraint("response_id", "item_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    item_code: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<StorySelection {self.response_id} {self.item_code}>"
