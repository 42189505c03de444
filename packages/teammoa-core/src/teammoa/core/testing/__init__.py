"""Test support shipped with teammoa-core (install the ``testing`` extra).

``teammoa.core.testing.plugin`` is a pytest plugin: add
``pytest_plugins = ["teammoa.core.testing.plugin"]`` to a ``conftest.py``.
"""
