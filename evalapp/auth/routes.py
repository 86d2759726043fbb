"""Login, logout, password change; the administrators' list of organiser accounts."""
from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from evalapp.auth import accounts
from evalapp.auth.forms import LoginForm, OrganiserForm, PasswordChangeForm
from evalapp.extensions import db, limiter
from evalapp.i18n import safe_next
from evalapp.models import Organiser

bp = Blueprint("auth", __name__, url_prefix="/o")


def _failed(response) -> bool:
    """Only failed attempts count towards the login limits."""
    return response.status_code != 303


def _account_key() -> str:
    return "login-account:" + accounts.normalise_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_account_key,
               methods=["POST"], deduct_when=_failed)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed)
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
            return redirect(safe_next(request.args.get("next"), url_for("organiser.rounds")), code=303)
        form.password.errors = [_("Wrong email or password.")]
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 401


@bp.errorhandler(429)
def too_many_attempts(error):
    form = LoginForm()
    message = _("Too many failed attempts for this account or from this address. Wait a minute, then try again.")
    return render_template("auth/login.html", form=form, blocked=message), 429


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
            return redirect(url_for("organiser.rounds"), code=303)
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


@bp.post("/admin/organisers/<int:organiser_id>/active")
@admin_required
def toggle_active(organiser_id):
    organiser = db.get_or_404(Organiser, organiser_id)
    if organiser.id == current_user.id:
        flash(_("You cannot deactivate your own account."), "warning")
    else:
        accounts.set_active(organiser, not organiser.active)
        db.session.commit()
    return redirect(url_for(".organisers"), code=303)
