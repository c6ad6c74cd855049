"""A writer's sign-in, where something can be saved or restored (components.access says who
may write and how they sign in)."""

from __future__ import annotations

import math
import threading
import time

import streamlit as st

from components import access
from components.wording import counted

SIGNED_IN = "writer-signed-in"
REFUSED = "writer-refused"


def policy() -> access.WritePolicy:
    return access.write_policy(st.secrets)


def can_write() -> bool:
    """True when this session may save and restore."""
    method = policy().method
    if method == access.PASSWORD:
        return bool(st.session_state.get(SIGNED_IN))
    if method == access.OIDC:
        return bool(getattr(st.user, "is_logged_in", False)) and access.may_write(
            st.secrets, getattr(st.user, "email", None))
    return False


def sign_in_panel(key: str) -> bool:
    """Why writing is off, a sign-in, or who is signed in (with a way out); True when this
    session may write. `key` keeps two panels on one page apart."""
    current = policy()
    if current.method is None:
        st.caption(f":material/lock: {current.reason}")
        return False
    if can_write():
        row = st.container(horizontal=True, vertical_alignment="center")
        row.caption(":material/lock_open: Signed in as a writer: this session may save and "
                    "restore.")
        row.button("Sign out", on_click=_sign_out, key=f"{key}-sign-out",
                   icon=":material/logout:")
        return True
    if current.method == access.OIDC:
        if getattr(st.user, "is_logged_in", False):
            who = getattr(st.user, "email", "") or "an account"
            st.caption(f":material/lock: Signed in as {who}, which is not on the writers "
                       "list: every view and export works; saving and restoring do not.")
            return False
        st.button("Sign in to save or restore", on_click=st.login, key=f"{key}-sign-in",
                  icon=":material/login:")
        return False
    wait = ATTEMPTS.locked(time.time())
    if wait:
        st.caption(f":material/lock_clock: Too many wrong passwords: signing in is closed for "
                   f"{counted(math.ceil(wait / 60), 'more minute')}.")
        return False
    narrow, _ = st.columns([2, 3])
    with narrow.form(f"{key}-sign-in", border=False):
        st.text_input("Writer's password", type="password", key=f"{key}-password",
                      help="Saving and restoring need it; every view and export works without.")
        st.form_submit_button("Sign in to save or restore", icon=":material/login:",
                              on_click=_check_password, args=(f"{key}-password",))
    if st.session_state.pop(REFUSED, False):
        st.error("That is not the writer's password.", icon=":material/lock:")
    return False


ATTEMPTS = access.Attempts()  # this server's wrong passwords, whatever the session
_ATTEMPTS_LOCK = threading.Lock()


def _check_password(field: str) -> None:
    attempt = st.session_state.get(field, "")
    st.session_state[field] = ""  # never kept in the session once checked
    with _ATTEMPTS_LOCK:
        now = time.time()
        if ATTEMPTS.locked(now):
            return
        if access.password_matches(st.secrets, attempt):
            st.session_state[SIGNED_IN] = True
            return
        ATTEMPTS.failed(now)
    st.session_state[REFUSED] = True


def _sign_out() -> None:
    if policy().method == access.OIDC:
        st.logout()
    st.session_state.pop(SIGNED_IN, None)
