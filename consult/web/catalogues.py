"""The message catalogues: extracted from the sources, translated in translations/, compiled at start-up.

`translations/<language>/LC_MESSAGES/messages.po` are the committed catalogues. The compiled `.mo` files
are generated, never committed: `compile_catalogues` writes them into the instance folder when they are
missing or older than their `.po`, so a fresh clone serves every language with no extra step.
`scripts/i18n` extracts the strings (`extract`) and updates the catalogues (`update`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from consult.paths import ROOT
from consult.vocabulary import LANGUAGES

#: The committed catalogues, one folder per language.
SOURCE = ROOT / "translations"
#: Which files hold strings and how to read them (templates/ and the package; exports/ has its own texts).
MAPPING = ROOT / "babel.cfg"
#: Functions whose first argument is a message, beyond pybabel's defaults (`_`, `gettext`, `ngettext`...).
#: The comment at the top of a new language's catalogue.
HEADER = ("# %s translations of consult's pages.\n"
          "# Translate the msgstr lines; scripts/i18n adds new strings and drops the ones gone from the sources.")
KEYWORDS = {"lazy_gettext": None, "lazy_ngettext": (1, 2), "_l": None}


def compile_catalogues(target: Path, source: Path = SOURCE) -> Path:
    """Compile every `.po` of `source` into `target` where its `.mo` is missing or older; returns `target`."""
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as file:
            catalog = read_po(file, locale=po.parent.parent.name)
        # Written aside and renamed: several processes may start at once, and none may read half a file.
        handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as file:
            write_mo(file, catalog)  # fuzzy entries are left out: a doubtful translation falls back to English
        os.replace(temporary, mo)
    return target


def extract() -> Catalog:
    """Every wrapped string of the templates and the package, as pybabel extract finds it (see babel.cfg)."""
    with MAPPING.open() as file:
        method_map, options_map = parse_mapping_cfg(file, str(MAPPING))
    catalog = Catalog(project="consult", charset="utf-8")
    found = extract_from_dir(ROOT, method_map, options_map, {**DEFAULT_KEYWORDS, **KEYWORDS},
                             comment_tags=("TRANSLATORS:",), strip_comment_tags=True)
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def update(template: Catalog, source: Path = SOURCE) -> None:
    """Bring every language's catalogue in line with `template`: new strings added empty, gone ones dropped.

    No fuzzy matching: guessing a translation from a similar English string gives wrong texts for short
    strings; a new or changed string simply waits, empty, for its translator.
    """
    for language in LANGUAGES:
        if language == "en":
            continue
        po = source / language / "LC_MESSAGES" / "messages.po"
        if po.exists():
            with po.open("rb") as file:
                catalog = read_po(file, locale=language)
        else:
            po.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="consult", charset="utf-8", fuzzy=False,
                              header_comment=HEADER % Locale.parse(language).english_name)
        known, created_at = {m.id for m in catalog}, catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        if {m.id for m in catalog} == known:  # same strings: leave the file as it was
            catalog.creation_date = created_at
        _write(po, catalog)


def _write(path: Path, catalog: Catalog) -> None:
    # One line per string, file names without line numbers: a catalogue changes only when its strings do.
    with path.open("wb") as file:
        write_po(file, catalog, width=0, sort_by_file=True, ignore_obsolete=True, include_lineno=False)


def untranslated(source: Path = SOURCE) -> dict[str, int]:
    """For each language, how many messages have no translation yet or only a doubtful (fuzzy) one."""
    counts = {}
    for po in sorted(source.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as file:
            catalog = read_po(file)
        counts[po.parent.parent.name] = sum(1 for m in catalog if m.id and (m.fuzzy or not _translated(m)))
    return counts


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return all(strings)


def main() -> int:
    """scripts/i18n: extract, update both catalogues, print how many messages are left to translate."""
    template = extract()
    _write(SOURCE / "messages.pot", template)  # for translation tools; generated, not committed
    update(template)
    counts = untranslated()
    for language, count in counts.items():
        print(f"{language}: {count} message(s) to translate in {SOURCE.name}/{language}/LC_MESSAGES/messages.po")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
