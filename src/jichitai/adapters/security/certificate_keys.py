"""Signing keys for certificates, one per municipality, kept in files outside the database.

A key directory holds a certificate authority (``ca/``) and, per municipality, a private key and
the certificate the authority issued for it (``municipalities/<code>/``). Every file is written
owner-only (0600) and every folder made here 0700, whatever the umask
(``adapters/private_files.py``): a private key never leaves the directory, and the issuer data
beside it names the mayor. For development and tests the authority
is generated here ("jichitai 開発用認証局": trusted by nobody else); in production the
directory is provisioned with keys from the municipality's own authority (LGPKI or another),
in the same layout, and nothing is generated.

Keys are ECDSA P-256 (fast to sign, short signatures for the certificate's QR code).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from jichitai.adapters.private_files import private_dir, write_private

CA_NAME = "jichitai 開発用認証局"
CA_YEARS = 20
MUNICIPALITY_YEARS = 5


@dataclass(frozen=True, slots=True)
class KeyPair:
    key_path: Path
    certificate_path: Path

    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.certificate_path.read_bytes())

    def private_key(self) -> ec.EllipticCurvePrivateKey:
        key = serialization.load_pem_private_key(self.key_path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise TypeError(f"{self.key_path}: not an EC private key")
        return key


class KeyStore:
    """The key directory: the authority and each municipality's signing key."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    @property
    def authority(self) -> KeyPair:
        return KeyPair(self.directory / "ca" / "key.pem", self.directory / "ca" / "cert.pem")

    def municipality(self, code: str) -> KeyPair:
        base = self.directory / "municipalities" / code
        return KeyPair(base / "key.pem", base / "cert.pem")

    def ensure_authority(self, now: datetime) -> KeyPair:
        """The authority, generated (self-signed) if the directory has none."""
        pair = self.authority
        if pair.certificate_path.exists():
            return pair
        key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CA_NAME)])
        certificate = (
            _builder(name, name, key.public_key(), now, CA_YEARS)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .sign(key, hashes.SHA256())
        )
        _write(pair, key, certificate)
        return pair

    def ensure_municipality(self, code: str, name: str, now: datetime) -> KeyPair:
        """The municipality's signing key and certificate, issued by the authority when absent.

        The certificate names the municipality (O), its code (serialNumber) and the mayor's
        office (CN: ``<name>長``), as a reader of the signature expects to see them.
        """
        pair = self.municipality(code)
        if pair.certificate_path.exists():
            return pair
        authority = self.ensure_authority(now)
        issuer = authority.certificate()
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, name),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, code),
                x509.NameAttribute(NameOID.COMMON_NAME, f"{name}長"),
            ]
        )
        certificate = (
            _builder(subject, issuer.subject, key.public_key(), now, MUNICIPALITY_YEARS)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .sign(authority.private_key(), hashes.SHA256())
        )
        _write(pair, key, certificate)
        return pair


def _builder(
    subject: x509.Name,
    issuer: x509.Name,
    public_key: ec.EllipticCurvePublicKey,
    now: datetime,
    years: int,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=365 * years))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )


def _usage(*, cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=not cert_sign,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _write(pair: KeyPair, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate) -> None:
    private_dir(pair.key_path.parent)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    write_private(pair.key_path, pem, exclusive=True)  # never over another key
    write_private(pair.certificate_path, certificate.public_bytes(serialization.Encoding.PEM))
