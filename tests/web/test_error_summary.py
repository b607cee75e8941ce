"""The error summary above a form links to every field in error (WCAG 3.3.1, 2.4.3)."""

from __future__ import annotations

import re

from tests.web.pages import page


def test_registration_errors_link_to_their_fields(client, db) -> None:
    response = client.post(
        "/konto/rejestracja",
        data={"full_name": "", "email": "not an address", "password": "x", "password2": "y"},
    )
    html = page(response)
    assert response.status_code in (200, 422)
    summary = re.search(r'<div class="flash flash-error error-summary" role="alert">(.*?)</div>',
                        html, flags=re.S)  # fmt: skip
    assert summary, "no error summary"
    targets = re.findall(r'<a href="#([\w-]+)">', summary.group(1))
    assert {"full_name", "email", "consent"} <= set(targets), targets
    for target in targets:  # every link leads to a field on the page
        assert f'id="{target}"' in html, target
