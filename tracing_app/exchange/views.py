"""Request handling of the exchange's pages: API clients (administrators), the data dictionary."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from content.auth.roles import requires
from content.extensions import db
from content.forms import attach_error
from content.i18n import _, _l
from tracing_app.exchange import dictionary, tokens
from tracing_app.exchange.forms import ClientForm, RevokeForm
from tracing_app.exchange.models import ApiClient

MANAGE = "exchange.manage"
READ_DICTIONARY = "exchange.read_dictionary"

#: What each field type holds, for people (the JSON dictionary says it for programs).
TYPE_LABELS = {
    "text": _l("text"),
    "integer": _l("whole number"),
    "decimal": _l("decimal number"),
    "date": _l("date"),
    "time": _l("time"),
    "datetime": _l("date and time"),
    "select_one": _l("one of the allowed values"),
    "select_multiple": _l("several of the allowed values"),
    "acknowledge": _l("acknowledgement"),
    "calculate": _l("computed"),
}
#: Identifier kinds a field is checked as (tracing_app.identifiers).
IDENTIFIER_LABELS = {
    "national_number": _l("national register number"),
    "phone": _l("phone number"),
    "email": _l("e-mail address"),
    "postcode": _l("postcode"),
    "date": _l("date"),
    "birth_date": _l("date of birth"),
}


def _client_form() -> ClientForm:
    form = ClientForm()
    form.scopes.choices = [(scope, f"{scope} — {text}") for scope, text in tokens.SCOPES.items()]
    return form


@requires(MANAGE)
def list_clients():
    """List API clients; create one (its token is shown once, on the answer to the form)."""
    form = _client_form()
    new_token = None
    if form.validate_on_submit():
        try:
            client, new_token = tokens.create_client(
                form.name.data, form.scopes.data, actor=current_user._get_current_object()
            )
        except tokens.TokenError as exc:
            db.session.rollback()
            attach_error(form, exc)
        else:
            db.session.commit()
            # The token goes into this page only: never into a flash message or a redirect.
            form = _client_form()
            form.process(formdata=None)
            return render_template(
                "exchange/clients.html",
                form=form,
                clients=tokens.list_clients(),
                revoke_form=RevokeForm(),
                new_token=new_token,
                new_client=client,
                scopes=tokens.SCOPES,
            ), 201
    status = 400 if form.is_submitted() else 200
    return render_template(
        "exchange/clients.html",
        form=form,
        clients=tokens.list_clients(),
        revoke_form=RevokeForm(),
        new_token=None,
        new_client=None,
        scopes=tokens.SCOPES,
    ), status


@requires(MANAGE)
def revoke_client(client_id: int):
    """Revoke a client's token."""
    client = db.get_or_404(ApiClient, client_id)
    if RevokeForm().validate_on_submit():
        tokens.revoke_client(client, actor=current_user._get_current_object())
        db.session.commit()
        flash(_("The token of %(name)s no longer works.", name=client.name), "success")
    return redirect(url_for("exchange.list_clients"))


@requires(READ_DICTIONARY)
def show_dictionary():
    """The data dictionary as a page."""
    return render_template(
        "exchange/dictionary.html",
        entries=dictionary.data_dictionary(),
        type_labels=TYPE_LABELS,
        identifier_labels=IDENTIFIER_LABELS,
    )
