"""The pages of the site that people open, for the audits that run over every page.

The walk starts from the permission matrix (``tests/test_permission_matrix.py``): every
GET rule whose answer is a page (not a file, a feed or a redirect) is visited by someone
the matrix lets in: visitors for public pages, else ``AUDITOR``, who holds every role.
The site is the demo site (``tracing-app init --demo``) with an escalated ticket, a
quarantine certificate, an open call form and a practice call added, so that the pages
show real rows.
URL values are read from the database, per language where the page belongs to one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import text

from content.extensions import db
from tests.e2e.conftest import Account
from tests.permission_rows import ANONYMOUS

#: Holds every role (and an exemption from the certification): opens every page.
AUDITOR = Account(
    "alex.audit@example.org",
    "Alex Audit",
    "en",
    ("admin", "editor", "reviewer", "trainer", "supervisor", "specialist", "agent"),
)

#: Endpoints whose answer is not a page: files, feeds, redirects, the health probe, the
#: wallboard's event stream and the fragment it sends.
NOT_PAGES = re.compile(
    r"^api\.|\.export_|\.download_|^core\.(root|healthz)$|^media\.serve_media$"
    r"|^courses\.resume_module$|^auth\.logout$|^calls\.wallboard_(stream|fragment)$"
)
#: Public pages that only make sense to a visitor (a signed-in person is sent on).
VISITOR_PAGES = {"auth.login"}

PAGE_IN_LANGUAGE = "select id from content_items where type = 'page' and language = :lang"
QUIZ_IN_LANGUAGE = "select id from content_items where type = 'quiz' and language = :lang"

#: argument → query of its value (``:lang``: the page's language); first row wins.
VALUES = {
    "user_id": "select id from users order by id",
    "item_id": PAGE_IN_LANGUAGE,
    "parent_id": "select id from content_items where parent_id is null and language = :lang",
    "path": "select substr(path, length(:lang) + 2) from content_items"
    " where type = 'page' and language = :lang order by id",
    "group": "select translation_group from content_items where type = 'page'"
    " and language = :lang order by id",
    "module_id": "select id from content_items where type = 'module' and language = :lang",
    "certificate_id": "select id from lms_certificates order by id",
    "certification_id": "select id from lms_certifications order by id",
    "code": "select code from lms_certificates order by id",
    "category_id": "select id from lms_question_categories order by id",
    "question_id": "select id from lms_questions order by id",
    "version_id": "select id from lms_question_versions order by id",
    "attempt_id": "select id from lms_attempts order by id",
    "response_id": "select id from form_responses order by id",
    "reference": "select reference from tickets order by id",
    "document_id": "select id from ticket_documents order by id",
    "order_id": "select id from call_orders order by id",
    "campaign_id": "select id from campaigns order by id",
    "escalation_id": "select id from ticket_escalations order by id",
}
#: (endpoint, argument) → query, where an endpoint names another thing than the default.
OVERRIDES = {
    ("courses.view_lesson", "item_id"): "select id from content_items where type = 'lesson'"
    " and language = :lang order by position",
    ("courses.open_quiz", "item_id"): QUIZ_IN_LANGUAGE,
    ("quizzes.edit_settings", "group"): QUIZ_IN_LANGUAGE.replace("id", "translation_group", 1),
    ("quizzes.quiz_results", "group"): QUIZ_IN_LANGUAGE.replace("id", "translation_group", 1),
    ("quizzes.view_quiz", "group"): QUIZ_IN_LANGUAGE.replace("id", "translation_group", 1),
    ("scripts.view_version", "version_id"): "select id from script_versions order by id",
    ("scripts.compare_versions", "version_id"): "select id from script_versions order by id",
    ("documents.verify_document", "code"): "select code from ticket_documents order by id",
    ("practice.practice_call", "code"): "select code from practice_scenarios order by position",
    # Learners see their own practice calls only: the auditor's (seed_audit_site).
    ("practice.view_result", "call_id"): "select id from practice_calls order by id",
}


@dataclass(frozen=True)
class WalkedPage:
    """One page of the walk: its endpoint, its URL rule and who opens it."""

    endpoint: str
    rule: str
    account: Account | None  # None: a visitor

    def url(self, language: str) -> str | None:
        """Return the page's path in a language, or None when no row names what it shows."""
        values = {"lang_code": language}
        for name in re.findall(r"<(?:\w+:)?(\w+)>", self.rule):
            if name == "lang_code":
                continue
            query = OVERRIDES.get((self.endpoint, name), VALUES.get(name))
            value = db.session.execute(text(query), {"lang": language}).scalar() if query else None
            if value is None:
                return None
            values[name] = value
        return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), self.rule)


