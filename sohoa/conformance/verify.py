"""Signature checks for `sohoa verify`: every PDF sohoa signed is valid, covers the whole file (nothing was
appended or changed after the signature), and names its signer and signing time. Trust roots come from
``SOHOA_SIGNING_CA_FILE`` (a PEM bundle); without it a signature can be intact and valid but not trusted."""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sohoa.archive import Archive
from sohoa.conformance.signing import run_sync
from sohoa.store.db import Store
from sohoa.store.models import Signature


@dataclass
class SignatureCheck:
    field_name: str
    ok: bool = False  # intact, cryptographically valid, trusted (when roots are given) and covering the whole file
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str | None = None
    signed_at: datetime | None = None
    problem: str | None = None


@dataclass
class FileCheck:
    path: str
    signatures: list[SignatureCheck] = field(default_factory=list)
    problem: str | None = None  # the file cannot be read as a signed PDF at all

    @property
    def ok(self) -> bool:
        return self.problem is None and bool(self.signatures) and all(s.ok for s in self.signatures)

    def summary(self) -> str:
        if self.problem and not self.signatures:
            return self.problem
        return ((self.problem + "; ") if self.problem else "") + "; ".join(
            f"{s.field_name}: "
            + ("valid" if s.ok else f"INVALID ({s.problem})")
            + f", signer {s.signer}, signed {s.signed_at.isoformat() if s.signed_at else '?'}"
            for s in self.signatures
        )


@dataclass
class SignatureReport:
    files: list[FileCheck] = field(default_factory=list)

    @property
    def bad(self) -> list[FileCheck]:
        return [f for f in self.files if not f.ok]


def load_roots(ca_file: Path | None) -> list[object]:
    if ca_file is None:
        return []
    from pyhanko.keys import load_certs_from_pemder

    return list(load_certs_from_pemder([str(ca_file)]))


