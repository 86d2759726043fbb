"""The organiser's account page: their API tokens (made, shown once, revoked) and a link to the password page.

    /o/account                      the tokens with their creation and last use; POST makes one and shows it once
    /o/account/tokens/<id>/revoke   POST: revoke one of one's own tokens
"""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from evalapp.auth import tokens
from evalapp.auth.forms import ApiTokenForm
from evalapp.auth.routes import bp
from evalapp.extensions import db


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ApiTokenForm()
    secret = None
    if form.validate_on_submit():
        token, secret = tokens.create_token(current_user, form.name.data)
        db.session.commit()
        # Drawn here rather than after a redirect: the secret is never stored, not even in the session cookie.
        form = ApiTokenForm(formdata=None)
        return render_template("auth/account.html", form=form, tokens=tokens.tokens_of(current_user),
                               new_token=token, secret=secret), 201
    return render_template("auth/account.html", form=form, tokens=tokens.tokens_of(current_user),
                           new_token=None, secret=None), 200 if not form.errors else 400


@bp.post("/account/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id):
    token = tokens.own_token(current_user, token_id)
    if token is None:
        abort(404)
    tokens.revoke_token(token)
    db.session.commit()
    flash(_("The token is revoked: it opens nothing any more."), "success")
    return redirect(url_for(".account"), code=303)
