"""Root conftest: pytest-django reads dangjian.settings_test (see pyproject)."""
