"""Every script a statement may be written in prints in real glyphs, and right-to-left text reads right to left.

How "no .notdef" is checked: each glyph drawn in the PDF is a code of an embedded font; the font's encoding
turns the code into a glyph number (0 is the missing-glyph box, .notdef) and its ToUnicode map says which
text the glyph stands for (WeasyPrint writes a glyph's whole cluster there, so shaped Arabic counts too). A
character is printed in a real glyph when some code with a glyph number other than 0 stands for it, and never
as .notdef when no code of glyph 0 does. The embedded font programs are read with fontTools as well, to see
that they are embedded and are the shipped ones, never a system font a server happens to have.
"""

from __future__ import annotations

import copy
import io
import re
import shutil

import pypdf
from fontTools.ttLib import TTFont

from consult.documents.render import EXPORTS, write_pdf
from tests.documents.pdftext import MM, words
from tests.documents.test_pdf import DOCUMENT
from tests.outcomes.test_exports import save_pages

STATEMENTS = {
    "latin": "Les représentants acceptent l'accord, à condition d'un audit annuel (Größe, señal, Łódź, ø, ß).",
    "greek": "Οι εκπρόσωποι των εργαζομένων συμφωνούν με επιφύλαξη για την παρακολούθηση.",
    "cyrillic": "Представители работников согласны при условии ежегодного аудита. Україна, Беларусь.",
    "arabic": "يوافق ممثلو العمال على النص بشرط إجراء تدقيق سنوي للخوارزمية.",
    "hebrew": "נציגי העובדים מסכימים לנוסח בתנאי שתתבצע ביקורת שנתית.",
    "symbols": "Targets: ≤ 5 % overtime → € 1 850 ✓ ★ ☎ ⚠ ™ © § ¶ † • ½ ∞ ≠ ± × ÷ ° № ✔ ✘ ☐ ☑",
    "emoji": "Agreed 👍 🙂 🚀 🎉 🤝 ❤️ 🇫🇷 🇩🇪 🇪🇸 in the plenary.",
}


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    """The fonts embedded in the PDF, by name, read with fontTools (each has to be embedded to be read)."""
    fonts: dict[str, TTFont] = {}
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, font["/BaseFont"]  # embedded
            program = (descriptor.get("/FontFile2") or descriptor["/FontFile3"]).get_data()
            fonts[str(font["/BaseFont"]).split("+")[-1]] = TTFont(io.BytesIO(program))
    return fonts


def _pairs(data: str, section: str) -> list[tuple[str, str]]:
    blocks = re.findall(rf"begin{section}(.*?)end{section}", data, re.S)
    return [pair for block in blocks for pair in re.findall(r"<([0-9a-fA-F]+)>\s*<?([0-9a-fA-F]+)>?", block)]


def glyph_texts(pdf: bytes) -> tuple[set[str], set[str]]:
    """The characters printed with a real glyph, and those printed as the missing glyph (.notdef)."""
    real: set[str] = set()
    missing: set[str] = set()
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            encoding = font["/Encoding"]
            cids: dict[int, int] | None = None  # None: Identity-H, the code is the glyph number
            if not isinstance(encoding, str | pypdf.generic.NameObject):
                cids = {int(code, 16): int(cid) for code, cid in re.findall(
                    r"<([0-9a-fA-F]+)>\s+(\d+)", encoding.get_object().get_data().decode("latin-1"))}
            assert font["/DescendantFonts"][0].get_object().get("/CIDToGIDMap", "/Identity") == "/Identity"
            for code, hex_text in _pairs(font["/ToUnicode"].get_data().decode("latin-1"), "bfchar"):
                number = int(code, 16)
                glyph = number if cids is None else cids.get(number, 0)
                text = bytes.fromhex(hex_text).decode("utf-16-be", "replace")
                (real if glyph else missing).update(text)
    return real, missing


def statements_document() -> dict:
    document = copy.deepcopy(DOCUMENT)
    stances = [{"constituency": "workers", "stance": "agree", "statement": text} for text in STATEMENTS.values()]
    document["sections"][0]["stances"] = stances
    document["sections"] = document["sections"][:1]
    return document


def test_every_script_prints_in_shipped_fonts_and_right_to_left_reads_right_to_left():
    pdf = write_pdf(statements_document())
    save_pages(pdf, "scripts")
    real, notdef = glyph_texts(pdf)
    for script, statement in STATEMENTS.items():
        # Variation selectors (U+FE0F after ❤) choose a presentation and have no glyph of their own.
        shown = {c for c in statement if not c.isspace() and not 0xFE00 <= ord(c) <= 0xFE0F}
        missing = sorted(c for c in shown if c in notdef or c not in real)
        assert not missing, f"{script}: drawn as missing-glyph boxes: {missing} ({[hex(ord(c)) for c in missing]})"
    fonts = embedded_fonts(pdf)
    assert all(name.startswith("Consult-") for name in fonts), sorted(fonts)  # the shipped fonts only
    # A right-to-left statement is set from the right edge of the text column: its line ends there.
    found = words(pdf)
    right_edge = found[0].page_width - 18 * MM
    for script, sample in (("arabic", "العمال"), ("hebrew", "העובדים")):
        line = [w for w in found if sample in w.text or sample[::-1] in w.text]
        assert line, f"the {script} statement is not in the text poppler extracts"
        same_line = [w for w in found if w.page == line[0].page and abs(w.y_min - line[0].y_min) < 1]
        assert abs(max(w.x_max for w in same_line) - right_edge) < 8, (script, max(w.x_max for w in same_line))
        assert min(w.x_min for w in same_line) > found[0].page_width / 3, script  # a short line, at the right


def test_a_deployer_adds_a_font_by_copying_it_into_the_fonts_folder(tmp_path):
    exports = tmp_path / "exports"
    shutil.copytree(EXPORTS, exports)
    for extra in ("Symbola.ttf", "LICENSE-Symbola"):
        (exports / "fonts" / extra).rename(exports / "fonts" / f"Deployers-{extra}")
    css = exports / "print.css"
    css.write_text("\n".join(line for line in css.read_text().splitlines() if "Symbola" not in line))
    document = statements_document()
    document["sections"][0]["stances"] = [{"constituency": "workers", "stance": "agree",
                                           "statement": STATEMENTS["emoji"]}]
    fonts = embedded_fonts(write_pdf(document, exports_dir=exports))
    added = [font for name, font in fonts.items() if name.startswith("Consult-Added")]
    assert added, sorted(fonts)  # declared by nothing but its presence in fonts/
    assert any(ord("🚀") in font.getBestCmap() for font in added)


def test_a_french_document_has_french_section_titles_and_numbers():
    document = copy.deepcopy(DOCUMENT)
    document["language"] = "fr"
    document["sections"][0]["title"], document["sections"][1]["title"] = "The system", "Social dialogue"
    document["participants"][0]["people"] = ["Worker representative 3", "A representative of United Transport"]
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(write_pdf(document))).pages)
    assert "Le système" in text and "Dialogue social" in text
    assert "The system" not in text and "Social dialogue" not in text
    flat = re.sub(r"\s+", "", text)  # the names wrap in their table cell
    assert "Représentantdestravailleurs3" in flat and "UnreprésentantdeUnitedTransport" in flat
    assert "Worker representative" not in text and "Travailleurs" in text  # the constituency's name too
    assert "1\u202f850" in text or "1 850" in text  # 1850 workers, as French writes it
