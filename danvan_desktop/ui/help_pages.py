"""The user manual as data: its Markdown pages, their titles, the contents order, links, search."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from danvan_desktop.text import fold, matches, nfc

INDEX = "index"
# [text](target) where target is another page ("nhap-goi.md"); web links are left to the browser.
_LINK = re.compile(r"\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Page:
    id: str  # the file name without ".md"; screens name their page by it
    title: str  # the first "# " heading
    text: str  # the Markdown source, NFC


def page_id(target: str) -> str | None:
    """The page a link points to ("xuat-goi.md" -> "xuat-goi"); None for web and mail links."""
    if ":" in target:
        return None
    name = target.split("#", 1)[0]
    return name.removesuffix(".md") if name.endswith(".md") else None


def links(text: str) -> list[str]:
    """The link targets of a page's Markdown, in order."""
    return _LINK.findall(text)


class Manual:
    """Every page of a manual folder; the contents follow the order `index.md` links them in."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pages: dict[str, Page] = {}
        for path in sorted(folder.glob("*.md")):
            text = nfc(path.read_text(encoding="utf-8"))
            first = text.lstrip().splitlines()[0] if text.strip() else ""
            title = first.removeprefix("# ").strip() if first.startswith("# ") else path.stem
            self.pages[path.stem] = Page(path.stem, title, text)

    def contents(self) -> list[Page]:
        """The index, then the pages it links to (each once), then any page it forgot."""
        order = [INDEX] if INDEX in self.pages else []
        index = self.pages.get(INDEX)
        for target in links(index.text) if index else []:
            found = page_id(target)
            if found in self.pages and found not in order:
                order.append(found)
        order += [name for name in self.pages if name not in order]
        return [self.pages[name] for name in order]

    def search(self, query: str) -> list[Page]:
        """Pages whose text holds every word of the query, accents and case ignored."""
        if not fold(query):
            return self.contents()
        return [page for page in self.contents() if matches(query, page.title, page.text)]


def folded_positions(text: str, query: str) -> list[tuple[int, int]]:
    """(start, length) of each accent-free match of `query` in `text`, in `text`'s own positions.

    Folding works letter by letter (a precomposed "ệ" folds to one "e"), so positions carry over.
    """
    wanted = fold(query)
    if not wanted:
        return []
    folded = "".join((fold(ch) or " ")[:1] for ch in text)
    found, start = [], folded.find(wanted)
    while start >= 0:
        found.append((start, len(wanted)))
        start = folded.find(wanted, start + len(wanted))
    return found
