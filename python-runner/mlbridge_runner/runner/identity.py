"""The runner's identity, carried in every reply: ``host/pid/8-hex``."""

from __future__ import annotations

import os
import secrets
import socket


def make_identity() -> str:
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"
