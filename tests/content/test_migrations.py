"""The committed migrations build exactly the schema the models describe."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from content.extensions import db
from content.search.models import include_name  # one-database search parts, as in env.py


@pytest.mark.db
def test_migrations_match_the_models(app):
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": include_name}
        context = MigrationContext.configure(conn, opts=opts)
        differences = compare_metadata(context, db.metadata)
    assert differences == [], "run `tracing-app db migrate -m ...` and commit the migration"
