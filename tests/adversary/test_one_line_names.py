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
_STORED = ("finding: {field} is Text, not Line: it stores {kind} (201, returned as given in the JSON answer), "
           "for pages and the PDF to show")


@pytest.mark.parametrize("kind", [pytest.param(k, marks=pytest.mark.xfail(strict=True, reason=_STORED.format(
    field="an fr-cse round's establishments (consult/rounds/schemas.py)", kind=k))) for k in sorted(CONTROLS)])
def test_an_establishments_name_with_a_control_is_refused(api, make, db, kind):
    employer = make.user("employers")
    body = round_payload(workflow="fr-cse", plan=profile_plan("fr-cse"),
                         establishments=["Lille", f"Lyon {CONTROLS[kind]}Part-Dieu"])
    before = snapshot(db)
    response = api(employer).post("/rounds", json=body)
    assert "establishments" in str(assert_error_shape(response, 422)["fields"]), kind
    assert snapshot(db) == before


@pytest.mark.parametrize("kind", ["rlo", "u2028"])
@pytest.mark.xfail(strict=True, reason=_STORED.format(field="a conciliation ruling's reference "
                                                            "(consult/opinions/conciliation_schemas.py)", kind="it"))
def test_a_boards_reference_with_a_control_is_refused(api, make, db, kind):
    world = in_conciliation(api, make, db)
    before = snapshot(db)
    response = api(world["secretariat"]).post(f"/rounds/{world['round'].id}/rulings",
                                              json={**RULING, "reference": f"ES {CONTROLS[kind]}3/2027"})
    assert "reference" in assert_error_shape(response, 422)["fields"]
    assert snapshot(db) == before
