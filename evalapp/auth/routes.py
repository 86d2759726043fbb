"""Login, logout, password change; the administrators' list of organiser accounts."""
import math
import time
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from evalapp.auth import accounts, devices
from evalapp.auth.forms import LoginForm, OrganiserForm, PasswordChangeForm
from evalapp.extensions import db, limiter
from evalapp.i18n import ngettext, safe_next
from evalapp.models import Organiser

bp = Blueprint("auth", __name__, url_prefix="/o")


def _failed(response) -> bool:
    """Only failed attempts count towards the login limits."""
    return response.status_code != 303


def _account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


def _device_key() -> str:
    return "login-device:" + (devices.trusted_nonce() or "")


def _from_usual_browser() -> bool:
    """Whether the login post comes with a valid device cookie for the account typed."""
    return devices.trusted_nonce() is not None


def _from_another_client() -> bool:
    return devices.trusted_nonce() is None


# Failures from clients without a device cookie for the account are limited per account and per
# address; the organiser's usual browser has a limit of its own, so no stranger can keep them out.
@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed, exempt_when=_from_usual_browser)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed,
               exempt_when=_from_usual_browser)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_DEVICE"], key_func=_device_key,
               methods=["POST"], deduct_when=_failed, exempt_when=_from_another_client)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("organiser.rounds"))
    form = LoginForm()
    if form.validate_on_submit():
        organiser = accounts.authenticate(form.email.data, form.password.data)
        if organiser is not None:
            accounts.start_session(organiser, request.user_agent.string)
            db.session.commit()
            login_user(organiser)
            response = redirect(safe_next(request.args.get("next"), url_for("organiser.rounds")), code=303)
            devices.give(response, organiser)
            return response
        form.password.errors = [_("Wrong email or password.")]
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


def _minutes_to_wait() -> int:
    """Minutes until the window of the limit just exceeded ends (the limits are configurable)."""
    exceeded = limiter.current_limit
    return max(1, math.ceil((exceeded.reset_at - time.time()) / 60)) if exceeded else 1


@bp.errorhandler(429)
def too_many_attempts(error):
    minutes = _minutes_to_wait()
    if request.endpoint == "auth.change_password":
        message = ngettext("Too many wrong passwords: try again in %(num)s minute.",
                           "Too many wrong passwords: try again in %(num)s minutes.", minutes)
        return render_template("auth/password.html", form=PasswordChangeForm(), blocked=message), 429
    if _from_usual_browser():
        message = ngettext("Too many failed attempts from this browser: try again in %(num)s minute.",
                           "Too many failed attempts from this browser: try again in %(num)s minutes.", minutes)
    else:
        message = " ".join([
            ngettext("Too many failed attempts for this account or from this network address: try again in %(num)s minute.",
                     "Too many failed attempts for this account or from this network address: try again in %(num)s minutes.",
                     minutes),
            _("In a browser where you have logged in to this account since its password last changed, "
              "you can log in now."),
        ])
    return render_template("auth/login.html", form=LoginForm(), blocked=message), 429


@bp.post("/logout")
@login_required
def logout():
    accounts.end_session(current_user)
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("auth.login"), code=303)


def _organiser_key() -> str:
    return f"password-change:{current_user.id}"


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_organiser_key,
               methods=["POST"], deduct_when=_failed)
def change_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors = [_("This is not your current password.")]
        else:
            accounts.change_password(current_user, form.new_password.data)
            db.session.commit()
            flash(_("Your password is changed. Other sessions are logged out."), "success")
            response = redirect(url_for("organiser.rounds"), code=303)
            # The new password ended the device cookies given before: this browser stays known.
            devices.give(response, current_user)
            return response
    return render_template("auth/password.html", form=form)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(404)
        return view(*args, **kwargs)

    return wrapped


@bp.route("/admin/organisers", methods=["GET", "POST"])
@admin_required
def organisers():
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            accounts.create_organiser(form.email.data, form.password.data, form.name.data or None,
                                      is_admin=form.is_admin.data)
        except accounts.AccountError:
            form.email.errors = [_("An organiser with this email already exists.")]
        else:
            db.session.commit()
            flash(_("Account created for %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".organisers"), code=303)
    everyone = db.session.scalars(select(Organiser).order_by(Organiser.email)).all()
    return render_template("auth/organisers.html", form=form, organisers=everyone)


@bp.post("/admin/organisers/<id:organiser_id>/active")
@admin_required
def toggle_active(organiser_id):
    organiser = db.get_or_404(Organiser, organiser_id)
    if organiser.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "warning")
    else:
        accounts.set_active(organiser, not organiser.active)
        db.session.commit()
    return redirect(url_for(".organisers"), code=303)
