"""Checks every page the tests see must pass: a strict CSP, and no inline code for it to block."""

from __future__ import annotations

from html.parser import HTMLParser

# What DESIGN.md §7 promises: scripts and styles only from the site itself, nothing inline.
REQUIRED_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'")


class _InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, styles and event handlers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.findings: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        position = "line {}".format(self.getpos()[0])
        names = {name.lower() for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self.findings.append(f"{position}: <script> without src")
        if tag == "style":
            self.findings.append(f"{position}: <style> element")
        for name, value in attrs:
            name = name.lower()
            if name == "style":
                self.findings.append(f"{position}: style= attribute on <{tag}>")
            elif name.startswith("on"):
                self.findings.append(f"{position}: {name}= event handler on <{tag}>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.findings.append(f"{position}: javascript: URL in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def inline_code(html: str) -> list[str]:
    """Where `html` has an inline script, `<style>`, `style=`, `on*=` handler or `javascript:` URL."""
    finder = _InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.findings


def assert_no_inline_code(html: str, where: str = "the page") -> None:
    """Fails if `html` holds anything the Content-Security-Policy would refuse to run or apply."""
    findings = inline_code(html)
    assert not findings, f"{where} has inline code that the CSP blocks:\n  " + "\n  ".join(findings)


def assert_strict_csp(headers: dict[str, str], where: str = "the page") -> None:
    """Fails unless the response carries the strict Content-Security-Policy."""
    policy = headers.get("content-security-policy")
    assert policy, f"{where} has no Content-Security-Policy header"
    directives = {directive.strip() for directive in policy.split(";")}
    missing = [directive for directive in REQUIRED_DIRECTIVES if directive not in directives]
    assert not missing, f"{where}: the CSP {policy!r} lacks {missing}"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, f"{where}: the CSP {policy!r} is lax"


def csp_violations(console: list[dict]) -> list[str]:
    """The console messages in which Chromium reports a Content-Security-Policy violation."""
    return [
        entry.get("message", "")
        for entry in console
        if "Content Security Policy" in entry.get("message", "")
        or "Content-Security-Policy" in entry.get("message", "")
    ]
