"""PAdES signatures on output PDFs (Decree 45/2020 Art 25: the converter's digital signature) with pyHanko.

``sign_pdf`` appends the signature as an incremental update: the bytes of the PDF/A-2b file stay as they are and
the signature widget is invisible with the print flag set (pyHanko's PDF/A-compatible default), so the file stays
PDF/A-2b. The level is PAdES B-B (ETSI.CAdES.detached with the signing-certificate attribute), B-T when a
time-stamping authority is configured.

The key holder is a small protocol, ``SigningKey``: a PKCS#12 file is implemented here (``Pkcs12Key``); a PKCS#11
token (a USB token or an HSM, as Vietnamese CA providers issue) takes its place by returning a
``pyhanko.sign.pkcs11.PKCS11Signer`` from ``pyhanko_signer()``. ``init_demo`` makes a throwaway CA and operator
certificate for trials and tests, labelled "KHÔNG DÙNG CHO SẢN XUẤT / NOT FOR PRODUCTION" in both subject names.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import secrets
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from sohoa.errors import SohoaError

T = TypeVar("T")
NOT_FOR_PRODUCTION = "KHÔNG DÙNG CHO SẢN XUẤT / NOT FOR PRODUCTION"
FIELD_NAME = "SohoaConverterSignature"


class SigningError(SohoaError):
    """Signing could not be done: a bad or missing key file, a wrong password, a PDF pyHanko cannot update."""

    user_message = "Không ký số được"


class SigningKey(Protocol):
    """Whatever holds the private key: a PKCS#12 file here, a PKCS#11 token in a deployment that has one."""

    def pyhanko_signer(self) -> signers.Signer: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Pkcs12Key:
    path: Path
    password: str | None = None

    def pyhanko_signer(self) -> signers.Signer:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise SigningError(f"cannot read the PKCS#12 file {self.path}: {exc.strerror or exc}") from exc
        try:
            return signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=[], passphrase=self.password.encode() if self.password else None
            )
        except ValueError as exc:
            raise SigningError(f"cannot open the PKCS#12 file {self.path} (wrong password or not PKCS#12)") from exc

    def describe(self) -> str:
        return f"PKCS#12 {self.path}"


@dataclass(frozen=True)
class SignOptions:
    field_name: str = FIELD_NAME
    reason: str = "Số hóa từ bản giấy (Nghị định 45/2020/NĐ-CP, Điều 25)"
    location: str | None = None
    tsa_url: str | None = None


@dataclass(frozen=True)
class SignResult:
    data: bytes
    signer: str  # the certificate's subject, human-readable
    certificate_sha256: str
    signed_at: datetime
    level: str  # PAdES-B-B / PAdES-B-T
    field_name: str


def run_sync(make: Callable[[], Awaitable[T]]) -> T:
    """Run pyHanko's coroutine API from sync code, also when this thread already has an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())  # type: ignore[arg-type]
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())  # type: ignore[arg-type]
        except BaseException as exc:  # handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def sign_pdf(data: bytes, key: SigningKey, options: SignOptions | None = None) -> SignResult:
    """``data`` with a PAdES signature appended as an incremental update."""
    options = options or SignOptions()
    signer = key.pyhanko_signer()
    cert = signer.signing_cert
    if cert is None:
        raise SigningError(f"{key.describe()} holds no signing certificate")
    timestamper = None
    if options.tsa_url:
        from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper

        timestamper = HTTPTimeStamper(options.tsa_url)
    meta = signers.PdfSignatureMetadata(
        field_name=options.field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=options.reason,
        location=options.location,
    )
    pdf_signer = signers.PdfSigner(meta, signer=signer, timestamper=timestamper)
    signed_at = datetime.now(UTC)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = io.BytesIO()
        run_sync(lambda: pdf_signer.async_sign_pdf(writer, output=out))
    except SigningError:
        raise
    except Exception as exc:  # pyHanko raises many types (PdfReadError, SigningError, aiohttp errors…)
        raise SigningError(f"pyHanko could not sign: {type(exc).__name__}: {exc}") from exc
    return SignResult(
        data=out.getvalue(),
        signer=cert.subject.human_friendly,
        certificate_sha256=hashlib.sha256(cert.dump()).hexdigest(),
        signed_at=signed_at,
        level="PAdES-B-T" if timestamper else "PAdES-B-B",
        field_name=options.field_name,
    )


# ------------------------------------------------------------------------------------------------ demo keys
@dataclass(frozen=True)
class DemoFiles:
    directory: Path
    ca_file: Path
    pkcs12_file: Path
    password: str
    operator: str

    def exports(self) -> dict[str, str]:
        return {
            "SOHOA_SIGNING_ENABLED": "true",
            "SOHOA_SIGNING_PKCS12_FILE": str(self.pkcs12_file),
            "SOHOA_SIGNING_PKCS12_PASSWORD": self.password,
            "SOHOA_SIGNING_CA_FILE": str(self.ca_file),
            "SOHOA_SIGNING_NAME": self.operator,
        }


DEMO_OPERATOR = "Nguyễn Văn Demo"


def init_demo(directory: Path) -> DemoFiles:
    """A throwaway CA and operator certificate with its PKCS#12 in ``directory``; reused when already there, so
    running it twice changes nothing."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    ca_file, p12_file, pw_file = directory / "demo-ca.pem", directory / "operator.p12", directory / "operator.password"
    if ca_file.exists() and p12_file.exists() and pw_file.exists():
        return DemoFiles(directory, ca_file.resolve(), p12_file.resolve(), pw_file.read_text().strip(), DEMO_OPERATOR)

    def name(common: str) -> x509.Name:
        return x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "sohoa demo"),
                x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, NOT_FOR_PRODUCTION),
                x509.NameAttribute(NameOID.COMMON_NAME, common),
            ]
        )

    now = datetime.now(UTC) - timedelta(minutes=5)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = name("sohoa DEMO CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )  # keyCertSign, cRLSign
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(f"{DEMO_OPERATOR} (DEMO)"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )  # digitalSignature, nonRepudiation (contentCommitment)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    password = secrets.token_urlsafe(16)
    p12 = pkcs12.serialize_key_and_certificates(
        b"operator", key, cert, [ca_cert], serialization.BestAvailableEncryption(password.encode())
    )
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    p12_file.write_bytes(p12)
    p12_file.chmod(0o600)
    pw_file.write_text(password + "\n")
    pw_file.chmod(0o600)
    return DemoFiles(directory, ca_file.resolve(), p12_file.resolve(), password, DEMO_OPERATOR)
