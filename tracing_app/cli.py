"""The ``tracing-app`` command: Flask's CLI on the tracing site."""

from flask.cli import FlaskGroup

from tracing_app import create_app


def _create_app():
    return create_app()


main = FlaskGroup(
    name="tracing-app", create_app=_create_app, help="Run and manage the tracing site."
)
