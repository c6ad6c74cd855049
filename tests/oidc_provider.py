"""A small OpenID Connect provider on a loopback port, for testing st.login end to end.

It signs in whichever account the test names (`provider.account = "..."`) without a form:
/authorize hands back a code at once, /token exchanges it for an RS256-signed id token that
carries the nonce the app sent, and /jwks publishes the key. Enough of the protocol for
Authlib (which Streamlit's st.login uses) to check everything it checks: the issuer, the
audience, the signature, the nonce, the expiry and PKCE when the app uses it."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey


class OIDCProvider:
    """Start with `OIDCProvider()`, stop with `.stop()`. `.issuer` is its address."""

    CLIENT_ID, CLIENT_SECRET = "proxylens-test", "not-a-real-secret"

    def __init__(self) -> None:
        self.account = "writer@example.org"
        self.key = RSAKey.generate_key(2048, private=True, auto_kid=True)
        self.codes: dict[str, dict] = {}  # code -> what /authorize was asked
        self.tokens_issued: list[dict] = []
        self.logouts: list[dict] = []  # what each visit to the end-session address carried
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
        }

    def authorize(self, query: dict) -> str:
        """The address to send the browser back to: the app's redirect with a fresh code."""
        if query.get("client_id") != self.CLIENT_ID:
            raise PermissionError("unknown client")
        code = secrets.token_urlsafe(16)
        self.codes[code] = {**query, "account": self.account}
        back = {"code": code, "state": query.get("state", "")}
        return f"{query['redirect_uri']}?{urllib.parse.urlencode(back)}"

    def token(self, form: dict, authorization: str | None) -> dict:
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization and authorization.startswith("Basic "):
            pair = base64.b64decode(authorization[6:]).decode()
            client_id, _, client_secret = (urllib.parse.unquote(p) for p in pair.partition(":"))
        if (client_id, client_secret) != (self.CLIENT_ID, self.CLIENT_SECRET):
            raise PermissionError("wrong client credentials")
        asked = self.codes.pop(form.get("code", ""), None)
        if asked is None or asked["redirect_uri"] != form.get("redirect_uri"):
            raise PermissionError("unknown or reused code")
        challenge = asked.get("code_challenge")
        if challenge:  # PKCE: the verifier must hash to the challenge sent to /authorize
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            if digest.rstrip(b"=").decode() != challenge:
                raise PermissionError("PKCE verifier does not match")
        now = int(time.time())
        account = asked["account"]
        claims = {"iss": self.issuer, "sub": hashlib.sha256(account.encode()).hexdigest()[:16],
                  "aud": self.CLIENT_ID, "iat": now, "exp": now + 600,
                  "nonce": asked.get("nonce"), "email": account, "email_verified": True,
                  "name": account.partition("@")[0].title()}
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        self.tokens_issued.append(claims)
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                "expires_in": 600, "id_token": id_token}

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet in the test output
                pass

            def _send(self, status: int, body: dict | None = None,
                      location: str | None = None) -> None:
                data = json.dumps(body or {}).encode()
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if url.path == "/.well-known/openid-configuration":
                    self._send(200, provider.metadata())
                elif url.path == "/jwks":
                    self._send(200, {"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    try:
                        self._send(302, location=provider.authorize(query))
                    except (PermissionError, KeyError) as refused:
                        self._send(400, {"error": str(refused)})
                elif url.path == "/logout":
                    provider.logouts.append(query)
                    back = query.get("post_logout_redirect_uri")
                    self._send(302 if back else 200, location=back)
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if urllib.parse.urlsplit(self.path).path != "/token":
                    self._send(404, {"error": "not found"})
                    return
                try:
                    self._send(200, provider.token(form, self.headers.get("Authorization")))
                except PermissionError as refused:
                    self._send(400, {"error": "invalid_grant", "error_description": str(refused)})

        return Handler