def pages() -> list[WalkedPage]:
    """Return the pages of the site, each with the account that opens it."""
    from tests.test_permission_matrix import MATRIX, RULES

    walked = []
    for endpoint, method, rule in RULES:
        if method != "GET" or NOT_PAGES.search(endpoint):
            continue
        who = MATRIX[endpoint][1]
        if not who:
            continue
        visitor = ANONYMOUS in who and (endpoint in VISITOR_PAGES or len(who) > 1)
        walked.append(WalkedPage(endpoint, rule, None if visitor else AUDITOR))
    return walked


def seed_audit_site() -> None:
    """Demo data of every plugin, the auditor, an escalated ticket, a document and a call form.

    Runs in an app context of the audit site; commits.
    """
    from flask import current_app

    from content.items.models import ContentItem
    from content.plugins import hook
    from content.users import operations as users
    from lms.certification import operations as certification
    from lms.quizzes.attempts import operations as quizzes
    from tracing_app.documents.models import QUARANTINE_CERTIFICATE
    from tracing_app.documents.operations import issue_document
    from tracing_app.practice import operations as practice
    from tracing_app.practice.scenarios import active_scenarios
    from tracing_app.protection.audit_key import forget_audit_key, generate_audit_key_file
    from tracing_app.protection.audit_key import key_file_path as audit_key_path
    from tracing_app.protection.keyfile import generate_key_file, key_file_path
    from tracing_app.protection.keyring import forget_key_ring
    from tracing_app.scripts import operations as scripts
    from tracing_app.scripts.models import Script
    from tracing_app.tickets import escalations
    from tracing_app.tickets.models import Ticket

    app = current_app._get_current_object()
    path = key_file_path(app.instance_path)
    if not path.exists():
        generate_key_file(path)
        forget_key_ring(app)
    if generate_audit_key_file(audit_key_path(app.instance_path)):
        forget_audit_key(app)
    for _lines in hook(app).tracing_demo_data(app=app):
        pass
    auditor = users.create_user(
        AUDITOR.email,
        AUDITOR.password,
        display_name=AUDITOR.display_name,
        roles=AUDITOR.roles,
        locale=AUDITOR.locale,
    )
    for found in certification.list_certifications():
        certification.grant_exemption(auditor, found, actor=auditor, reason="Page audit")
    ticket = db.session.scalar(db.select(Ticket).order_by(Ticket.id))
    escalations.escalate(ticket, "Begint de quarantaine opnieuw na nieuwe koorts?", actor=auditor)
    today = dt.date.today()
    issue_document(
        ticket,
        kind=QUARANTINE_CERTIFICATE,
        actor=auditor,
        today=today,
        valid_from=today,
        valid_until=today + dt.timedelta(days=7),
    )
    exam = db.session.scalar(
        db.select(ContentItem).where(ContentItem.type == "quiz", ContentItem.language == "nl")
    )
    quizzes.submit_attempt(quizzes.start_attempt(auditor, exam), {})  # a failed attempt
    script = db.session.scalar(db.select(Script).order_by(Script.id))
    scripts.start_form(scripts.current_version(script), agent=auditor, language="nl")
    scenario = active_scenarios()[0]  # a failed practice call: its feedback page
    practice.record_call(
        auditor, scenario, practice.script_version(scenario),
        language="nl", values={"consent": "yes"}, outcome="reached",
    )  # fmt: skip
    db.session.commit()
