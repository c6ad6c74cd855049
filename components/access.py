"""Who may write: the setting that turns writing on, and how a writer signs in. No Streamlit
import (components.ui.writers draws the sign-in).

Reading is open to whoever can reach the server: every view and every export. Writing (saving
uploaded tables to the data folder, restoring a kept version, saving the briefing) is off
unless PROXYLENS_WRITE=on, and then needs a sign-in, by whichever way the app's secrets
(.streamlit/secrets.toml) configure:
    [auth] ...                      OpenID Connect through st.login (a provider's client id,
                                    secret and metadata address; see Streamlit's docs), with
    [proxylens] writers=[...]       the accounts that may write: addresses, or "@domain" for
                                    every address of a domain (anyone else who signs in only
                                    reads: a public provider signs in the whole world)
    [proxylens] write_password=...  a password for a room without internet
Writing turned on with neither configured stays off, and says what to add. Wrong passwords
are limited: after MAX_FAILURES within FAILURE_WINDOW_S, sign-in waits LOCKOUT_S.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass

WRITE_ENV = "PROXYLENS_WRITE"
OIDC, PASSWORD = "oidc", "password"


@dataclass(frozen=True)
class WritePolicy:
    method: str | None  # OIDC or PASSWORD: writing is on and needs this sign-in; None: off
    reason: str  # when off, why, in a sentence a presenter can act on


def write_policy(secrets: Mapping, environ: Mapping | None = None) -> WritePolicy:
    environ = os.environ if environ is None else environ
    if environ.get(WRITE_ENV, "").strip().lower() != "on":
        return WritePolicy(None, "Writing is off on this server: every view and export works, "
                           f"but nothing can be saved or restored. To allow it, start ProxyLens "
                           f"with {WRITE_ENV}=on and a sign-in in .streamlit/secrets.toml "
                           "(see the README, 'Who may write').")
    if _has(secrets, "auth") and writers_listed(secrets):
        return WritePolicy(OIDC, "")
    if _password(secrets):
        return WritePolicy(PASSWORD, "")
    if _has(secrets, "auth"):
        return WritePolicy(None, f"{WRITE_ENV}=on with an [auth] sign-in, but no [proxylens] "
                           "writers list says which accounts may write, so writing stays off: "
                           "add writers = [\"name@example.org\", \"@example.org\"].")
    return WritePolicy(None, f"{WRITE_ENV}=on, but no sign-in is configured, so writing stays "
                       "off: add an [auth] section (OpenID Connect) or [proxylens] "
                       "write_password to .streamlit/secrets.toml.")


def writers_listed(secrets: Mapping) -> list[str]:
    section = _get(secrets, "proxylens")
    listed = _get(section, "writers") if section is not None else None
    return [str(w).strip().lower() for w in (listed or []) if str(w).strip()]


def may_write(secrets: Mapping, email: str | None) -> bool:
    """Whether a signed-in account is on the writers list (an address, or its "@domain")."""
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    domain = "@" + email.rpartition("@")[2]
    return any(entry in (email, domain) for entry in writers_listed(secrets))


def password_matches(secrets: Mapping, attempt: str) -> bool:
    """The attempt against the configured password, compared in constant time."""
    expected = _password(secrets)
    if not expected or not attempt:
        return False
    return hmac.compare_digest(hashlib.sha256(attempt.encode("utf-8")).digest(),
                               hashlib.sha256(expected.encode("utf-8")).digest())


def _password(secrets: Mapping) -> str:
    section = _get(secrets, "proxylens")
    value = _get(section, "write_password") if section is not None else None
    return value.strip() if isinstance(value, str) else ""


def _has(secrets: Mapping, key: str) -> bool:
    return _get(secrets, key) is not None


def _get(mapping, key):
    """A key of Streamlit's secrets (which raise when the file is missing) or of a dict."""
    try:
        return mapping[key] if key in mapping else None
    except Exception:  # noqa: BLE001 - no secrets file: nothing configured
        return None


MAX_FAILURES = 10
FAILURE_WINDOW_S = 600
LOCKOUT_S = 300


class Attempts:
    """Wrong passwords, counted across every session of the server: past MAX_FAILURES in
    FAILURE_WINDOW_S, sign-in is refused for LOCKOUT_S (a guesser opening new sessions gains
    nothing)."""

    def __init__(self) -> None:
        self.failures: list[float] = []
        self.locked_until = 0.0

    def locked(self, now: float) -> float:
        """Seconds left of a lockout (0 when sign-in is open)."""
        return max(0.0, self.locked_until - now)

    def failed(self, now: float) -> None:
        self.failures = [t for t in self.failures if now - t < FAILURE_WINDOW_S] + [now]
        if len(self.failures) >= MAX_FAILURES:
            self.locked_until, self.failures = now + LOCKOUT_S, []
