"""argparse's own texts (usage line, "required", "invalid choice") in Vietnamese, from a gettext catalog."""

from __future__ import annotations

import argparse
import gettext
import logging

from danvan_desktop import paths

log = logging.getLogger(__name__)

# Built from resources/translations/argparse_vi.po by tools/build_translations.py.
ARGPARSE_CATALOG = "argparse_vi.mo"


def install_argparse_translation() -> bool:
    """Point argparse's `_`/`ngettext` at the Vietnamese catalog; False (English kept) when it is missing.

    argparse looks its texts up through module globals at call time, and gettext's own lookup follows
    the LANGUAGE/LANG variables, which a Windows PC does not set: so the catalog is bound directly.
    """
    catalog = paths.translations_dir() / ARGPARSE_CATALOG
    try:
        with catalog.open("rb") as source:
            translation = gettext.GNUTranslations(source)
    except (OSError, ValueError) as exc:  # a damaged install: English messages beat no messages
        log.warning("argparse translation not loaded from %s: %s", catalog, exc)
        return False
    argparse._ = translation.gettext  # type: ignore[attr-defined]
    argparse.ngettext = translation.ngettext  # type: ignore[attr-defined]
    return True
