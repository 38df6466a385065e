#!/usr/bin/env python3
"""What Python's email package makes of the messages gen.py wrote.

usage: oracle.py DIR

For every DIR/*.eml, in name order, prints three sections in the formats
of hdrparse -H (FILE, a TAB, then the value):
  # subject   the decoded Subject          (hdrparse -H -h subject)
  # addr      ADDR<TAB>NAME per mailbox    (hdrparse -H -A -h to:cc)
            of To and Cc in header order
  # date      the Date in UTC, ISO 8601    (hdrparse -H -D -h date)
Every field is written under DESIGN.md's safe-text rule, as hdrparse
writes it (safe() below).
A Date with zone -0000 has no offset in Python (a naive datetime); RFC
5322 §3.3 says the time is UTC then, so it is printed as UTC.
"""

import datetime
import email
import email.policy
import os
import sys


def messages(d):
    for name in sorted(os.listdir(d)):
        if name.endswith(".eml"):
            path = os.path.join(d, name)
            with open(path, "rb") as f:
                yield path, email.message_from_binary_file(
                    f, policy=email.policy.default)


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from safetext import safe  # noqa: E402


def iso(dt):
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: oracle.py DIR")
    msgs = list(messages(sys.argv[1]))
    print("# subject")
    for path, m in msgs:
        if m["subject"] is not None:
            print("%s\t%s" % (safe(path), safe(str(m["subject"]))))
    print("# addr")
    for path, m in msgs:
        for name, value in m.items():
            if name.lower() in ("to", "cc"):
                for a in value.addresses:
                    print("%s\t%s\t%s" % (safe(path), safe(a.addr_spec),
                                           safe(a.display_name)))
    print("# date")
    for path, m in msgs:
        if m["date"] is not None:
            print("%s\t%s" % (safe(path), iso(m["date"].datetime)))


if __name__ == "__main__":
    main()
