"""Install the demo curriculum into the site (``tracing-app init --demo``).

What it creates for every module of ``curriculum.yaml``, in chain order, from the data
files read by :mod:`lms.seed.training`:

- the module, its lessons and the exam as CMS items (types ``module``, ``lesson``,
  ``quiz``) in every language root, published, the translations linked to the source
  language's items;
- the module's settings and its prerequisites, the modules before it in the chain
  (lms.courses);
- the exam's questions in a question-bank category, one translation group per
  question across the four languages (lms.quizzes bank);
- the exam's settings and its draw from that category (lms.quizzes);
- the certification that requires every module of its manifest's ``modules`` (the whole
  chain) and the first module's exam, and grants the workspace gate (lms.certification).

Idempotent: everything is looked up first (items by path, questions by name and
language, settings by group, the certification by code) and only what is missing is
created. What exists is never overwritten, so changes made on the site survive a second
``init --demo``; see docs/lms-seed.md for changing the texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from content.auth.models import User
from content.demo import ensure_demo_user
from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from content.media.operations import add_media
from content.users.operations import AccountError, get_user
from content.workflow.operations import transition
from lms.certification import operations as certification_operations
from lms.courses.models import ModulePrerequisite, ModuleSettings
from lms.quizzes.bank import operations as bank_operations
from lms.quizzes.bank.models import BankQuestion, Category
from lms.quizzes.settings.models import QuizSettings
from lms.quizzes.settings.operations import default_settings, save_settings
from lms.seed.training import Text, TrainingModule, curriculum, load

#: Who publishes the demo content (the demo administrator of content/plugin.py).
PUBLISHER = ("admin@example.org", "Ada Admin", ["admin"], "en")
REVIEW_FLAGS = ("score", "correctness", "answers", "feedback")


@dataclass
class Installed:
    """The source-language items of a module, and what this run created."""

    module: ContentItem
    lessons: list[ContentItem]
    exam: ContentItem
    created: int = 0


def install_demo_training() -> list[str]:
    """Install the demo curriculum, its exams and certification; return console lines.

    Returns one line per part created in this run (none when everything existed).
    """
    ensure_demo_user(*PUBLISHER)  # its line is printed by the content plugin
    actor = get_user(PUBLISHER[0])
    items.ensure_language_roots()
    installed: dict[str, Installed] = {}
    lines = []
    for training in curriculum():  # chain order: a prerequisite is installed first
        installed[training.name] = _install_module(training, actor, lines)
        required = [installed[name].module.translation_group for name in training.prerequisites]
        if _install_prerequisites(installed[training.name].module.translation_group, required):
            lines.append(f"module {installed[training.name].module.slug:<25} prerequisites")
    for training in curriculum():
        if training.certification and _install_certification(installed, training):
            lines.append(f"certification {training.certification['code']}")
    return lines


def _install_module(training: TrainingModule, actor: User, lines: list[str]) -> Installed:
    """Install one module's items, settings, questions and exam settings; add console lines."""
    installed = _install_items(training, actor)
    if installed.created:
        lines.append(
            f"module {installed.module.slug:<25} {installed.created} item(s) published in "
            + ", ".join(training.languages)
        )
    if _install_module_settings(installed.module.translation_group, training):
        lines.append(f"module {installed.module.slug:<25} settings")
    category, added = _install_questions(training, actor)
    if added:
        lines.append(f"questions {training.category!r}: {added} added")
    if _install_quiz_settings(installed.exam.translation_group, category, training):
        lines.append(f"exam   {installed.exam.slug:<25} settings and draws")
    return installed


# CMS items ---------------------------------------------------------------------------


def _install_items(training: TrainingModule, actor: User) -> Installed:
    """Create the missing module, lesson and exam items in every language."""
    created: list[ContentItem] = []
    source: Installed | None = None
    # The source language goes first: the other languages link to its items.
    others = [code for code in training.languages if code != training.source_language]
    for language in [training.source_language, *others]:
        texts = training.texts[language]

        def ensure(parent, type_name, text, original):
            item, is_new = _ensure(parent, type_name, text, actor, original)
            if is_new:
                created.append(item)
            return item

        module = ensure(
            items.language_root(language), "module", texts.module, source and source.module
        )
        lessons = [
            ensure(module, "lesson", text, source and source.lessons[index])
            for index, text in enumerate(texts.lessons)
        ]
        exam = ensure(module, "quiz", texts.exam, source and source.exam)
        if source is None:
            source = Installed(module=module, lessons=lessons, exam=exam)
    source.created = len(created)
    return source


def _ensure(
    parent: ContentItem, type_name: str, text: Text, actor: User, source: ContentItem | None
) -> tuple[ContentItem, bool]:
    """Return the item at ``parent/slug`` (and False), or create, link and publish it (True).

    :param source: the source-language item this one translates (None for the source).
    """
    existing = items.item_by_path(f"{parent.path}/{text.slug}")
    if existing is not None:
        return existing, False
    item = items.create_item(
        parent,
        type_name,
        title=text.title,
        slug=text.slug,
        description=text.description,
        body=text.body,
        actor=actor,
        comment="init --demo",
    )
    if text.media:
        _attach_media(item, text, actor)
    if source is not None:
        item.translation_group = source.translation_group
        item.translation_source = source
        item.synced_source_revision = source.latest_revision_number
        db.session.flush()
    transition(item, "publish", actor=actor)
    return item, True


