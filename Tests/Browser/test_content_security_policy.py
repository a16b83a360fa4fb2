"""The checks every visit makes, shown to catch what they are for."""

from __future__ import annotations

import pytest

from support.browser import Browser
from support.checks import assert_no_inline_code, inline_code


def test_the_static_assets_carry_the_policy_too(browser: Browser) -> None:
    for path in ("/static/app.css", "/static/app.js", "/static/logo.svg"):
        assert browser.fetch(path).status == 200


def test_chromium_reports_a_violation_the_visit_would_fail_on(browser: Browser, visit) -> None:
    visit("/login")

    browser.driver.execute_script(
        """
        const script = document.createElement("script");
        script.textContent = "document.title = 'inline ran'";
        document.head.append(script);
        document.body.setAttribute("style", "color: red");
        """
    )

    assert browser.driver.title == "Sign in · Syncline", "the inline script ran"
    with pytest.raises(AssertionError, match="Content Security Policy"):
        browser.assert_no_csp_violations()


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script type="module">import "/x.js"</script>',
        "<style>body { color: red }</style>",
        '<p style="color: red">text</p>',
        '<button onclick="go()">Go</button>',
        '<img src="/x.png" onerror="go()">',
        '<a href="javascript:go()">Go</a>',
        '<a href=" JavaScript:go()">Go</a>',
    ],
)
def test_inline_code_is_found(html: str) -> None:
    with pytest.raises(AssertionError, match="inline code"):
        assert_no_inline_code(f"<!doctype html><html><body>{html}</body></html>")


def test_what_the_policy_allows_is_not_inline_code() -> None:
    html = """<!doctype html><html><head>
        <script src="/static/app.js" defer></script><link rel="stylesheet" href="/static/app.css">
        </head><body><p class="online" data-on="x">once, only</p><a href="/sources">Sources</a></body></html>"""

    assert inline_code(html) == []
