"""Read the demo training modules from their data files, without touching the database.

``training/curriculum.yaml`` lists the modules in the order of their prerequisite chain.
One folder per module under ``training/``: a ``manifest.yaml`` and, per language, the
module text, the lessons and the exam's instructions as Markdown with a YAML front matter
(``slug``, ``title``, ``description``) and the exam's questions as GIFT. Editors change
the texts there; see docs/lms-seed.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from lms.quizzes import Question, parse_gift

TRAINING_DIRECTORY = Path(__file__).parent / "training"
#: The first module of the curriculum; its manifest holds the certification.
DEMO_MODULE = "contact-tracing-basics"
CURRICULUM_FILE = TRAINING_DIRECTORY / "curriculum.yaml"

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
#: An image of the lesson's own ``media/`` folder: ``![alt](media/name.png)``.
MEDIA_REFERENCE = re.compile(r"\]\(media/([\w.-]+)\)")


@dataclass(frozen=True)
class Text:
    """One Markdown file: what becomes a CMS item in one language."""

    slug: str
    title: str
    description: str
    body: str
    #: The files of ``media/`` next to the Markdown file that the body shows, in order.
    media: tuple[Path, ...] = ()


@dataclass(frozen=True)
class ModuleTexts:
    """Everything of the module in one language."""

    language: str
    module: Text
    lessons: tuple[Text, ...]
    exam: Text
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class TrainingModule:
    """A demo module: its settings from the manifest and its texts per language."""

    name: str
    source_language: str
    languages: tuple[str, ...]
    texts: dict[str, ModuleTexts]
    exam_settings: dict[str, Any]
    category: str
    #: ``None`` for a module that is only a step of the chain, not certified on its own.
    certification: dict[str, Any] | None
    module_settings: dict[str, Any] = field(default_factory=dict)
    #: The modules (folder names) a learner completes before enrolling in this one.
    prerequisites: tuple[str, ...] = ()

    @property
    def source(self) -> ModuleTexts:
        """The texts in the source language (the others are linked translations of them)."""
        return self.texts[self.source_language]

    @property
    def question_names(self) -> tuple[str, ...]:
        """The ``::name::`` of every question, in file order: the key across languages."""
        return tuple(question.name for question in self.source.questions)


def read_text(path: Path) -> Text:
    """Read a Markdown file with its front matter and the images its body shows.

    :raise ValueError: naming the file when the front matter is missing or incomplete,
        or when an image of ``media/`` the body refers to does not exist.
    """
    raw = path.read_text(encoding="utf-8")
    match = _FRONT_MATTER.match(raw)
    if match is None:
        raise ValueError(f"{path}: no front matter (--- slug/title/description ---)")
    meta = yaml.safe_load(match[1]) or {}
    missing = [key for key in ("slug", "title", "description") if not meta.get(key)]
    if missing:
        raise ValueError(f"{path}: front matter lacks {', '.join(missing)}")
    body = raw[match.end() :].strip() + "\n"
    media = tuple(path.parent / "media" / name for name in MEDIA_REFERENCE.findall(body))
    missing = [file.name for file in media if not file.is_file()]
    if missing:
        raise ValueError(f"{path}: no media/{', media/'.join(missing)}")
    return Text(
        slug=str(meta["slug"]),
        title=str(meta["title"]),
        description=str(meta["description"]),
        body=body,
        media=tuple(dict.fromkeys(media)),
    )


@cache
def load(name: str = DEMO_MODULE) -> TrainingModule:
    """Read a module folder: manifest, texts and questions in every language.

    :raise ValueError: when a file is missing or malformed.
    :raise lms.quizzes.QuestionImportError: when a GIFT file has errors.
    """
    folder = TRAINING_DIRECTORY / name
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    exam = manifest["exam"]
    texts = {}
    for language in manifest["languages"]:
        base = folder / language
        gift = (base / exam["questions"]).read_text(encoding="utf-8")
        texts[language] = ModuleTexts(
            language=language,
            module=read_text(base / manifest["module"]["file"]),
            lessons=tuple(read_text(base / lesson) for lesson in manifest["lessons"]),
            exam=read_text(base / exam["file"]),
            questions=tuple(parse_gift(gift)),
        )
    module_settings = {k: v for k, v in manifest["module"].items() if k != "file"}
    return TrainingModule(
        name=name,
        source_language=manifest["source_language"],
        languages=tuple(manifest["languages"]),
        texts=texts,
        exam_settings=dict(exam["settings"]),
        category=exam["category"],
        certification=dict(manifest["certification"]) if "certification" in manifest else None,
        module_settings=module_settings,
        prerequisites=tuple(manifest.get("prerequisites", ())),
    )


@cache
def curriculum() -> tuple[TrainingModule, ...]:
    """Read every module of ``curriculum.yaml``, in chain order.

    :raise ValueError: when a module's prerequisite is not listed before it.
    """
    names = yaml.safe_load(CURRICULUM_FILE.read_text(encoding="utf-8"))["modules"]
    modules = tuple(load(name) for name in names)
    for position, module in enumerate(modules):
        unknown = set(module.prerequisites) - set(names[:position])
        if unknown:
            raise ValueError(f"{module.name}: prerequisites {sorted(unknown)} not listed before it")
    return modules