def _attach_media(item: ContentItem, text: Text, actor: User) -> None:
    """Add the images the text shows to the item, and point the body at them.

    The file's ``media/name.png`` becomes the site's ``/media/<id>/<name>`` in a second
    revision (the id exists only once the file is added).
    """
    body = text.body
    for path in text.media:
        with path.open("rb") as stream:
            media = add_media(item, stream, path.name, uploader=actor)
        body = body.replace(f"](media/{path.name})", f"](/media/{media.id}/{media.filename})")
    items.save_revision(
        item,
        base_number=item.latest_revision_number,
        title=text.title,
        description=text.description,
        body=body,
        actor=actor,
        comment="init --demo: images",
    )


# LMS settings, questions and certification ------------------------------------------------


def _install_module_settings(module_group: str, training: TrainingModule) -> bool:
    """Save the module's settings unless it has some."""
    if db.session.get(ModuleSettings, module_group) is not None:
        return False
    db.session.add(
        ModuleSettings(
            module_group=module_group,
            is_required_order=bool(training.module_settings.get("is_required_order", False)),
            is_self_enrolment=bool(training.module_settings.get("is_self_enrolment", True)),
        )
    )
    db.session.flush()
    return True


def _install_prerequisites(module_group: str, required: list[str]) -> bool:
    """Record the module's prerequisites unless it has some (a trainer's choice stays)."""
    if not required or db.session.scalar(
        select(ModulePrerequisite).where(ModulePrerequisite.module_group == module_group)
    ):
        return False
    db.session.add_all(
        ModulePrerequisite(module_group=module_group, required_group=group) for group in required
    )
    db.session.flush()
    return True


def _install_questions(training: TrainingModule, actor: User) -> tuple[Category, int]:
    """Add the missing questions of every language to the exam's category.

    A question's translations share one translation group, found through the source
    language's question of the same ``::name::``.
    """
    category = bank_operations.category_by_path(training.category, create=True)
    rows = db.session.scalars(select(BankQuestion).where(BankQuestion.category_id == category.id))
    existing = {(row.current_version.name, row.language): row for row in rows}
    added = 0
    for index, name in enumerate(training.question_names):
        group = None
        for language in dict.fromkeys((training.source_language, *training.languages)):
            row = existing.get((name, language))
            if row is None:
                question = training.texts[language].questions[index]
                row = bank_operations.create_question(
                    category, language, question, actor, translation_group=group
                )
                existing[(name, language)] = row
                added += 1
            group = group or row.translation_group
    return category, added


def _install_quiz_settings(quiz_group: str, category: Category, training: TrainingModule) -> bool:
    """Save the exam's settings and draws unless it has settings."""
    if db.session.get(QuizSettings, quiz_group) is not None:
        return False
    wanted = training.exam_settings
    settings = default_settings(quiz_group)
    settings.is_exam = bool(wanted["is_exam"])
    settings.shuffle_questions = bool(wanted["shuffle_questions"])
    settings.shuffle_answers = bool(wanted["shuffle_answers"])
    settings.pass_percent = Decimal(wanted["pass_mark"])
    settings.attempt_limit = wanted["attempt_limit"]
    settings.wait_minutes = wanted["waiting_minutes"]
    settings.time_limit_minutes = wanted["time_limit_minutes"]
    settings.grading_method = wanted["grading_method"]
    settings.review_when = wanted["review_when"]
    for flag in REVIEW_FLAGS:
        setattr(settings, f"review_{flag}", flag in wanted["review"])
    draws = {}
    for path, count in wanted["draws"].items():
        drawn = category if path == training.category else bank_operations.category_by_path(path)
        draws[drawn.id] = int(count)
    save_settings(settings, draws)
    return True


def _install_certification(installed: dict[str, Installed], training: TrainingModule) -> bool:
    """Create the certification unless one with its code exists.

    It requires every module its manifest lists under ``modules`` and this module's exam.
    """
    wanted = training.certification
    if certification_operations.certification_by_code(wanted["code"]) is not None:
        return False
    certification_operations.create_certification(
        wanted["code"],
        titles=dict(wanted["titles"]),
        module_groups=[installed[name].module.translation_group for name in wanted["modules"]],
        exam_quiz_group=installed[training.name].exam.translation_group,
        min_score_percent=int(wanted["minimum_grade"]),
        validity_days=int(wanted["validity_days"]),
        grants_gate=wanted["grants"],
    )
    return True


def exempt_demo_accounts(emails: list[str], code: str | None = None) -> list[str]:
    """Exempt existing demo accounts from the demo certification; return console lines.

    On a demo site the certification closes the call workspace to every agent without a
    certificate; the demo agents get an exemption (recorded, with its reason, by the demo
    administrator) so the workspace can be tried at once, while new accounts follow the
    training. Accounts that hold a valid certificate or do not exist are left alone.
    """
    code = code or load().certification["code"]
    certification = certification_operations.certification_by_code(code)
    if certification is None:
        return []
    actor = get_user(PUBLISHER[0])
    lines = []
    for email in emails:
        try:
            user = get_user(email)
        except AccountError:
            continue
        if certification_operations.valid_certificate(user, code) is not None:
            continue
        certification_operations.grant_exemption(
            user, certification, actor=actor, reason="Demo account (init --demo)"
        )
        lines.append(f"exemption {code} for {email}")
    return lines
