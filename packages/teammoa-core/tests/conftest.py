pytest_plugins = ["teammoa.core.testing.plugin"]
