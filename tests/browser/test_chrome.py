"""The page around the app: no framework chrome an analyst would not understand."""

from __future__ import annotations

import pytest

from tests.browser.conftest import open_page
from tests.browser.test_dashboard import PAGES, real_errors

pytestmark = pytest.mark.browser


def test_no_deploy_button_and_the_apps_own_title(server, browser_page):
    open_page(browser_page, server.url, PAGES[""])
    page = browser_page.page
    assert page.get_by_role("button", name="Deploy").count() == 0
    assert "Deploy" not in page.inner_text("header") if page.locator("header").count() else True
    assert page.title() == "ProxyLens"
    assert page.locator("h1").first.inner_text() == "Iran's proxy war in Iraq, 2003-2008"
    assert real_errors(browser_page) == []
