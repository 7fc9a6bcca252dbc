"""One vocabulary: the languages, the translation marker and the names of the codes are defined once, in a
module that depends on no other part of consult, and pybabel still finds every name there."""

from __future__ import annotations

import ast

from consult import vocabulary
from consult.paths import ROOT
from consult.web.catalogues import extract

#: The shared words: defined in consult/vocabulary.py and nowhere else.
SHARED = {"N_", "LANGUAGES", "LANGUAGE_NAMES", "FUNCTION_LABELS", "CONSTITUENCY_LABELS", "SECTION_NAMES",
          "FUNCTION_NAMES", "STAGE_NAMES", "CONSTITUENCY_NAMES", "WORKFLOW_NAMES", "POLICY_NAMES"}
#: The outcome document's own wording (short, lower-case function names), translated when it renders.
OWN_WORDING = {("consult/documents/wording.py", "FUNCTION_NAMES")}


def _modules():
    for path in sorted((ROOT / "consult").rglob("*.py")):
        yield str(path.relative_to(ROOT)), ast.parse(path.read_text(), str(path))


def test_the_vocabulary_imports_nothing_from_consult():
    tree = ast.parse((ROOT / "consult" / "vocabulary.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)} | {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert {name for name in imported if name and name.split(".")[0] == "consult"} == set()


def test_the_shared_words_are_defined_once():
    defined = set()
    for path, tree in _modules():
        for node in tree.body:
            names = [node.name] if isinstance(node, ast.FunctionDef) else [
                target.id for target in getattr(node, "targets", [getattr(node, "target", None)])
                if isinstance(target, ast.Name)]
            defined |= {(path, name) for name in names if name in SHARED}
    assert defined - OWN_WORDING == {("consult/vocabulary.py", name) for name in SHARED if hasattr(vocabulary, name)}


def test_no_module_spells_the_languages_out_again():
    spelled = [f"{path}:{node.lineno}" for path, tree in _modules() if path != "consult/vocabulary.py"
               for node in ast.walk(tree) if isinstance(node, ast.Tuple | ast.List | ast.Set)
               and {getattr(e, "value", None) for e in node.elts} == set(vocabulary.LANGUAGES)]
    assert spelled == []


def test_pybabel_extracts_the_names_from_the_vocabulary_and_the_marked_texts_where_they_are():
    found = {message.id: {path for path, _line in message.locations} for message in extract() if message.id}
    tables = (vocabulary.SECTION_NAMES, vocabulary.FUNCTION_NAMES, vocabulary.STAGE_NAMES,
              vocabulary.CONSTITUENCY_NAMES, vocabulary.WORKFLOW_NAMES, vocabulary.POLICY_NAMES)
    for names in tables:
        for name in names.values():
            assert "consult/vocabulary.py" in found.get(str(name), set()), str(name)  # English outside a request
    # N_ marks texts where they are used, in the modules that show them
    assert "consult/rounds/rules.py" in found["Invite an organisation"]
    assert "consult/opinions/texts.py" in found["Formal opinions and reasoned responses"]
    assert "consult/documents/wording.py" in found["Outcome of the tripartite consultation"]
