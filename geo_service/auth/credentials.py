"""The one credential check of the HTTP API: which caller a request's credentials name.

A request may present its secret three ways, all equal: the ``X-API-Key`` header, an
``Authorization: Bearer <key>`` header, or HTTP Basic (``Authorization: Basic``) with the API
key as the password and any user name (GIS clients such as QGIS 3.22 can only send Basic).
``presented`` reads them; ``authenticate`` decides who is calling. Every API and OGC route
goes through ``geo_service.api.deps.require``, which calls these two and nothing else.

A person's own login and password work as HTTP Basic too (``authenticate``).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from geo_service.auth.keys import KeyInfo
from geo_service.errors import Unauthorized
from geo_service.i18n import _

KEY_HEADER = "X-API-Key"
REALM = "geo_service"
# Sent with every 401, so clients that wait for a challenge (browsers, curl --anyauth) offer
# Basic, and token clients see that Bearer works too.
CHALLENGE = f'Basic realm="{REALM}", charset="UTF-8", Bearer realm="{REALM}"'
Scheme = Literal["header", "bearer", "basic"]


@dataclass(frozen=True)
class Credentials:
    """What a request presented: the secret, how, and (HTTP Basic) the user name with it."""

    secret: str
    scheme: Scheme
    login: str | None = None


def presented(headers: Mapping[str, str]) -> Credentials | None:
    """The credentials in the request headers (X-API-Key first), or None when there are none.

    A malformed ``Authorization`` header is refused (401) rather than ignored, so a client
    that means to log in learns why it was not let in.
    """
    key = headers.get(KEY_HEADER.lower()) or headers.get(KEY_HEADER)
    if key:
        return Credentials(key, "header")
    authorization = (headers.get("authorization") or "").strip()
    if not authorization:
        return None
    scheme, _space, value = authorization.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return Credentials(value, "bearer")
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(
                _("the Basic credentials are not base64 of 'user:password'")
            ) from None
        login, colon, password = decoded.partition(":")
        if colon and password:
            return Credentials(password, "basic", login or None)
        raise Unauthorized(_("HTTP Basic needs the API key as the password"))
    raise Unauthorized(
        _(
            "unsupported Authorization header; send the API key as X-API-Key, "
            "'Authorization: Bearer <key>' or as the HTTP Basic password"
        )
    )


def authenticate(
    credentials: Credentials,
    key_of: Callable[[str], KeyInfo | None],
    person_of: Callable[[str, str], KeyInfo | None] | None = None,
) -> KeyInfo | None:
    """Who the credentials name, or None when nobody: a person, when HTTP Basic names one of
    the workspace's logins with its password (``person_of`` checks it, throttled and cached);
    else the API key given by any scheme (``key_of`` looks it up, cached or in the database),
    so a GIS client sending any user name with an API key as the password still works."""
    if credentials.scheme == "basic" and credentials.login and person_of is not None:
        person = person_of(credentials.login, credentials.secret)
        if person is not None:
            return person
    return key_of(credentials.secret)