@contextmanager
def _quiet(on: bool) -> Iterator[None]:
    logger = logging.getLogger("pyhanko")
    level = logger.level
    if on:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _der_length(raw: bytes) -> int | None:
    """Length of the DER value (header included) at the start of ``raw``."""
    if len(raw) < 2:
        return None
    first = raw[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0 or len(raw) < 2 + n:
        return None
    return 2 + n + int.from_bytes(raw[2 : 2 + n], "big")


def _container_problem(data: bytes, sig: Any) -> str | None:
    """The one part of the file the signature does not cover is its own /Contents hex string: the CMS blob and
    zero padding. A change there that leaves the CMS parseable (a padding byte, the case of a hex digit) would pass
    pyHanko's check, so the padding must be zeros and the hex text in one case."""
    byte_range = list(sig.byte_range)
    start, end = byte_range[0] + byte_range[1], byte_range[2]
    text = data[start:end]
    if not (text.startswith(b"<") and text.endswith(b">")):
        return "the signature container was changed (not a hex string)"
    digits = text[1:-1]
    if digits.lower() != digits and digits.upper() != digits:
        return "the signature container was changed (mixed-case hex)"
    raw = bytes(sig.sig_object["/Contents"])
    length = _der_length(raw)
    if length is None or length > len(raw) or any(raw[length:]):
        return "the signature container was changed (bytes after the signature)"
    return None


def _certificates_problem(sig: Any, trust_roots: list[Any]) -> str | None:
    """The certificates carried in the CMS are outside what the signature signs (only the signer's is bound, by
    hash): each must still verify against its issuer (carried too, or a trust root), so a changed byte in one of
    them is found."""
    from cryptography import x509

    try:
        carried = [x509.load_der_x509_certificate(c.chosen.dump()) for c in sig.signed_data["certificates"]]
        roots = [x509.load_der_x509_certificate(r.dump()) for r in trust_roots]
    except Exception as exc:  # a changed byte can make a certificate unreadable
        return f"a certificate in the signature was changed ({type(exc).__name__})"
    sid = sig.signer_info["sid"]
    if sid.name == "issuer_and_serial_number":
        signer = sig.signer_cert
        if signer is None or (
            sid.chosen["issuer"].dump() != signer.issuer.dump()
            or sid.chosen["serial_number"].native != signer.serial_number
        ):
            return "the signer identifier in the signature was changed"
    for cert in carried:
        try:
            issuers = [c for c in carried + roots if c.subject == cert.issuer]
        except Exception as exc:  # a changed byte can leave a name unparseable
            return f"a certificate in the signature was changed ({type(exc).__name__})"
        for issuer in issuers:
            try:
                cert.verify_directly_issued_by(issuer)
                break
            except Exception:  # wrong signature, or an issuer of the same name that did not issue it
                continue
        else:
            if issuers:
                return "a certificate in the signature was changed"
    return None


def check_pdf(data: bytes, trust_roots: list[object], path: str = "", expected_sha256: str | None = None) -> FileCheck:
    """All signatures of one PDF, checked with pyHanko against ``trust_roots``. pyHanko checks the signed bytes;
    the signature's own container holds parts no signature covers (carried certificates, padding), so with
    ``expected_sha256`` (recorded when sohoa signed) any other changed byte is reported too."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    result = FileCheck(path)
    if expected_sha256 is not None and hashlib.sha256(data).hexdigest() != expected_sha256:
        result.problem = "the file changed since it was signed (SHA-256 differs from the one recorded at signing)"
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:  # a damaged file: pyHanko's reader raises several types
        result.problem = f"cannot be read as a PDF ({type(exc).__name__}: {exc})"
        return result
    if not embedded:
        result.problem = "no signature in the file"
        return result
    for sig in embedded:
        check = SignatureCheck(field_name=sig.field_name or "?")
        try:
            container = _container_problem(data, sig) or _certificates_problem(sig, trust_roots)
        except Exception as exc:  # the container no longer parses the way pyHanko expects
            container = f"the signature container was changed ({type(exc).__name__}: {exc})"
        if container:
            check.problem = container
            result.signatures.append(check)
            continue
        try:
            context = ValidationContext(trust_roots=trust_roots, allow_fetching=False)
            with _quiet(True):  # pyHanko logs tracebacks for what the check reports anyway
                status = run_sync(lambda s=sig, c=context: async_validate_pdf_signature(s, c))  # type: ignore[misc]
        except Exception as exc:  # a damaged signature makes pyHanko raise many types
            check.problem = f"cannot be validated ({type(exc).__name__}: {exc})"
            result.signatures.append(check)
            continue
        check.intact, check.valid, check.trusted = status.intact, status.valid, status.trusted
        check.whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        check.signer = status.signing_cert.subject.human_friendly if status.signing_cert else None
        check.signed_at = status.signer_reported_dt
        problems = []
        if not status.intact:
            problems.append("the signed bytes were changed")
        elif not status.valid:
            problems.append("the signature does not match")
        if not check.whole_file:
            problems.append("the file was changed after signing (signature does not cover the whole file)")
        if trust_roots and not status.trusted:
            problems.append("the signer's certificate does not chain to a configured CA")
        check.problem = "; ".join(problems) or None
        check.ok = not problems
        result.signatures.append(check)
    return result


def verify_signatures(store: Store, archive: Archive, ca_file: Path | None) -> SignatureReport:
    """Check every PDF the store says sohoa signed (missing files are the checksum check's to report)."""
    roots = load_roots(ca_file)
    report = SignatureReport()
    with store.session() as s:
        recorded = {sig.path: sig.sha256 for sig in s.scalars(select(Signature).order_by(Signature.path))}
    for rel, sha in recorded.items():
        path = archive.root / rel
        if not path.exists():
            continue
        report.files.append(check_pdf(path.read_bytes(), roots, rel, expected_sha256=sha))
    return report
