"""A third-party-style plugin used by the tests: a role, a permission, a page, a panel."""

from flask import Blueprint

from content.auth.roles import Role, requires
from content.core.panels import DashboardPanel
from content.hookspecs import hookimpl

bp = Blueprint("sample", __name__, url_prefix="/<lang_code>/sample")


@bp.route("/")
@requires("sample.read")
def index():
    """A page only the sample role may read."""
    return "sample page"


@bp.route("/boom")
@requires("sample.read")
def boom():
    """A page that fails, to show the error page."""
    raise RuntimeError("boom")


@hookimpl
def tracing_config_defaults():
    """A setting of the plugin's own."""
    return {"SAMPLE_GREETING": "hello", "SITE_NAME": "must not override the site"}


@hookimpl
def tracing_roles():
    """One extra role."""
    return [Role("sampler", "Sampler", "Reads samples.")]


@hookimpl
def tracing_permissions():
    """The permission of the sample page."""
    return {"sample.read": {"sampler"}}


@hookimpl
def tracing_blueprints(app):
    """The sample page."""
    return [bp]


@hookimpl
def tracing_dashboard_panels(user):
    """A panel for samplers."""
    return [DashboardPanel("Sample panel")] if user.can("sample.read") else []
