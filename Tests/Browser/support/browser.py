"""Headless Chromium through Debian's chromedriver, with the page checks built into each visit."""

from __future__ import annotations

import base64
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.wait import WebDriverWait

from .checks import assert_no_inline_code, assert_strict_csp, csp_violations
from .server import Account, SynclineServer

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SESSION_COOKIE = "syncline_session"


@dataclass(frozen=True)
class Size:
    """A viewport the screenshots and layouts are taken at."""

    width: int
    height: int
    mobile: bool


SIZES = {"desktop": Size(1366, 900, mobile=False), "phone": Size(390, 844, mobile=True)}
PHONE_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/156.0.0.0 Mobile Safari/537.36"
)


class Chromium:
    """One headless Chromium for the whole run, reaching nothing beyond loopback."""

    def __init__(self, profile: Path) -> None:
        self.driver = start_chromium(profile)
        self.user_agent: str = self.driver.execute_script("return navigator.userAgent")

    def quit(self) -> None:
        self.driver.quit()


def start_chromium(profile: Path) -> webdriver.Chrome:
    """Starts headless Chromium through chromedriver.

    The driver is Debian's `/usr/bin/chromedriver`, named explicitly so Selenium Manager never
    runs (it would download one); `SE_OFFLINE` makes sure of it. `--no-sandbox` because CI runs
    as root, where Chromium's sandbox refuses to start.
    """
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    desktop = SIZES["desktop"]
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        f"--window-size={desktop.width},{desktop.height}",
        f"--user-data-dir={profile}",
        "--lang=en-US",
        "--no-first-run",
        "--no-default-browser-check",
        "--no-proxy-server",
        # Only loopback resolves, and Chromium's own background traffic stays off.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-domain-reliability",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--force-color-profile=srgb",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(service=service, options=options)
    # A page that hangs fails its test instead of the whole run.
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


