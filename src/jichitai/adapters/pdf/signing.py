"""PAdES signatures on certificate PDFs (pyHanko): signing with a municipality's key, and the
check anyone can run on a file.

The check answers in plain terms: is the signature intact (the signed bytes unchanged), is it
valid and trusted (a certificate chain to a trusted authority), does it cover the whole file (an
appended change after signing shows here), and who signed. A file that cannot even be read as a
signed PDF is "not valid" with the reason, never an exception.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from jichitai.adapters.security.certificate_keys import KeyPair

T = TypeVar("T")

SIGNATURE_FIELD = "jichitai-certificate"
SIGNATURE_BYTES = 8192
"""Room for the CMS signature (an ECDSA signature with two certificates: about 1.5 KB)."""


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    valid: bool
    """Intact, valid, trusted and covering the whole file: the certificate is as issued."""
    intact: bool
    trusted: bool
    whole_file: bool
    signer: str
    """The signing certificate's subject (the municipality), or "" when unreadable."""
    problem: str = ""
    """Why it is not valid, in Japanese for the person checking ("" when valid)."""


def off_the_event_loop(call: Callable[[], T]) -> T:
    """Run pyHanko's synchronous API, which calls ``asyncio.run``: refused on a thread whose
    event loop is running (a caller on an async framework's own thread), so such a caller's
    call runs on a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _asn1(pair: KeyPair) -> tuple[asn1_x509.Certificate, asn1_keys.PrivateKeyInfo]:
    certificate = asn1_x509.Certificate.load(
        pair.certificate().public_bytes(serialization.Encoding.DER)
    )
    key = asn1_keys.PrivateKeyInfo.load(
        pair.private_key().private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return certificate, key


class PdfSigner:
    """Signs PDFs with one municipality's key (the chain up to its authority embedded)."""

    def __init__(self, municipality: KeyPair, authority: KeyPair) -> None:
        certificate, key = _asn1(municipality)
        root = asn1_x509.Certificate.load(
            authority.certificate().public_bytes(serialization.Encoding.DER)
        )
        self._signer = signers.SimpleSigner(
            signing_cert=certificate,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([root]),  # type: ignore[no-untyped-call]
        )

    def sign(self, pdf: bytes, *, reason: str, location: str) -> bytes:
        """``pdf`` with a PAdES baseline signature added as an incremental update."""
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            location=location,
        )
        # A fixed reservation for the signature: without one pyHanko builds a whole dummy
        # signature first to measure it (measured: a third of the signing time).
        out = off_the_event_loop(
            lambda: signers.sign_pdf(
                writer, meta, signer=self._signer, bytes_reserved=SIGNATURE_BYTES
            )
        )
        return bytes(out.getvalue())


def check_signature(pdf: bytes, trusted_roots: Sequence[KeyPair]) -> SignatureCheck:
    """Whether ``pdf`` carries an intact, trusted signature covering the whole file."""
    roots = [
        asn1_x509.Certificate.load(r.certificate().public_bytes(serialization.Encoding.DER))
        for r in trusted_roots
    ]
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        embedded = reader.embedded_signatures
    except Exception as exc:  # a file that is not a readable PDF at all
        return SignatureCheck(
            False, False, False, False, "", f"PDFとして読めません（{type(exc).__name__}）"
        )
    if not embedded:
        return SignatureCheck(False, False, False, False, "", "電子署名がありません")
    signature = embedded[-1]
    try:
        status = off_the_event_loop(
            lambda: validate_pdf_signature(signature, ValidationContext(trust_roots=roots))
        )
    except Exception as exc:
        return SignatureCheck(
            False, False, False, False, "", f"電子署名を検証できません（{type(exc).__name__}）"
        )
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    whole = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    problem = ""
    if not status.intact:
        problem = "署名の後で内容が変更されています"
    elif not status.trusted:
        problem = "署名者の証明書が信頼できる認証局から発行されていません"
    elif not status.valid:
        problem = "電子署名が有効ではありません"
    elif not whole or len(embedded) > 1:
        problem = "署名の後にファイルへ追記されています"
    return SignatureCheck(
        valid=not problem,
        intact=bool(status.intact),
        trusted=bool(status.trusted),
        whole_file=whole and len(embedded) == 1,
        signer=signer,
        problem=problem,
    )
