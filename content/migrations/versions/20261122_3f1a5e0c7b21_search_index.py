"""search index

Revision ID: 3f1a5e0c7b21
Revises: 10bf21ce963b
Create Date: 2026-11-22 10:14:10.774168

The table ``search_documents`` is declared by the models (content/search/models.py).
The full-text parts differ per database and are created here by hand; the models leave
them out and ``content.search.models.include_name`` hides them from autogenerate:

- SQLite: the FTS5 table ``search_fts`` over ``search_documents`` (external content),
  kept in step by triggers, so every write to ``search_documents`` (including cascaded
  deletes) updates the index.
- PostgreSQL: the generated column ``tsv`` (title weighted A, text B, the text search
  configuration chosen by the document's language) and its GIN index.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f1a5e0c7b21'
down_revision = '10bf21ce963b'
branch_labels = None
depends_on = None

# Keep in step with content.search.backends.TEXT_SEARCH_CONFIGS; a language added
# later needs a migration that recreates the column ("simple" until then: no stemming).
_PG_CONFIG = (
    "CASE language WHEN 'nl' THEN 'dutch'::regconfig WHEN 'fr' THEN 'french'::regconfig "
    "WHEN 'de' THEN 'german'::regconfig WHEN 'en' THEN 'english'::regconfig "
    "ELSE 'simple'::regconfig END"
)

_SQLITE_UPGRADE = [
    # remove_diacritics 2: "hygiene" finds "hygiëne"; porter stems English words only.
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, text, content='search_documents', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_fts_insert AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER search_documents_fts_delete AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER search_documents_fts_update AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title, text) "
    "VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO search_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    # Index what an earlier partial run may have left in search_documents.
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]

_SQLITE_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS search_documents_fts_update",
    "DROP TRIGGER IF EXISTS search_documents_fts_delete",
    "DROP TRIGGER IF EXISTS search_documents_fts_insert",
    "DROP TABLE IF EXISTS search_fts",
]

_POSTGRESQL_UPGRADE = [
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({_PG_CONFIG}, title), 'A') || "
    f"setweight(to_tsvector({_PG_CONFIG}, text), 'B')) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
]


def upgrade():
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('variant', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('revision_number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_items.id'], name=op.f('fk_search_documents_item_id_content_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('item_id', 'variant', name='uq_search_documents_item_variant')
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index('ix_search_documents_language_variant', ['language', 'variant'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        statements = _SQLITE_UPGRADE
    elif dialect == 'postgresql':
        statements = _POSTGRESQL_UPGRADE
    else:
        raise NotImplementedError(f"search index: no full-text set-up for {dialect}")
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for statement in _SQLITE_DOWNGRADE:
            op.execute(statement)
    # On PostgreSQL the tsv column and its index go with the table.
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_search_documents_language_variant')

    op.drop_table('search_documents')
