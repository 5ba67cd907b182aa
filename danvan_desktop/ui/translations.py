"""Qt's own texts in Vietnamese: the project's translation of Qt (Qt ships none), loaded at start."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QTranslator

from danvan_desktop import paths

log = logging.getLogger(__name__)

# Built from resources/translations/qtbase_vi.ts by tools/build_translations.py.
QT_TRANSLATION = "qtbase_vi.qm"


def install_qt_translation(app: QCoreApplication) -> QTranslator | None:
    """Install the Vietnamese translation of Qt's buttons, dialogs and context menus.

    Keyed by Qt's context and English source text; the translator is parented to the application so
    it lives as long as the application does. A missing file leaves Qt's English, never a failed start.
    """
    try:
        qm = paths.translations_dir() / QT_TRANSLATION
    except FileNotFoundError as exc:
        log.warning("Qt translation not loaded: %s", exc)
        return None
    translator = QTranslator(app)
    if not translator.load(str(qm)):
        log.warning("Qt translation not loaded: %s", qm)
        return None
    app.installTranslator(translator)
    return translator
