"""A writer signs in through OpenID Connect (st.login) end to end: Chromium, the app and an
OIDC provider on loopback ports (tests/oidc_provider.py). An account on the writers list may
save; another account that signs in only reads; signing out closes writing again."""

from __future__ import annotations

import secrets

import pytest

from tests.browser.conftest import StreamlitServer, open_page, wait_for
from tests.oidc_provider import OIDCProvider

pytestmark = pytest.mark.browser

WRITER, READER = "writer@example.org", "someone@elsewhere.example"
SAVE_OFFERED = "Signed in as a writer"


@pytest.fixture
def provider():
    running = OIDCProvider()
    yield running
    running.stop()


@pytest.fixture
def oidc_app(provider, data_copy, tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{OIDCProvider.CLIENT_ID}"\n'
        f'client_secret = "{OIDCProvider.CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
        "\n[proxylens]\n"
        f'writers = ["{WRITER}"]\n', encoding="utf-8")
    app = StreamlitServer(data_copy, extra_args=("--secrets.files", str(secrets_file)),
                          env={"PROXYLENS_WRITE": "on"})
    yield app
    app.stop()


def text_js(text: str) -> str:
    return f"document.body.innerText.includes({text!r})"


def sign_in(page, app) -> None:
    """From the Data page, through the provider, and back to the Data page."""
    open_page(page, f"{app.url}/data", text_js("Sign in to save or restore"))
    page.page.get_by_role("button", name="Sign in to save or restore").first.click()
    # st.login leaves for the provider, which sends the browser back through /oauth2callback
    # to the app's first page
    page.page.wait_for_url(f"{app.url}/", timeout=30_000)
    open_page(page, f"{app.url}/data", "document.querySelector('[data-testid=\"stMain\"]')")


def test_a_listed_account_signs_in_through_the_provider_and_may_save(oidc_app, provider,
                                                                      browser_page):
    provider.account = WRITER
    sign_in(browser_page, oidc_app)
    wait_for(browser_page.page, text_js(SAVE_OFFERED))
    # the provider issued one id token, for this account and this app
    assert [(t["email"], t["aud"]) for t in provider.tokens_issued] == [
        (WRITER, OIDCProvider.CLIENT_ID)]
    assert not provider.codes, "the code was exchanged once and is gone"
    # the sign-in is the provider's, kept in the app's signed cookie: it holds across a reload
    browser_page.page.reload()
    wait_for(browser_page.page, text_js(SAVE_OFFERED))
    assert len(provider.tokens_issued) == 1, "a reload asks the provider nothing"
    # signing out closes writing again
    browser_page.page.get_by_role("button", name="Sign out").first.click()
    browser_page.page.wait_for_url(f"{oidc_app.url}/", timeout=30_000)
    assert len(provider.logouts) == 1, "signing out ends the provider's session too"
    open_page(browser_page, f"{oidc_app.url}/data", text_js("Sign in to save or restore"))
    assert SAVE_OFFERED not in browser_page.page.inner_text("body")
    assert not [e for e in browser_page.errors if "pageerror" in e], browser_page.errors


def test_an_account_not_on_the_writers_list_signs_in_but_only_reads(oidc_app, provider,
                                                                     browser_page):
    provider.account = READER
    sign_in(browser_page, oidc_app)
    wait_for(browser_page.page, text_js(f"Signed in as {READER}, which is not on the writers"))
    assert SAVE_OFFERED not in browser_page.page.inner_text("body")
    assert [t["email"] for t in provider.tokens_issued] == [READER]
