"""The positions page's stances form: every section of the plan, one submit, pre-filled with what is recorded."""

from __future__ import annotations

from consult.errors import ConsultError
from consult.web.forms import field_errors
from consult.web.labels import field_name, section_name


def stance_problems(error: ConsultError | None) -> dict[str, list[str]]:
    """A refused stances form's problems by section key, each message saying which field it is about."""
    found = error.fields.get("stances") if error else None
    if not isinstance(found, dict):
        return {}
    problems: dict[str, list[str]] = {}
    for key, value in found.items():
        if isinstance(value, dict):  # marshmallow files a Dict's bad value under "value", a bad key under "key"
            value = {**(value.get("value") if isinstance(value.get("value"), dict) else {}),
                     **({"_schema": value["key"]} if "key" in value else {})}
            messages = [message if name == "_schema" else f"{field_name(name)}: {message}"
                        for name, found_here in field_errors(value).items() for message in found_here]
        else:
            messages = [str(message) for message in (value if isinstance(value, list) else [value])]
        problems[str(key)] = messages
    return problems


def stance_form(sections: list[dict], form: str | None, posted: dict, problems: dict[str, list[str]]
                 ) -> list[dict]:
    """One entry per section for the form that records all of a constituency's stances in one submit.

    Each is pre-filled with the stance recorded on the current version; a stance on an earlier version is
    not, so saving the form never moves it onto a text its constituency has not chosen on. After a refused
    form, the choices posted are kept and each section's problems are named beside it.
    """
    if form == "stances":
        given = posted.get("stances") if isinstance(posted.get("stances"), dict) else {}
    elif form and form.startswith("stance:"):  # a refused one-section form (see record_stance_form)
        given = {form.split(":", 1)[1]: posted}
    else:
        given = None
    entries = []
    for s in sections:
        mine, position = s["mine"], s["position"]
        current = bool(mine and position and mine["position_version"] == position["version"])
        if given is not None and (form == "stances" or s["section"] in given):
            kept = given.get(s["section"]) if isinstance(given.get(s["section"]), dict) else {}
            chosen, statement = kept.get("stance", ""), kept.get("statement", "")
        else:
            chosen, statement = (mine["stance"], mine["statement"]) if current else ("", "")
        entries.append({"key": s["section"], "name": section_name(s["title"]), "position": position,
                        "stale": mine if mine and not current else None, "chosen": chosen,
                        "statement": statement, "problems": problems.get(s["section"], [])})
    return entries
