#!/usr/bin/env python3
"""Checks a postcounter ticket from its documented format alone (README, "Tickets"), with
the `cryptography` package: an event ticket's code `PCE1:...` against the events key (PEM,
from `postcounter admin events-key --out FILE`), or a lottery validation number's Damm check
digit. Independent of the project's code: the tests run it beside `postcounter verify`.

    check_ticket.py event PCE1:... events.pub.pem
    check_ticket.py lottery 1234-5678-9012-345
"""
import base64
import hashlib
import struct
import sys

DAMM = ["0317598642", "7092154863", "4206871359", "1750983426", "6123045978",
        "3674209581", "5869720134", "8945362017", "9438617205", "2581436790"]


def lottery(number):
    digits = number.replace("-", "").replace(" ", "")
    if len(digits) != 15 or not digits.isdigit():
        return False, "not 15 digits"
    interim = 0
    for digit in digits:
        interim = int(DAMM[interim][int(digit)])
    return interim == 0, "check digit " + ("checks" if interim == 0 else "fails")


def event(code, key_file):
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    if not code.startswith("PCE1:"):
        return False, "no PCE1: prefix"
    body = code[5:]
    raw = base64.b32decode(body + "=" * (-len(body) % 8))
    signed, signature = raw[:-64], raw[-64:]
    if signed[0] != 1:
        return False, "format is not 1"
    ticket_id, version, issued_ms = struct.unpack(">QIq", signed[1:21])
    fields, at = [], 21
    for _ in range(3):
        length = signed[at]
        fields.append(signed[at + 1:at + 1 + length].decode("ascii"))
        at += 1 + length
    key_id, rest = signed[at:at + 4], signed[at + 4:]
    if rest:
        return False, "bytes past the fields"
    key = serialization.load_pem_public_key(open(key_file, "rb").read())
    point = key.public_bytes(serialization.Encoding.X962,
                             serialization.PublicFormat.CompressedPoint)
    if hashlib.sha256(point).digest()[:4] != key_id:
        return False, "signed by another key"
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    try:
        key.verify(utils.encode_dss_signature(r, s), signed, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False, "signature does not verify"
    return True, (f"ticket {ticket_id} version {version} event {fields[0]} seat {fields[1]} "
                  f"class {fields[2]} issued {issued_ms}")


if __name__ == "__main__":
    kind = sys.argv[1]
    valid, said = lottery(sys.argv[2]) if kind == "lottery" else event(sys.argv[2], sys.argv[3])
    print(("VALID " if valid else "INVALID ") + said)
    sys.exit(0 if valid else 1)
