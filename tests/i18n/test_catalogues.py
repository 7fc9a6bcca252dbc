"""The catalogues: exactly the strings of the sources, every one translated, placeholders kept; compiled at start-up.

These fail as soon as someone wraps a new string for translation: run scripts/i18n and translate what it
reports in translations/fr and translations/es. That is what keeps the French and Spanish pages complete.
"""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from consult.web.catalogues import SOURCE, compile_catalogues, extract

TRANSLATED = ("fr", "es")
#: %(name)s, %s and {name}: what a translation must keep, as many times as the English has it.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sdifr]|%[sdif]|\{[A-Za-z_]*\}")


def catalogue(language: str):
    with (SOURCE / language / "LC_MESSAGES" / "messages.po").open("rb") as file:
        return read_po(file, locale=language)


def forms(value) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple | list) else (value,)


@pytest.fixture(scope="module")
def sources():
    """The msgids pybabel extracts from templates/ and consult/ right now."""
    return {m.id for m in extract() if m.id}


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_holds_exactly_the_strings_of_the_sources(sources, language):
    held = {m.id for m in catalogue(language) if m.id}
    missing, obsolete = sorted(sources - held, key=str), sorted(held - sources, key=str)
    assert not missing, f"not in translations/{language} yet (run scripts/i18n, then translate): {missing}"
    assert not obsolete, f"no longer in the sources (run scripts/i18n): {obsolete}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_doubtful(language):
    untranslated = [m.id for m in catalogue(language) if m.id and not all(forms(m.string))]
    fuzzy = [m.id for m in catalogue(language) if m.id and m.fuzzy]
    assert not untranslated, f"{len(untranslated)} without a {language} translation: {untranslated}"
    assert not fuzzy, f"{len(fuzzy)} {language} translations flagged fuzzy (check them, drop the flag): {fuzzy}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_the_placeholders_of_their_english(language):
    wrong = []
    for message in catalogue(language):
        if not message.id or message.fuzzy:  # doubtful ones are named by the test above
            continue
        english = {frozenset(Counter(PLACEHOLDER.findall(text)).items()) for text in forms(message.id)}
        for text in forms(message.string):
            if text and frozenset(Counter(PLACEHOLDER.findall(text)).items()) not in english:
                wrong.append((message.id, text))
            # Jinja formats every translated string with %: a lone % would break the page.
            if text and "%" in PLACEHOLDER.sub("", text).replace("%%", ""):
                wrong.append((message.id, text))
    assert not wrong, wrong


def test_catalogues_are_compiled_when_missing_or_older_than_their_source(tmp_path):
    source, target = tmp_path / "translations", tmp_path / "instance" / "translations"
    po = source / "fr" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Log in"\nmsgstr "Se connecter"\n\n#, fuzzy\nmsgid "Log out"\nmsgstr "Sortir"\n')
    mo = compile_catalogues(target, source) / "fr" / "LC_MESSAGES" / "messages.mo"
    with mo.open("rb") as file:
        compiled = {m.id: m.string for m in read_mo(file) if m.id}
    assert compiled == {"Log in": "Se connecter"}  # a doubtful translation is left out: English shows instead

    os.utime(mo, (po.stat().st_mtime + 10, po.stat().st_mtime + 10))
    po.write_text(po.read_text().replace("Se connecter", "Connexion"))
    os.utime(po, (mo.stat().st_mtime - 5, mo.stat().st_mtime - 5))
    compile_catalogues(target, source)
    assert b"Connexion" not in mo.read_bytes()  # up to date: left alone
    os.utime(po, (mo.stat().st_mtime + 5, mo.stat().st_mtime + 5))
    compile_catalogues(target, source)
    assert b"Connexion" in mo.read_bytes()  # the .po changed since: compiled again


def test_the_app_serves_the_committed_catalogues_from_its_instance_folder(app):
    folder = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    assert folder.startswith(app.instance_path)
    for language in TRANSLATED:
        assert os.path.exists(os.path.join(folder, language, "LC_MESSAGES", "messages.mo"))
