"""Demo pages for ``tracing-app init --demo``: two pages linked in four languages."""

from __future__ import annotations

from content.items import operations as items
from content.multilingual.operations import translations
from content.users.operations import get_user
from content.workflow.operations import transition

PAGES = {
    "welcome": {
        "nl": ("Welkom bij het callcenter contactopsporing",
               "Wat u hier vindt en hoe u begint.",
               "## Uw eerste dag\n\n1. Meld u aan met de gegevens die u kreeg.\n"
               "2. Volg de opleidingsmodules en leg het examen af.\n"
               "3. Met uw certificaat opent u de belwerkruimte.\n\n"
               "!!! note \"Vragen?\"\n    Uw supervisor helpt u verder."),
        "fr": ("Bienvenue au centre d'appels du suivi des contacts",
               "Ce que vous trouverez ici et comment commencer.",
               "## Votre premier jour\n\n1. Connectez-vous avec les données reçues.\n"
               "2. Suivez les modules de formation et passez l'examen.\n"
               "3. Votre certificat vous ouvre l'espace d'appels.\n\n"
               "!!! note \"Des questions ?\"\n    Votre superviseur vous aide."),
        "de": ("Willkommen im Callcenter der Kontaktnachverfolgung",
               "Was Sie hier finden und wie Sie beginnen.",
               "## Ihr erster Tag\n\n1. Melden Sie sich mit den erhaltenen Daten an.\n"
               "2. Absolvieren Sie die Schulungsmodule und die Prüfung.\n"
               "3. Mit Ihrem Zertifikat öffnen Sie den Anrufbereich.\n\n"
               "!!! note \"Fragen?\"\n    Ihr Supervisor hilft Ihnen weiter."),
        "en": ("Welcome to the contact tracing call centre",
               "What you will find here and how to start.",
               "## Your first day\n\n1. Sign in with the details you received.\n"
               "2. Follow the training modules and take the exam.\n"
               "3. Your certificate opens the call workspace.\n\n"
               "!!! note \"Questions?\"\n    Your supervisor will help you."),
    },
    "quarantine": {
        "nl": ("Quarantaine en isolatie", "Het verschil, in het kort.",
               "| | Quarantaine | Isolatie |\n|---|---|---|\n"
               "| Voor wie | hoogrisicocontact | bevestigd geval |\n"
               "| Waarom | u kunt besmet zijn | u bent besmet |\n"),
        "fr": ("Quarantaine et isolement", "La différence, en bref.",
               "| | Quarantaine | Isolement |\n|---|---|---|\n"
               "| Pour qui | contact à haut risque | cas confirmé |\n"
               "| Pourquoi | vous pouvez être infecté | vous êtes infecté |\n"),
        "de": ("Quarantäne und Isolierung", "Der Unterschied, kurz erklärt.",
               "| | Quarantäne | Isolierung |\n|---|---|---|\n"
               "| Für wen | Hochrisikokontakt | bestätigter Fall |\n"
               "| Warum | Sie könnten infiziert sein | Sie sind infiziert |\n"),
        "en": ("Quarantine and isolation", "The difference, in short.",
               "| | Quarantine | Isolation |\n|---|---|---|\n"
               "| Who | high-risk contact | confirmed case |\n"
               "| Why | you may be infected | you are infected |\n"),
    },
}  # fmt: skip


def install_demo_pages() -> list[str]:
    """Create and publish the demo pages in every language, unless they exist."""
    items.ensure_language_roots()
    editor = get_user("admin@example.org")  # created by the demo accounts just before
    lines = []
    for slug, texts in PAGES.items():
        if items.item_by_path(f"nl/{slug}") is not None:
            continue
        title, description, body = texts["nl"]
        source = items.create_item(
            items.language_root("nl"), "page", title=title, slug=slug,
            description=description, body=body, actor=editor,
        )  # fmt: skip
        transition(source, "publish", actor=editor)
        for language in ("fr", "de", "en"):
            title, description, body = texts[language]
            page = items.create_item(
                items.language_root(language), "page", title=title, slug=slug,
                description=description, body=body, actor=editor,
            )  # fmt: skip
            page.translation_group = source.translation_group
            page.translation_source = source
            page.synced_source_revision = source.latest_revision_number
            transition(page, "publish", actor=editor)
        lines.append(f"page  {slug:<26} published in {', '.join(sorted(translations(source)))}")
    return lines
