"""Register, log in and out, change or reset a password."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal.errors import DomainError, TooManyAttempts, ValidationProblem
from portal.models import Role
from portal.services import accounts, outbox
from portal.web import i18n
from portal.web.auth.forms import (
    SELF_REGISTERING_ROLE_VALUES,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from portal.web.forms import EmptyForm, show_problem
from portal.web.security import LoggedIn, current_account, is_local_path
from portal.web.session import db_session

blueprint = Blueprint("auth", __name__)


def login_policy() -> accounts.LoginPolicy:
    config = current_app.config
    return accounts.LoginPolicy(
        failures_per_account=config["LOGIN_FAILURES_PER_ACCOUNT"],
        failures_per_ip=config["LOGIN_FAILURES_PER_IP"],
        window=timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]),
    )


def start_browser_session(user_token: tuple[accounts.User, str]) -> None:
    """Log in with a fresh session; a language chosen before logging in becomes the account's."""
    user, token = user_token
    chosen = session.get(i18n.SESSION_KEY)
    session.clear()  # a new session id after login: no fixation
    login_user(LoggedIn(user, token))
    session.permanent = True
    if chosen in i18n.languages():
        session[i18n.SESSION_KEY] = chosen
        accounts.set_language(db_session(), user, chosen)


def _safe_next(target: str | None) -> str | None:
    """Only local paths: never send a user to another site after login."""
    return target if is_local_path(target) else None


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            logged_in = accounts.log_in(
                db_session(),
                form.email.data or "",
                form.password.data or "",
                request.remote_addr or "unknown",
                login_policy(),
            )
        except TooManyAttempts as refusal:
            form.form_errors.append(refusal.message)
            status = 429
        except DomainError as refusal:
            form.form_errors.append(refusal.message)
            status = 401
        else:
            start_browser_session(logged_in)
            flash(_("You are logged in."), "success")
            return redirect(_safe_next(request.args.get("next")) or url_for("public.dashboard"))
    elif form.is_submitted():
        status = 400
    return render_template("auth/login.html", form=form), status


@blueprint.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.log_out(db_session(), current_user.token)
        logout_user()
        session.clear()
        flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))


@blueprint.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("public.dashboard"))
    form = RegisterForm()
    if not form.is_submitted() and request.args.get("role") in SELF_REGISTERING_ROLE_VALUES:
        form.role.data = request.args["role"]
    if form.validate_on_submit():
        registration = accounts.Registration(
            email=form.email.data or "",
            full_name=form.full_name.data or "",
            password=form.password.data or "",
            role=Role(form.role.data),
            organisation_name=form.organisation_name.data or "",
            language=i18n.page_language(),
        )
        try:
            accounts.register(db_session(), registration)
            logged_in = accounts.log_in(
                db_session(),
                registration.email,
                registration.password,
                request.remote_addr or "unknown",
                login_policy(),
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            start_browser_session(logged_in)
            flash(_("Welcome! Your account is ready."), "success")
            return redirect(url_for("public.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(
                db_session(),
                current_account(),
                form.current_password.data or "",
                form.new_password.data or "",
                keep_token=current_user.token,
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            flash(_("Your password is changed. You are logged out everywhere else."), "success")
            return redirect(url_for("public.dashboard"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/change_password.html", form=form), status


@blueprint.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> ResponseReturnValue:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(
            db_session(),
            form.email.data or "",
            link_for=lambda token: url_for("auth.reset_password", token=token, _external=True),
            ttl=timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"]),
        )
        outbox.deliver_pending(db_session(), outbox.transport_from_settings(current_app.config))
        flash(
            _(
                "If an account uses this address, we have sent it a link to reset the password. "
                "Check your messages."
            ),
            "info",
        )
        return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/forgot_password.html", form=form), status


@blueprint.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    if not accounts.reset_token_is_valid(db_session(), token):
        return render_template("auth/reset_expired.html"), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db_session(), token, form.new_password.data or "")
        except ValidationProblem as problem:
            show_problem(form, problem)
        except DomainError:
            return render_template("auth/reset_expired.html"), 404
        else:
            if current_user.is_authenticated:
                logout_user()
            session.clear()
            flash(_("Your password is changed. Log in with the new one."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status
