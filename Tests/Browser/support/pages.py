"""The signed-in pages of the web interface, by who may open them.

They follow the navigation of `Layout.page` (Sources/Web/Pages/Layout.swift). A page listed here
that answers 404 is taken as not written yet: the tests that need it skip and say so, and run
by themselves once the page lands (`pytest -rs` lists what still skips).
"""

# Pages every signed-in user may open, the ones tests prefer first.
VIEWER_PAGES = ("/account", "/dashboards", "/sources")

# Pages only admins may open; a viewer gets the 403 page.
ADMIN_PAGES = ("/users", "/audit")
