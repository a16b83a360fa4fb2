"""Helpers of the browser tests: the server process, the browser and the page checks."""
