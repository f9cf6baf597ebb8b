"""The signature in a certificate's QR code: ECDSA P-256 / SHA-256 with the municipality's key
(the same key that signs the PDF), DER-encoded, over ``QrPayload.message``."""

from __future__ import annotations

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from jichitai.adapters.security.certificate_keys import KeyPair
from jichitai.domain.certificates.verification import QrPayload, signed_message


def sign_payload(pair: KeyPair, municipality_code: str, code: str, digest: bytes) -> QrPayload:
    message = signed_message(municipality_code, code, digest)
    signature = pair.private_key().sign(message, ec.ECDSA(hashes.SHA256()))
    return QrPayload(municipality_code, code, digest, signature)


def payload_is_signed_by(payload: QrPayload, certificate: x509.Certificate) -> bool:
    """Whether the payload's signature is the certificate's key's over its message."""
    key = certificate.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(
            payload.signature,
            payload.message,
            ec.ECDSA(hashes.SHA256()),
        )
    except InvalidSignature:
        return False
    return True
