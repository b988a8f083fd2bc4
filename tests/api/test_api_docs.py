"""``/docs`` and ``/redoc`` work offline: their pages reference no external URL and the app serves every asset."""

from __future__ import annotations

import re

import pytest

ATTRIBUTES = re.compile(r"""(?:src|href|url|spec-url)\s*[=:]\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize(("page", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")])
def test_the_api_reference_pages_reference_nothing_outside_the_app(api, page, script):
    response = api.client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), html  # no host named at all
    references = set(ATTRIBUTES.findall(html))
    assert f"/static/docs/{script}" in references and "/openapi.json" in references
    for url in references:
        served = api.client.get(url)
        assert served.status_code == 200, url
        assert len(served.content) > 0, url


def test_the_assets_ship_with_their_licences(api):
    for name in ("swagger-ui.LICENSE", "swagger-ui.NOTICE", "redoc.LICENSE", "VERSIONS"):
        assert api.client.get(f"/static/docs/{name}").status_code == 200, name
    css = api.client.get("/static/docs/swagger-ui.css")
    assert css.headers["content-type"].startswith("text/css")
