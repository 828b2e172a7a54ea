"""The API tokens page: administrators, employers and labour providers make tokens for their
systems (the secret is shown once), see when each was last used, and revoke them."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.errors import ValidationProblem
from portal.services import api_tokens
from portal.services.api_tokens import FormNonce, NewToken
from portal.web.api.forms import TokenForm
from portal.web.forms import EmptyForm, show_problem
from portal.web.security import current_account, roles_required
from portal.web.session import db_session

blueprint = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


@blueprint.route("", methods=["GET", "POST"])
@roles_required(*api_tokens.TOKEN_ROLES)
def token_list() -> ResponseReturnValue:
    session, account = db_session(), current_account()
    form = TokenForm()
    created: NewToken | None = None
    if form.validate_on_submit():
        try:
            created = api_tokens.create_token(
                session,
                account,
                form.name.data or "",
                expires_at=form.expires_at(),
                nonce=FormNonce(form.nonce.data or "", _key()),
            )
        except ValidationProblem as problem:
            show_problem(form, problem)
        else:
            form = TokenForm(formdata=None)  # ready for another one
    status = 400 if form.errors else 200
    return render_template(
        "api/tokens.html",
        form=form,
        created=created,
        example_call=_example_call(created.secret) if created is not None else "",
        tokens=api_tokens.list_tokens(session, account),
        is_live=api_tokens.is_live,
    ), status


def _key() -> bytes:
    """The key a token's secret is derived with: the application's (a string, see config)."""
    return str(current_app.config["SECRET_KEY"]).encode()


def _example_call(secret: str) -> str:
    """A command to try the new token with (the same in every language)."""
    url = url_for("api.vacancy_list", _external=True)
    return f'curl -H "Authorization: Bearer {secret}" {url}'


@blueprint.get("/<int:token_id>/revoke")
@roles_required(*api_tokens.TOKEN_ROLES)
def confirm_revoke(token_id: int) -> ResponseReturnValue:
    token = api_tokens.token_for(db_session(), current_account(), token_id)
    return render_template("api/revoke_token.html", token=token, form=EmptyForm())


@blueprint.post("/<int:token_id>/revoke")
@roles_required(*api_tokens.TOKEN_ROLES)
def revoke(token_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = api_tokens.revoke_token(db_session(), current_account(), token_id)
    flash(
        _("The token “%(name)s” is revoked: it no longer opens anything.", name=token.name),
        "success",
    )
    return redirect(url_for(".token_list"))
