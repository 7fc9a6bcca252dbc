"""The form sweep: every post form a person's pages show, filled in Chromium and sent by clicking its button.

Nothing here knows consult's forms: each form is read from the page and filled from its own inputs (type,
`required`, `min`/`max`, `minlength`/`maxlength`, `pattern`, options, checkboxes, `autocomplete`, file inputs),
so a form added to a page later is swept without a change here. Three fillings:

- `valid`: what a person would enter (a value fit for each empty input, a small PDF for a file input, the
  person's password where `autocomplete` asks for the current one, the page's own values kept);
- `empty`: every required input emptied, the browser's own checks bypassed (`form.noValidate = true`), as an
  old browser or a script posts;
- `bad`: one-line inputs with a bidirectional override (U+202E), text areas longer than any limit, numbers
  out of range, dates that do not exist, an option the select does not offer, a file that is not a PDF.

`sweep` reaches a person's pages as `tests/browser/crawl.py` does, reading each one fetched with the person's
cookies and parsed (no layout, no scripts: most pages show only forms already seen); a page with a kind of
form not seen before is shown in Chromium, and its forms are read, filled and sent from the page as shown.

`sweep` checks each answer as a person would see it: never a server error or a CSRF refusal (400), never a
refusal of a field the page itself sent; valid input is answered by a redirect or a page without an alert;
invalid input by 409/422 with a `role="alert"` message, and no event is appended (the services append one in
the same transaction as every change, so an unchanged event count means nothing was saved).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select

from consult.events.models import Event
from tests.browser.crawl import BUSY_ATTEMPTS, SKIPPED, visit

#: A small valid PDF (one blank page) for file inputs.
#: A row's id in a path: a number (rounds, people) or a public id (a letter and 16 base32 characters).
ID = r"/(?:\d+|[a-z][a-z2-7]{16})(?=/|$)"
PDF = ("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       "3 0 obj<</Type/Page/MediaBox[0 0 200 200]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")

#: Each post form of the page: its action's path, the names of the inputs a person fills (sorted), and which
#: invalid fillings apply (`empty` where an input is required, `bad` where one takes text, a number, a date, an
#: option or a file).
FORMS = """forms => forms.map(f => {
  const inputs = [...f.elements].filter(e => e.name && !['hidden', 'submit', 'button', 'reset', 'image']
    .includes(e.type) && !e.disabled);
  const modes = [];
  if (inputs.some(e => e.required)) { modes.push('empty'); }
  if (inputs.some(e => !['checkbox', 'radio'].includes(e.type))) { modes.push('bad'); }
  return [new URL(f.action).pathname, [...new Set(inputs.map(e => e.name))].sort(), modes];
})"""

#: A page fetched with the browser's cookies and parsed, not shown (no layout, no scripts, no style): its answer
#: and, for HTML, its links and its post forms (`FORMS`) as the server sent them (consult's scripts add none).
READ = f"""async path => {{
  const answer = await fetch(path, {{credentials: 'same-origin', headers: {{Accept: 'text/html'}}}});
  const found = {{status: answer.status, retry: answer.headers.get('retry-after'), links: [], forms: [],
                 html: (answer.headers.get('content-type') || '').includes('text/html')}};
  if (answer.status >= 400 || !found.html) {{ return found; }}
  const doc = new DOMParser().parseFromString(await answer.text(), 'text/html');
  const base = doc.createElement('base');
  base.href = answer.url;
  doc.head.prepend(base);
  found.links = [...doc.querySelectorAll('a[href]')].map(a => a.href);
  found.forms = ({FORMS})([...doc.querySelectorAll('form[method=post i]')]);
  return found;
}}"""

#: Fill one form for `mode` (valid, empty, bad), mark it and its first submit button; how many inputs changed.
FILL = (Path(__file__).parent / "sweep_fill.js").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Form:
    """A kind of form: the page it was found on, its action, and the inputs a person fills."""

    page: str
    action: str
    inputs: tuple[str, ...]
    invalid: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        """The form's action with its ids left out, and its inputs: forms of one kind are swept once."""
        return re.sub(ID, "/<id>", self.action) + " " + ",".join(self.inputs)


@dataclass
class Outcome:
    """What the sweep sent and what went wrong."""

    sent: dict[str, list[str]] = field(default_factory=lambda: {"valid": [], "empty": [], "bad": []})
    problems: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)


