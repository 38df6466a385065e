#!/usr/bin/env python3
"""Print a JWT (HS256) that the lab's Dovecot accepts as an OAuth bearer token.

    mkjwt.py LABDIR USER [--expired] [--wrong-key] [--ttl SECONDS]

The key is the one `lab start` made: LABDIR/oauth/keys/default/HS256/default
(base64), where Dovecot's oauth2 passdb looks it up for a token without an
"azp" claim (issuer "default"), alg HS256 and key id "default".  The user
name is the "sub" claim (username_attribute = sub); "iss" must be the lab's
issuer.  --expired gives a token whose "exp" has passed, --wrong-key one
signed with a fresh random key: both must be refused.
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time

ISSUER = "yubin-lab"


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode("ascii")


def main():
    ap = argparse.ArgumentParser(description="print a JWT for the lab")
    ap.add_argument("labdir")
    ap.add_argument("user")
    ap.add_argument("--expired", action="store_true")
    ap.add_argument("--wrong-key", action="store_true")
    ap.add_argument("--ttl", type=int, default=3600)
    a = ap.parse_args()
    path = os.path.join(a.labdir, "oauth", "keys", "default", "HS256", "default")
    try:
        with open(path, "rb") as f:
            key = base64.b64decode(f.read().strip(), validate=True)
    except (OSError, ValueError) as e:
        sys.exit("mkjwt: %s: %s" % (path, e))
    if a.wrong_key:
        key = os.urandom(len(key))
    now = int(time.time())
    header = {"alg": "HS256", "typ": "JWT", "kid": "default"}
    claims = {"sub": a.user, "iss": ISSUER, "iat": now - 60, "nbf": now - 60,
              "exp": now - 30 if a.expired else now + a.ttl}
    signing = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
               b64url(json.dumps(claims, separators=(",", ":")).encode()))
    sig = hmac.new(key, signing.encode("ascii"), hashlib.sha256).digest()
    print(signing + "." + b64url(sig))


if __name__ == "__main__":
    main()
