import enum
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from evalapp.extensions import db
from evalapp.models.authorities import Authority, Partnership
from evalapp.models.base import one_of, utcnow
from evalapp.models.questionnaires import QuestionnaireVersion


class Side(enum.StrEnum):
    """Which side of a partnership an invitation answers for; it picks the questionnaire variant.

    An authority invited on its own answers as the home side.
    """

    HOME = "home"
    PARTNER = "partner"


#: The sides as people read them.
SIDE_LABELS = {Side.HOME: _l("home"), Side.PARTNER: _l("partner")}
#: The sides' codes as plain strings, for what is not an enum (a questionnaire definition's ``sides``).
SIDES = tuple(side.value for side in Side)
#: What an invitation whose link is withdrawn shows and counts as, whatever its response's status
#: (evalapp/tallies.py keeps it in the dashboards' figures as such).
WITHDRAWN = "withdrawn"


def round_state(status: str, opens_on: date, closes_on: date, day: date) -> str:
    """``not_open``, ``open`` or ``closed`` on ``day``, for a round of that status and dates."""
    if status == "closed":
        return "closed"
    if day < opens_on:
        return "not_open"
    if day > closes_on:
        return "closed"
    return "open"


def open_in_sql(rounds, day):
    """:func:`round_state` is ``open`` on ``day`` (a value or a bind parameter), as an SQL condition on the
    ``rounds`` table's columns."""
    return (rounds.c.status != "closed") & (rounds.c.opens_on <= day) & (rounds.c.closes_on >= day)


class Round(db.Model):
    """An evaluation round (campaign): one questionnaire version sent to authorities."""

    __tablename__ = "rounds"
    __table_args__ = (
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    #: First day answers are accepted (Europe/Paris calendar).
    opens_on: Mapped[date]
    #: Last day answers are accepted, included.
    closes_on: Mapped[date]
    #: ``open`` or ``closed`` by the organisers, whatever the dates say.
    status: Mapped[str] = mapped_column(String(10), default="open", server_default="open")
    #: Whether a respondent may reopen a submitted response until the closing date.
    allow_reopen: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Whether an authority that submitted may see its own results (its radar against the round's average).
    results_visible: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Whether each authority of a partnership whose two sides submitted may read the partnership's report
    #: (both sides' indices, items, stories) through its invitation link.
    partnership_reports_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Whether the partnership's report shows each side's free-text answers to both partners.
    texts_shared: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The organisers' own introduction and conclusion of the round's report, in each language ({"fr": ..., "en": ...}).
    report_intro: Mapped[dict | None] = mapped_column(JSON)
    report_conclusion: Mapped[dict | None] = mapped_column(JSON)
    #: The detail sections the report leaves out (evalapp/reporting/report.py names them); None: every one.
    report_left_out: Mapped[list | None] = mapped_column(JSON)
    #: Whether the report shows the selected stories without their authority.
    report_stories_anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The organiser who created the round; others see it once added as members.
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("organisers.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the catch-up last found every response of the round in its kept figures (evalapp/tallies.py).
    counted_at: Mapped[datetime | None]

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    invitations: Mapped[list["Invitation"]] = relationship(back_populates="round")
    owner: Mapped["Organiser | None"] = relationship()  # noqa: F821
    members: Mapped[list["Organiser"]] = relationship(secondary="round_members")  # noqa: F821

    def __repr__(self):
        return f"<Round {self.id} {self.title!r}>"

    def state_on(self, day: date) -> str:
        """Return ``not_open``, ``open`` or ``closed`` for the given day."""
        return round_state(self.status, self.opens_on, self.closes_on, day)


class Invitation(db.Model):
    """An authority's invitation to answer a round, reached through its secret token."""

    __tablename__ = "invitations"
    __table_args__ = (CheckConstraint(one_of("side", Side), name="side_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"))
    #: The partnership the answers are about; none for an authority invited on its own.
    partnership_id: Mapped[int | None] = mapped_column(ForeignKey("partnerships.id"), index=True)
    #: A Side, ``home`` or ``partner``: the side answered for, and the questionnaire variant.
    side: Mapped[str] = mapped_column(String(10), default=Side.HOME)
    #: The secret in the link: 256 random bits, URL-safe base64.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    #: Where the link is sent (emails, the links for a mail merge): the directory's address when invited.
    #: It changes only for the round's organisers: by an edit of theirs in the directory, or when they
    #: take the directory's address (evalapp/invitations.py); an organiser who cannot see the round never moves it.
    email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Set when the organisers withdraw the link; it then answers 410 until a new one is issued.
    revoked_at: Mapped[datetime | None]

    round: Mapped[Round] = relationship(back_populates="invitations")
    authority: Mapped[Authority] = relationship()
    partnership: Mapped[Partnership | None] = relationship()
    response: Mapped["Response"] = relationship(back_populates="invitation")  # noqa: F821
    emails: Mapped[list["InvitationEmail"]] = relationship(
        back_populates="invitation", order_by="InvitationEmail.id"
    )

    def __repr__(self):
        return f"<Invitation {self.id} round={self.round_id} authority={self.authority_id}>"

    @property
    def status(self) -> str:
        """Its response's status (a ResponseStatus), or WITHDRAWN while its link is withdrawn."""
        return WITHDRAWN if self.revoked_at is not None else self.response.status

    @property
    def partner(self) -> Authority | None:
        """The authority on the other side of the partnership, if any."""
        if self.partnership is None:
            return None
        return self.partnership.other_side(self.authority_id)


class RevokedToken(db.Model):
    """A link the organisers replaced: it answers 410 rather than 404, so the holder knows why."""

    __tablename__ = "revoked_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"))
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self):
        return f"<RevokedToken invitation={self.invitation_id}>"


class EmailStatus(enum.StrEnum):
    """What became of one message (see evalapp/mailing.py for how a send keeps each message to once).

    SENDING is committed just before the mail server is told the message is complete; a later run
    that finds it left by a run that stopped does not know whether the server took it, makes it
    UNKNOWN, and does not send it again.
    """

    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


#: The statuses of a message that may have reached its recipient: never sent again by the same send,
#: nor by a later invitation send.
REACHED = (EmailStatus.SENDING, EmailStatus.SENT, EmailStatus.UNKNOWN)


class InvitationEmail(db.Model):
    """One attempt to send an invitation or a reminder, recorded before the message leaves, with its result."""

    __tablename__ = "invitation_emails"
    __table_args__ = (
        CheckConstraint("kind IN ('invitation', 'reminder')", name="kind_known"),
        CheckConstraint(one_of("status", EmailStatus), name="status_known"),
        # A send's own messages: what it has done, when it resumes.
        Index("ix_invitation_emails_job_id_invitation_id", "job_id", "invitation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id", ondelete="CASCADE"), index=True)
    #: ``invitation`` or ``reminder``.
    kind: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(254))
    #: When the attempt began.
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: An EmailStatus: sending, sent, failed, or unknown.
    status: Mapped[str] = mapped_column(String(10))
    #: The server's or the network's error, when failed.
    error: Mapped[str | None] = mapped_column(Text)
    #: The send (a job) the message belongs to; none for the sends made before sends were jobs.
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    #: The message's Message-ID header, the same for every attempt of one send to one invitation: a
    #: mail server's log finds it, to settle a message whose outcome is unknown.
    message_id: Mapped[str | None] = mapped_column(String(250))

    invitation: Mapped[Invitation] = relationship(back_populates="emails")

    def __repr__(self):
        return f"<InvitationEmail {self.kind} invitation={self.invitation_id} {self.status}>"