@dataclass
class Response:
    """One HTTP exchange made beside the browser, with lower-case header names."""

    path: str
    status: int
    headers: dict[str, str]
    body: str

    @property
    def is_html(self) -> bool:
        """Whether the body is an HTML page."""
        return self.headers.get("content-type", "").startswith("text/html")

    @property
    def error_code(self) -> str | None:
        """The status shown on an error page, or None on other pages."""
        match = re.search(r'<p class="error-code">(\d+)</p>', self.body)
        return match.group(1) if match else None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands redirects back to the caller, which asserts on them."""

    def redirect_request(self, request, file, code, message, headers, new_url):
        return None


class Browser:
    """The shared Chromium, set up for one test.

    Every page reached through `visit` (or checked with `check_page`) is fetched a second time
    with urllib and the browser's cookies, so its status and headers can be asserted: it must
    carry the strict CSP and hold no inline code, and Chromium's console must report no CSP
    violation.
    """

    def __init__(self, chromium: Chromium, server: SynclineServer, test_name: str, artifacts: Path) -> None:
        self.chromium = chromium
        self.driver = chromium.driver
        self.server = server
        self.test_name = test_name
        self.artifacts = artifacts
        self.size = "desktop"
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())

    # Set-up

    def reset(self) -> None:
        """Forgets cookies and the previous page, and returns to the desktop size."""
        self.driver.get("about:blank")
        self.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
        self.use("desktop")
        self.driver.get_log("browser")

    def use(self, size: str) -> None:
        """Lays the page out at `size`, `desktop` or `phone` (with a phone's user agent and touch)."""
        viewport = SIZES[size]
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": viewport.width, "height": viewport.height, "deviceScaleFactor": 1, "mobile": viewport.mobile},
        )
        self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": viewport.mobile})
        user_agent = PHONE_USER_AGENT if viewport.mobile else self.chromium.user_agent
        self.driver.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": user_agent})
        self.size = size

    # Navigation

    def visit(self, path: str) -> Response:
        """Opens `path` in the browser, follows its redirects and checks the page it lands on."""
        self.driver.get(self.server.url(path))
        return self.check_page()

    def check_page(self) -> Response:
        """Checks the page the browser shows now, fetching its URL again with the same cookies.

        After a form was posted the second fetch is a GET of the URL the form led to, which shows
        the same page unless the page depends on the form; tests post such forms with `fetch`.
        """
        self.assert_no_csp_violations()
        url = self.driver.current_url
        assert url.startswith(self.server.origin + "/"), f"the browser left the server: {url}"
        return self.fetch(url.removeprefix(self.server.origin))

    @property
    def path(self) -> str:
        """The path and query of the page the browser shows."""
        parts = urllib.parse.urlsplit(self.driver.current_url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def fetch(
        self, path: str, method: str = "GET", form: dict[str, str] | None = None, *, cookies: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Requests `path` outside the browser, with its cookies unless told not to; no redirects.

        Every answer must carry the strict CSP, and HTML must hold no inline code.
        """
        request = urllib.request.Request(self.server.url(path), method=method)
        if cookies and (jar := self.cookie_header()):
            request.add_header("Cookie", jar)
        if form is not None:
            request.data = urllib.parse.urlencode(form).encode()
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Origin", self.server.origin)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with self._opener.open(request, timeout=30) as reply:
                response = Response(path, reply.status, _lower(reply.headers.items()), reply.read().decode())
        except urllib.error.HTTPError as error:
            response = Response(path, error.code, _lower(error.headers.items()), error.read().decode())
        assert_strict_csp(response.headers, where=f"{method} {path}")
        if response.is_html:
            assert_no_inline_code(response.body, where=f"{method} {path}")
        return response

    def existing_page(self, *paths: str) -> str:
        """The first of `paths` that is a page (answers other than 404); skips the test if none is yet.

        Pages are being written while these tests grow; see `support/pages.py`.
        """
        for path in paths:
            if self.fetch(path).status != 404:
                return path
        pytest.skip(f"not a page yet: {', '.join(paths)}")

    # Accounts

    def sign_in(self, account: Account, password: str | None = None) -> Response:
        """Fills and submits the sign-in form, and checks the page it leads to."""
        if not self.path.startswith("/login"):
            self.visit("/login")
        self.fill("input[name=username]", account.username)
        self.fill("input[name=password]", account.password if password is None else password)
        self.submit("form[action='/login']")
        return self.check_page()

    def sign_out(self) -> Response:
        """Submits the header's sign-out form, and checks the page it leads to.

        Limitation: until a signed-in page exists there is no header to click, so the same form
        (POST /logout with the session's CSRF token) is built on the current page instead.
        """
        if not self.driver.find_elements(By.CSS_SELECTOR, "form[action='/logout']"):
            csrf = self.cookie("syncline_csrf")
            assert csrf, "not signed in: there is no CSRF cookie"
            self.driver.execute_script(
                """
                const form = document.createElement("form");
                form.method = "post";
                form.action = "/logout";
                const field = document.createElement("input");
                field.type = "hidden";
                field.name = "csrf_token";
                field.value = arguments[0];
                form.append(field);
                document.body.append(form);
                """,
                csrf["value"],
            )
        self.submit("form[action='/logout']")
        return self.check_page()

    # Page content

    def element(self, selector: str) -> WebElement:
        """The first element matching the CSS `selector`; fails if there is none."""
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def elements(self, selector: str) -> list[WebElement]:
        """Every element matching the CSS `selector`."""
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def text(self, selector: str) -> str:
        """The visible text of the first element matching `selector`."""
        return self.element(selector).text.strip()

    def fill(self, selector: str, value: str) -> None:
        """Replaces the value of the input matching `selector`."""
        field = self.element(selector)
        field.clear()
        field.send_keys(value)

    def submit(self, selector: str) -> None:
        """Submits the form matching `selector` by its submit button, and waits for the next page.

        The old page is marked before the click; the wait ends when a document without the mark
        has loaded. Errors while the page changes underneath the check only mean "not yet".
        """
        form = self.element(selector)
        buttons = form.find_elements(By.CSS_SELECTOR, "button[type=submit], input[type=submit]")
        self.driver.execute_script("window.synclineOldPage = true")
        if buttons:
            buttons[0].click()
        else:
            form.submit()
        WebDriverWait(self.driver, 15, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return !window.synclineOldPage && document.readyState === 'complete'"
            ),
            f"submitting {selector} led to no new page",
        )

    def click(self, selector: str) -> None:
        """Clicks the link or button matching `selector`, and waits for the next page, as `submit` does."""
        self.follow(lambda: self.element(selector).click(), f"clicking {selector}")

    def follow(self, action, what: str) -> None:
        """Runs `action`, which leads to another page, and waits until that page has loaded."""
        self.driver.execute_script("window.synclineOldPage = true")
        action()
        WebDriverWait(self.driver, 15, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return !window.synclineOldPage && document.readyState === 'complete'"
            ),
            f"{what} led to no new page",
        )

    # Cookies

    def cookie(self, name: str) -> dict | None:
        """The browser's cookie `name` for the server, or None."""
        return self.driver.get_cookie(name) if self.driver.current_url.startswith("http") else None

    def cookie_header(self) -> str:
        """The browser's cookies for the server, as a `Cookie` header value."""
        if not self.driver.current_url.startswith(self.server.origin):
            return ""
        return "; ".join(f"{cookie['name']}={cookie['value']}" for cookie in self.driver.get_cookies())

    # Evidence

    def assert_no_csp_violations(self) -> None:
        """Fails if Chromium's console reported a CSP violation since the last check."""
        violations = csp_violations(self.console())
        assert not violations, "Chromium reported CSP violations:\n  " + "\n  ".join(violations)

    def console(self) -> list[dict]:
        """The console messages since the last call (reading them empties the buffer)."""
        try:
            return self.driver.get_log("browser")
        except WebDriverException:
            return []

    def screenshot(self, name: str) -> list[Path]:
        """Saves the whole current page at both sizes as `<test>-<name>-<size>.png`.

        The files go to `test-artifacts/screenshots/`; the size the test used is restored.
        """
        used = self.size
        saved = []
        self.artifacts.mkdir(parents=True, exist_ok=True)
        for size in SIZES:
            self.use(size)
            target = self.artifacts / f"{self.test_name}-{slug(name)}-{size}.png"
            target.write_bytes(self._capture())
            saved.append(target)
        self.use(used)
        return saved

    def _capture(self) -> bytes:
        metrics = self.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        content, viewport = metrics["cssContentSize"], metrics["cssLayoutViewport"]
        clip = {
            "x": 0, "y": 0, "scale": 1,
            "width": max(content["width"], viewport["clientWidth"]),
            "height": max(content["height"], viewport["clientHeight"]),
        }
        shot = self.driver.execute_cdp_cmd(
            "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
        )
        return base64.b64decode(shot["data"])


def slug(text: str) -> str:
    """`text` as a file-name part: letters, digits and dashes."""
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower() or "page"


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, value in items:
        name = name.lower()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers
