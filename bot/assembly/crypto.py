"""The keys behind the ballot box, and the codes people type.

Everything secret is derived from one server secret, ``BALLOT_SECRET`` (see
:func:`keyring_for`), with HMAC-SHA-256 and a distinct label per purpose, so that one key
never serves two purposes:

* ``code``   – voting codes are stored as ``HMAC(code)``: a dump reveals no unused code,
  and guessing offline is impossible without the secret.
* ``voter``  – ``HMAC(assembly, user)``, the only link from a voter to their counted ballot,
  needed to replace it on a re-vote; cleared when the vote closes.
* ``track``  – ``HMAC(tracker)``: finds a ballot from the tracker the voter holds, while a
  dump does not map trackers to rows.
* ``seal``   – per-assembly AES-256-GCM keys: the choices are sealed at rest, bound to the
  ballot's id, assembly and lookup value (associated data).
* ``acc`` / ``acctag`` – the keyed element hash of the integrity accumulator, and the tag
  over the accumulator (see :mod:`bot.assembly.service`).

Codes and trackers use an alphabet without look-alikes (no 0/O, 1/I/L): voting codes have
12 characters (about 59 bits), trackers 10 (about 49 bits).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.core.config import CONSOLE_TOKEN, Settings

log = logging.getLogger(__name__)

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12
TRACKER_LENGTH = 10
NONCE_LENGTH = 12
SEAL_VERSION = 1
MIN_SECRET_LENGTH = 32

DEV_SECRET_FILE = Path("console-files") / "ballot-secret"
"""Where the local console keeps the ballot secret it generates when BALLOT_SECRET is unset."""

_ALPHABET_SET = frozenset(ALPHABET)
_SEPARATORS = str.maketrans("", "", " -_.\t")


class SealError(ValueError):
    """A sealed ballot failed authentication: modified, forged or moved."""


def random_string(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalize(raw: str, length: int) -> str | None:
    """Upper-case, drop spaces and dashes; None unless exactly ``length`` valid characters."""
    text = raw.strip().upper().translate(_SEPARATORS)
    if len(text) != length or not set(text) <= _ALPHABET_SET:
        return None
    return text


def group(code: str, size: int) -> str:
    """``ABCDEFGHJKMN`` → ``ABCD-EFGH-JKMN`` (for people; the dashes are optional)."""
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


def format_code(code: str) -> str:
    return group(code, 4)


def format_tracker(tracker: str) -> str:
    return group(tracker, 5)


class Keyring:
    """Keys derived from the server's ballot secret."""

    def __init__(self, secret: str | bytes) -> None:
        master = secret.encode() if isinstance(secret, str) else secret
        if len(master) < MIN_SECRET_LENGTH:
            raise ValueError(f"the ballot secret must have at least {MIN_SECRET_LENGTH} bytes")
        self._keys = {
            label: hmac.digest(master, b"maeul/ballot/v1/" + label.encode(), "sha256")
            for label in ("code", "voter", "track", "seal", "acc", "acctag")
        }
        self._aead: dict[str, AESGCM] = {}

    def _mac(self, label: str, *parts: str | bytes) -> bytes:
        message = b"\x00".join(p.encode() if isinstance(p, str) else p for p in parts)
        return hmac.digest(self._keys[label], message, "sha256")

    def code_hash(self, code: str) -> str:
        return self._mac("code", code).hex()

    def voter_tag(self, assembly_id: str, user_id: int) -> str:
        return self._mac("voter", assembly_id, str(user_id)).hex()

    def tracker_lookup(self, tracker: str) -> str:
        return self._mac("track", tracker).hex()

    def element(
        self, assembly_id: str, ballot_id: int, lookup: str, sealed: bytes, superseded: bool
    ) -> int:
        """The keyed hash of one ballot record, as a number for the accumulator."""
        digest = self._mac(
            "acc", assembly_id, str(ballot_id), lookup, sealed, b"S" if superseded else b"C"
        )
        return int.from_bytes(digest, "big")

    def accumulator_tag(self, assembly_id: str, accumulator: str, total: int) -> str:
        """Binds the accumulator to the number of ballot records written."""
        return self._mac("acctag", assembly_id, accumulator, str(total)).hex()

    def _cipher(self, assembly_id: str) -> AESGCM:
        cipher = self._aead.get(assembly_id)
        if cipher is None:
            cipher = AESGCM(self._mac("seal", assembly_id))
            self._aead[assembly_id] = cipher
        return cipher

    @staticmethod
    def _aad(assembly_id: str, ballot_id: int, lookup: str) -> bytes:
        return f"{assembly_id}\x00{ballot_id}\x00{lookup}".encode()

    def seal(
        self, assembly_id: str, ballot_id: int, lookup: str, tracker: str, choices: str
    ) -> bytes:
        """Encrypt ``tracker`` and ``choices`` (a fixed length per assembly)."""
        plain = bytes([SEAL_VERSION]) + tracker.encode("ascii") + choices.encode("ascii")
        nonce = os.urandom(NONCE_LENGTH)
        aad = self._aad(assembly_id, ballot_id, lookup)
        return nonce + self._cipher(assembly_id).encrypt(nonce, plain, aad)

    def open(self, assembly_id: str, ballot_id: int, lookup: str, sealed: bytes) -> tuple[str, str]:
        """The (tracker, choices) of a sealed ballot; :class:`SealError` if tampered with."""
        aad = self._aad(assembly_id, ballot_id, lookup)
        try:
            plain = self._cipher(assembly_id).decrypt(
                sealed[:NONCE_LENGTH], sealed[NONCE_LENGTH:], aad
            )
        except (InvalidTag, ValueError):
            raise SealError("sealed ballot failed authentication") from None
        if not plain or plain[0] != SEAL_VERSION:
            raise SealError("unknown sealed ballot version")
        text = plain[1:].decode("ascii")
        return text[:TRACKER_LENGTH], text[TRACKER_LENGTH:]


def keyring_for(settings: Settings) -> Keyring | None:
    """The keyring from ``BALLOT_SECRET``; None when voting cannot run here.

    Without the secret, the local console (``maeul console``, or ``maeul run`` without a
    token) generates one, keeps it in :data:`DEV_SECRET_FILE` so that its votes survive a
    restart, and says so in the log. A bot serving Telegram never does: it refuses to run
    votes until ``BALLOT_SECRET`` is set.
    """
    secret: str | None = None
    if settings.ballot_secret is not None:
        secret = settings.ballot_secret.get_secret_value()
    elif settings.bot_token == CONSOLE_TOKEN:
        secret = development_secret(create=True)
    if secret is None:
        return None
    keyring = _keyrings.get(secret)
    if keyring is None:
        keyring = _keyrings[secret] = Keyring(secret)
    return keyring


_keyrings: dict[str, Keyring] = {}


def development_secret(create: bool) -> str | None:
    """The console's generated secret (made on first use when ``create``)."""
    path = DEV_SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="ascii").strip()
    if not create:
        return None
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(MIN_SECRET_LENGTH)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secret + "\n")
    log.warning(
        "BALLOT_SECRET is not set: the console generated a development ballot secret in %s. "
        "Set BALLOT_SECRET for a real vote.",
        path,
    )
    return secret


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
