"""What Route 53 returns for a key-signing key, computed the way DNSSEC defines it, offline.

The offline planner has no KMS key to read a public key from, so it derives 64 bytes from the
stack and the resource name (deterministic plans) and builds from them every output the provider
reports for `aws:route53/keySigningKey:KeySigningKey` (Route 53 API `KeySigningKey`): the DNSKEY
record, its key tag (RFC 4034 appendix B) and the DS record with its SHA-256 digest over the
owner name and the DNSKEY RDATA (RFC 4034 section 5.1.4, RFC 4509). So the DS record in a plan
has the shape and the internal consistency of a real one, and tests can check both.
"""

from __future__ import annotations

import base64
import hashlib
import struct

KSK_FLAGS = 257  # zone key + secure entry point (RFC 4034 2.1.1); Route 53: "always 257"
PROTOCOL = 3  # RFC 4034 2.1.2
ALGORITHM = 13  # ECDSAP256SHA256 (RFC 6605), the only one an ECC_NIST_P256 key signs with
ALGORITHM_MNEMONIC = "ECDSAP256SHA256"
DIGEST_TYPE = 2  # SHA-256 (RFC 4509)
DIGEST_MNEMONIC = "SHA-256"


def owner_wire(name: str) -> bytes:
    """A domain name in canonical wire format: lowercase labels, each length-prefixed, then 0."""
    labels = [label for label in name.rstrip(".").lower().split(".") if label]
    return b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels) + b"\0"


def dnskey_rdata(public_key: bytes, flags: int = KSK_FLAGS) -> bytes:
    return struct.pack("!HBB", flags, PROTOCOL, ALGORITHM) + public_key


def key_tag(rdata: bytes) -> int:
    """RFC 4034 appendix B: the 16-bit checksum resolvers use to find the key a DS names."""
    total = sum(byte if i & 1 else byte << 8 for i, byte in enumerate(rdata))
    total += (total >> 16) & 0xFFFF
    return total & 0xFFFF


def ds_digest(zone: str, rdata: bytes) -> str:
    return hashlib.sha256(owner_wire(zone) + rdata).hexdigest().upper()


def ksk_outputs(zone: str, seed: str) -> dict[str, object]:
    """The computed outputs of a KSK of `zone`, its public key derived from `seed`."""
    public_key = hashlib.sha512(seed.encode()).digest()[:64]  # P-256: x || y, 32 bytes each
    rdata = dnskey_rdata(public_key)
    b64 = base64.b64encode(public_key).decode()
    tag, digest = key_tag(rdata), ds_digest(zone, rdata)
    return {
        "flag": KSK_FLAGS,
        "publicKey": b64,
        "keyTag": tag,
        "signingAlgorithmMnemonic": ALGORITHM_MNEMONIC,
        "signingAlgorithmType": ALGORITHM,
        "digestAlgorithmMnemonic": DIGEST_MNEMONIC,
        "digestAlgorithmType": DIGEST_TYPE,
        "digestValue": digest,
        "dnskeyRecord": f"{KSK_FLAGS} {PROTOCOL} {ALGORITHM} {b64}",
        "dsRecord": f"{tag} {ALGORITHM} {DIGEST_TYPE} {digest}",
    }
