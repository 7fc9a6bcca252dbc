"""A browser's side of the page forms: a logged-in client per person, posts with the page's CSRF token."""

from __future__ import annotations

import re

from tests.factories import log_in


def browser(app, person):
    """A logged-in test client of its own for one person."""
    client = app.test_client()
    log_in(client, person)
    return client


def csrf(client, path: str) -> str:
    """The CSRF token of a page's forms."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def post(client, path: str, form: dict, **kwargs):
    """Post a form with the CSRF token of the dashboard's forms."""
    return client.post(path, data={**form, "csrf_token": csrf(client, "/")}, **kwargs)


def send(client, path: str, data: dict, *, page: str):
    """Post a form as the browser would: with the CSRF token of the page the form is on."""
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def followed(client, response) -> str:
    """The page a 303 leads to, as the person sees it."""
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:2000])
    return client.get(response.headers["Location"]).get_data(as_text=True)
