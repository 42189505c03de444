"""Test support for the site's tests: fake network peers and subprocess runners."""