#: Query keys whose every value is a page of its own (a thread's channel shows other forms); the others (a
#: section, a filter, a cursor) show the same forms as the page without them.
AUDIENCES = ("channel",)


def page_kind(path: str) -> str:
    """Pages of one kind (a comment's reply page, a document's version) count once per round in the crawl."""
    parts = urlsplit(path)
    query = "&".join(sorted(f"{k}={v}" for k, v in parse_qsl(parts.query) if k in AUDIENCES))
    return re.sub(r"(?<!/rounds)" + ID, "/<id>", parts.path) + "?" + query


def without_live_updates(page) -> None:
    """The page's live script connects to no socket: the sweep is about forms, and the sockets' join and replay
    would cost the server more than the pages themselves (the live tests prove them). Its WebSocket is closed
    before it reaches the server (`route` would not see it, and routing requests turns off the browser's cache)."""
    page.context.route_web_socket(re.compile(r"/socket\.io/"), lambda socket: socket.close())


def _read(page, path: str) -> dict:
    """`READ` of the path, again after the Retry-After while the server answers 503 (busy); a 5xx fails."""
    for _ in range(BUSY_ATTEMPTS):
        found = page.evaluate(READ, path)
        if found["status"] != 503:
            break
        time.sleep(float(found["retry"] or 1))
    if found["status"] >= 500:
        raise AssertionError(f"{path} answered {found['status']} (after {BUSY_ATTEMPTS} attempts if busy)")
    return found


def discover(page, starts: list[str], limit: int = 400) -> Iterator[tuple[str, list[Form]]]:
    """The crawl of `tests/browser/crawl.py` (from each start, every same-site page linked, once per `page_kind`),
    reading each page as fetched instead of showing it: each page's path and post forms, in the order reached."""
    origin = urlsplit(page.url).netloc
    seen: set[str] = set()
    for start in starts:
        if page_kind(start) in seen:
            continue
        queue, first = [start], len(seen)
        seen.add(page_kind(start))
        while queue and len(seen) - first <= limit:
            path = queue.pop(0)
            found = _read(page, path)
            if found["status"] >= 400 or not found["html"]:
                continue
            for href in found["links"]:
                parts = urlsplit(href)
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if parts.netloc == origin and not SKIPPED.search(parts.path) and page_kind(target) not in seen:
                    seen.add(page_kind(target))
                    queue.append(target)
            yield path, [Form(path, action, tuple(inputs), tuple(modes)) for action, inputs, modes in found["forms"]]


#: The text of the alerts a person sees (a hidden one, such as the live script's reload notice, is not shown),
#: and whether the page refuses a field its own form sent.
ANSWER = """() => [[...document.querySelectorAll('[role=alert]')].filter(e => e.checkVisibility())
  .map(e => e.innerText.trim()).join(' ').trim(), document.documentElement.outerHTML.includes('Unknown field')]"""
#: Find the post form with this action and these inputs on the page and fill it (`FILL`); null where none is.
FIND_AND_FILL = f"""([action, inputs, args]) => {{
  const forms = [...document.querySelectorAll('form[method=post i]')];
  const shown = ({FORMS})(forms).map(([a, names]) => a + ' ' + JSON.stringify(names));
  const at = shown.indexOf(action + ' ' + JSON.stringify(inputs));
  return at < 0 ? null : ({FILL})(forms[at], args);
}}"""


def _events(db) -> int:
    with db.transaction(write=False) as session:
        return session.scalar(select(func.count()).select_from(Event))


