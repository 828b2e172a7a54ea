"""The link a labour provider sends a worker it registered: the worker chooses a password and
from then on has a login of their own. Public: the one-time token is the key."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from portal.errors import Conflict, DomainError, ValidationProblem
from portal.services import accounts, provider_workers
from portal.web.auth.views import login_policy, start_browser_session
from portal.web.forms import show_problem
from portal.web.provider.forms import AcceptInviteForm
from portal.web.session import db_session

blueprint = Blueprint("invites", __name__)


def _expired() -> ResponseReturnValue:
    return render_template("invites/expired.html"), 404


@blueprint.route("/invite/<token>", methods=["GET", "POST"])
def accept(token: str) -> ResponseReturnValue:
    worker = provider_workers.invited_worker(db_session(), token)
    if worker is None:
        return _expired()
    form = AcceptInviteForm()
    if form.validate_on_submit():
        password = form.password.data or ""
        try:
            user = provider_workers.accept_invite(db_session(), token, password)
        except ValidationProblem as problem:
            show_problem(form, problem)
        except Conflict as refusal:  # the email address has an account already
            form.form_errors.append(refusal.message)
        except DomainError:
            return _expired()
        else:
            if current_user.is_authenticated:  # someone else was logged in on this browser
                accounts.log_out(db_session(), current_user.token)
                logout_user()
            return _log_in_and_welcome(user.email, password)
    status = 400 if form.is_submitted() else 200
    return render_template("invites/accept.html", form=form, worker=worker), status


def _log_in_and_welcome(email: str, password: str) -> ResponseReturnValue:
    try:
        logged_in = accounts.log_in(
            db_session(), email, password, request.remote_addr or "unknown", login_policy()
        )
    except DomainError:  # logging in is paused for this address: the login exists all the same
        flash(_("Your login is ready. Log in with %(email)s.", email=email), "success")
        return redirect(url_for("auth.login"))
    start_browser_session(logged_in)
    flash(_("Welcome! From now on, log in with %(email)s.", email=email), "success")
    return redirect(url_for("worker.dashboard"))
