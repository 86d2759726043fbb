"""The respondent's forms are protected against cross-site posts by a token bound to the invitation.

Flask-WTF binds its token to the session cookie: a page sent after the browser lost its
cookies (closed and reopened, a phone that dropped them, a page left open overnight) would be
refused and its answers lost. The invitation link is the respondent's credential, so the
token is derived from the invitation's token and the secret key instead: it survives a lost
cookie, and a page of another site, which cannot know it, still saves nothing.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from itsdangerous import Signer
from wtforms.csrf.core import CSRF
from wtforms.validators import ValidationError

SALT = "evalapp.respond.form"


def _signer() -> Signer:
    # The newest key signs; the fallbacks still verify pages drawn before the key was rotated.
    keys = [*(current_app.config.get("SECRET_KEY_FALLBACKS") or ()), current_app.secret_key]
    return Signer(keys, salt=SALT)


def form_token(invitation_token: str) -> str:
    """The token the pages of one invitation carry in their forms."""
    return _signer().get_signature(invitation_token).decode()


def is_valid(invitation_token: str, sent: str | None) -> bool:
    return bool(sent) and _signer().verify_signature(invitation_token, sent)


class InvitationCSRF(CSRF):
    """WTForms' CSRF hook, with the invitation's token as its context (``meta={"csrf_context": token}``)."""

    def setup_form(self, form):
        self.invitation_token = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field):
        return form_token(self.invitation_token)

    def validate_csrf_token(self, form, field):
        if not is_valid(self.invitation_token, field.data):
            raise ValidationError(_l("This page could not be saved as it was sent."))


class RespondentForm(FlaskForm):
    """Every form of the respondent's pages; build it with :func:`for_invitation`."""

    class Meta:
        csrf_class = InvitationCSRF


def for_invitation(form_class: type[RespondentForm], invitation_token: str, **kwargs) -> RespondentForm:
    return form_class(meta={"csrf_context": invitation_token}, **kwargs)
