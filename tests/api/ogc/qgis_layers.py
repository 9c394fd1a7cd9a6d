"""Load OGC API – Features layers in headless QGIS (PyQGIS) with a stored Basic authentication
configuration, as a planner's QGIS would; print each layer's feature count as JSON.

Run with Debian's system Python (``/usr/bin/python3``, where ``python3-qgis`` lives) and
``QT_QPA_PLATFORM=offscreen``: ``python3 qgis_layers.py URL USER PASSWORD PROFILE_DIR
COLLECTION...``. A layer that does not load counts as null (with QGIS's last log lines).
"""

from __future__ import annotations

import json
import os
import sys


def main() -> int:
    """Load each collection through the OAPIF provider; print {collection: {count, error}}."""
    from qgis.core import QgsApplication, QgsAuthMethodConfig, QgsCredentialsNone, QgsVectorLayer

    url, user, password, profile, *collections = sys.argv[1:]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False, profile)
    app.initQgis()
    never_ask = QgsCredentialsNone()  # headless: a refused login fails, no dialog is opened
    never_ask.setInstance(never_ask)
    auth = QgsApplication.authManager()
    auth.setMasterPassword("geo_service-test", True)  # the auth database's own password
    config = QgsAuthMethodConfig("Basic")
    config.setName("geo_service")
    config.setConfig("username", user)
    config.setConfig("password", password)
    stored, config = auth.storeAuthenticationConfig(config)
    assert stored, "QGIS could not store the authentication configuration"
    messages: list[str] = []  # QGIS's log (layer.error() crashes 3.22 on a failed layer)
    QgsApplication.messageLog().messageReceived.connect(lambda text, *_: messages.append(text))
    out = {}
    for name in collections:
        uri = f"url='{url}' typename='{name}' authcfg={config.id()}"
        layer = QgsVectorLayer(uri, name, "OAPIF")
        if not layer.isValid():
            out[name] = {"count": None, "error": " | ".join(messages[-3:])}
            continue
        out[name] = {"count": sum(1 for _ in layer.getFeatures()), "error": None}
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    # os._exit without exitQgis: PyQGIS 3.22 headless crashes while it tears down (exitQgis
    # and the interpreter's exit free objects twice), which would turn a finished run into a
    # segfault; nothing is left to save.
    os._exit(main())