def _here(page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def submit(page, form: Form, mode: str, known: dict[str, str]):
    """Open the form's page (unless the browser shows it just as a GET loaded it: the crawl's visit, or a redirect
    after a post), fill the form for `mode` and click its button; (POST's response, alert text, whether a field
    was refused as unknown), or None when the page no longer shows the form (the world changed since)."""
    if getattr(page, "sweep_loaded", None) != form.page:
        page.goto(form.page, wait_until="domcontentloaded")
    page.sweep_loaded = None  # filled from here on: not the page as loaded
    changed = page.evaluate(FIND_AND_FILL, [form.action, list(form.inputs), {"mode": mode, "known": known,
                                                                             "pdf": PDF}])
    if changed is None:
        page.sweep_loaded = form.page  # untouched
        return None
    if changed == -1:
        raise AssertionError(f"{form.action} (on {form.page}) has no submit button")
    if mode != "valid" and changed == 0:
        return "nothing to make invalid"
    posted = page.expect_response(lambda r: r.request.method == "POST")
    with page.expect_navigation(wait_until="domcontentloaded"), posted as answer:
        page.locator(f"[data-sweep-button={mode}]").click()
    if 300 <= answer.value.status < 400:
        page.sweep_loaded = _here(page)
    return (answer.value, *page.evaluate(ANSWER))


def _first(page, places: list[Form], mode: str, known: dict[str, str]):
    """Submit the first of a kind's forms the pages still show: (the form, the answer), or (None, None)."""
    for form in places:
        answer = submit(page, form, mode, known)
        if answer is not None:
            return form, answer
    return None, None


def _refuse(page, db, places: list[Form], mode: str, known: dict[str, str], who: str, outcome: Outcome) -> None:
    """Send the kind of form invalid for `mode`: refused with 409/422 and a named alert, nothing saved."""
    before = _events(db)
    form, answer = _first(page, places, mode, known)
    if form is None or isinstance(answer, str):
        return
    outcome.sent[mode].append(form.kind)
    response, alert, unknown = answer
    where = f"{who}: {form.action} (from {form.page}) sent {mode}"
    if response.status not in (409, 422):
        outcome.problems.append(f"{where}: answered {response.status}, not 409/422 ({alert[:200]})")
    elif not alert:
        outcome.problems.append(f"{where}: refused with {response.status} and no role=alert message")
    if unknown:
        outcome.problems.append(f"{where}: refused a field its own page sent")
    if _events(db) != before:
        outcome.problems.append(f"{where}: saved something (an event was appended)")


def sweep(open_page: Callable[[], object], db, starts: list[str], known: dict[str, str], who: str,
          last: tuple[str, ...] = (), fresh: bool = False, limit: int = 400) -> Outcome:
    """Crawl from each start (a round's pages are visited in each round: a legal profile's forms differ); each
    kind of form is sent invalid (empty, bad) where it is first found, while the world is whole; then each kind
    valid, the `last` actions (patterns) at the end in their order; with `fresh`, each valid form from a page of
    its own (a visitor's forms log in). The pages visited are in `outcome.pages`."""
    outcome = Outcome()
    page = open_page()
    if not page.url.startswith("http"):
        visit(page, starts[0], "domcontentloaded")  # the site's origin, for the fetches
    kinds: dict[str, list[Form]] = {}
    for path, found in discover(page, starts, limit):
        outcome.pages.append(path)
        if any(form.kind not in kinds for form in found):  # shown in Chromium, its forms as Chromium has them
            visit(page, path, "domcontentloaded")
            page.sweep_loaded = path
            found = [Form(path, action, tuple(inputs), tuple(invalid))
                     for action, inputs, invalid in page.eval_on_selector_all("form[method=post i]", FORMS)]
        for form in found:
            new = form.kind not in kinds
            kinds.setdefault(form.kind, []).append(form)
            for mode in form.invalid if new else ():  # nothing to empty, or nothing but boxes to tick
                _refuse(page, db, [form], mode, known, who, outcome)
    order = {kind: next((i for i, p in enumerate(last) if re.search(p, places[0].action)), -1)
             for kind, places in kinds.items()}
    for kind, places in sorted(kinds.items(), key=lambda item: order[item[0]]):
        page = open_page() if fresh else page
        form, answer = _first(page, places, "valid", known)
        if form is None:
            outcome.problems.append(f"{who}: {kind} was gone from every page before its valid turn")
            continue
        outcome.sent["valid"].append(form.kind)
        response, alert, unknown = answer
        where = f"{who}: {form.action} (from {form.page}) sent valid"
        if response.status >= 400:
            outcome.problems.append(f"{where}: answered {response.status} ({alert[:300]})")
        elif alert:
            outcome.problems.append(f"{where}: answered {response.status} with an alert: {alert[:300]}")
        if unknown:
            outcome.problems.append(f"{where}: refused a field its own page sent")
    return outcome


def visited_endpoints(app, paths: list[str]) -> Iterator[str]:
    """The endpoint (`pages.round_page`...) of each visited path."""
    adapter = app.url_map.bind("localhost")
    for path in paths:
        yield adapter.match(urlsplit(path).path, method="GET")[0]
