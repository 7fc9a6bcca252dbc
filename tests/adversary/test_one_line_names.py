"""Promise 2: one-line names (an establishment's name, a conciliation board's reference) refuse Cc, Zl, Zp and
the bidi embedding, override and isolate controls with a 422 naming the field, and store nothing: each reaches
the round's pages and its signed PDF, where "Lyon\u202enoyL" reads as another name."""

from __future__ import annotations

import pytest

from tests.factories import round_payload
from tests.opinions.helpers import profile_plan
from tests.opinions.test_de_betrvg import RULING, in_conciliation
from tests.test_bad_input import assert_error_shape, snapshot

#: One character of each refused class.
CONTROLS = {"rlo": "\u202e", "rli": "\u2067", "lre": "\u202a", "u2028": "\u2028", "u2029": "\u2029", "vt": "\x0b",
            "nel": "\x85", "tab": "\t"}
@pytest.mark.parametrize("kind", sorted(CONTROLS))
def test_an_establishments_name_with_a_control_is_refused(api, make, db, kind):
    employer = make.user("employers")
    body = round_payload(workflow="fr-cse", plan=profile_plan("fr-cse"),
                         establishments=["Lille", f"Lyon {CONTROLS[kind]}Part-Dieu"])
    client = api(employer)  # its token is made before the snapshot
    before = snapshot(db)
    response = client.post("/rounds", json=body)
    assert "establishments" in str(assert_error_shape(response, 422)["fields"]), kind
    assert snapshot(db) == before


@pytest.mark.parametrize("kind", ["rlo", "u2028"])
def test_a_boards_reference_with_a_control_is_refused(api, make, db, kind):
    world = in_conciliation(api, make, db)
    secretariat = api(world["secretariat"])  # its token is made before the snapshot
    before = snapshot(db)
    response = secretariat.post(f"/rounds/{world['round'].id}/rulings",
                                              json={**RULING, "reference": f"ES {CONTROLS[kind]}3/2027"})
    assert "reference" in assert_error_shape(response, 422)["fields"]
    assert snapshot(db) == before
