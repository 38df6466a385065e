#!/usr/bin/env python3
"""Differential test of maildeliver's Sieve against Pigeonhole's sieve-test.

    sievediff.py [-v] [-k] [--only NAME] MAILDELIVER
                          run every script x message pair through
                          `sieve-test` and `MAILDELIVER -n -r`, compare
                          the RESULT lines, print each difference with
                          its script and message, end with a summary;
                          exit 1 on any difference not in KNOWN
    sievediff.py --oracle-only [--only NAME] [N]
                          print the normalised sieve-test results of the
                          first N pairs (all with N omitted)
    sievediff.py --list   print the pair names and their count

SIEVEDIFF_CACHE=DIR keeps sieve-test's answer to each pair in DIR (the
key: sieve-test's file, size and mtime, the script, the message and the
envelope) and takes it from there the next time: the oracle is the same
program on the same input, and most of the time went to it, again for
each run of maildeliver's suites (tests/mutate, make check SANITIZE=1).
--oracle-only never uses it.  MAILDELIVER always runs.

The pairs are hand-written scripts (HAND: every one against every
message of MSGS) and generated ones (gen_cases: a seeded walk over
tests, match types, comparators, address parts and actions, each
against three messages).  They cover RFC 5228 and every extension of
issue 13: fileinto, envelope, mailbox, copy, variables, regex,
subaddress, relational with i;ascii-numeric, imap4flags, body,
editheader, duplicate, vacation, reject and vnd.dovecot.pipe.

sieve-test runs as /work/shared/notes/sieve.md says: its own config
(-c), its own HOME, as nobody through setpriv when we are root,
editheader and the pipe plugin on, the pipe programs in a private
directory.  Its "Performed actions" and "Implicit keep" sections are
turned into maildeliver -n's RESULT lines (oracle_results); both sides
then go through one normalisation (canon) that drops what is
presentation only:
  - fileinto "INBOX" is keep (Pigeonhole merges the two);
  - identical RESULT lines count once (Pigeonhole stores once);
  - flags are a set: system flags in canonical case, keywords as given;
  - the order of RESULT lines does not matter;
  - "discard" is dropped when a keep or fileinto remains (keep; discard
    still stores: discard only cancels the implicit keep).
Quirks of sieve-test's dry run that are undone here, each because the
dry run prints what a real delivery would not do:
  - a pipe without :copy still lists the implicit keep (its -e run
    cancels it, as the vnd.dovecot.pipe spec says);
  - a runtime error prints no sections: the result is the implicit keep
    of RFC 5228 section 2.10.6, as for a script that does not compile;
  - the vacation reply's recipient is not printed: it is the envelope
    sender (RFC 5230 section 4.5).
"""
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

# ---- messages ---------------------------------------------------------
# name -> (envelope sender, envelope recipient, bytes).  LF line ends.

def _msg(*lines, body="Hello.\n"):
    return ("\n".join(lines) + "\n\n" + body).encode()


MULTI_BODY = """This is a multi-part message.
--=_b1
Content-Type: multipart/alternative; boundary="=_b2"

--=_b2
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

The caf=C3=A9 numbers are secret until Monday.
--=_b2
Content-Type: text/html; charset=utf-8

<html><body><p>The <b>secret</b> numbers.</p></body></html>
--=_b2--
--=_b1
Content-Type: application/octet-stream; name="data.bin"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="data.bin"

aGlkZGVuIHBheWxvYWQgd29yZAo=
--=_b1--
The epilogue.
"""

MSGS = {
    "list": ("owner-yubin@lists.example.org", "bob@example.com", _msg(
        "Return-Path: <owner-yubin@lists.example.org>",
        "Received: from mx.example.org by mail.example.com; Sun, 22 Nov 2026 04:30:09 +0000",
        "From: Ann Example <ann@example.org>",
        "To: yubin@lists.example.org",
        'Cc: bob@example.com, "Carol" <carol@Example.COM>',
        "Subject: [yubin] release 1.0 is out",
        "List-Id: Yubin list <yubin.lists.example.org>",
        "Precedence: list",
        "X-Spam-Score: 3",
        "Message-ID: <list-1@example.org>",
        "Date: Sun, 22 Nov 2026 04:30:09 +0000",
        body="Release notes follow.\nThe tarball is signed.\n")),
    "spam": ("spammer@bad.example", "bob@example.com", _msg(
        'From: "=?UTF-8?B?SsO8cmdlbg==?=" <winner@bad.example>',
        "To: bob@example.com",
        "Subject: =?UTF-8?Q?Gewinn_f=C3=BCr_Sie?=",
        "X-Spam-Flag: YES",
        "X-Spam-Score: 12",
        "X-Spam-Level: ************",
        "Message-ID: <spam-1@bad.example>",
        body="You have won. Click here.\n")),
    "plus": ("alice@example.net", "bob+shopping@example.com", _msg(
        "From: alice@example.net",
        "To: Bob <bob+shopping@example.com>",
        "Subject: Your order 4711",
        "Delivered-To: bob+shopping@example.com",
        "X-Spam-Score: 0",
        "Message-ID: <order-4711@shop.example.net>",
        body="Your order has shipped.\n")),
    "multi": ("boss@example.com", "bob@example.com", _msg(
        "From: The Boss <boss@example.com>",
        "To: bob@example.com, team@example.com",
        "Subject: Quarterly report",
        "X-Priority: 1",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="=_b1"',
        "Message-ID: <q3@example.com>",
        body=MULTI_BODY)),
    "auto": ("MAILER-DAEMON@example.org", "bob@example.com", _msg(
        "From: Mail Delivery System <MAILER-DAEMON@example.org>",
        "To: bob@example.com",
        "Subject: Undelivered Mail Returned to Sender",
        "Auto-Submitted: auto-replied",
        "Message-ID: <bounce-7@example.org>",
        body="The message could not be delivered.\n")),
    "plain": ("dave@example.net", "bob@example.com", _msg(
        "From: Dave <dave@example.net>",
        "To: bob@example.com",
        "Subject: lunch?",
        "X-Count: 010",
        "X-Num: 42",
        "X-Word: abc",
        "Message-ID: <lunch-1@example.net>",
        body="Lunch at noon?\n")),
    "big": ("carol@example.com", "bob@example.com", _msg(
        "From: carol@example.com",
        "To: bob@example.com",
        "Cc: a@example.com, b@example.com, c@example.org",
        "Subject: big file",
        "X-Spam-Score: 5",
        "Message-ID: <big-1@example.com>",
        body="".join("line %04d of a long body, padding padding padding\n"
                     % i for i in range(120)))),
    "folded": ("eve@example.org", "bob@example.com", _msg(
        "Received: from a.example.org by b.example.org; Sun, 22 Nov 2026 04:00:00 +0000",
        "Received: from c.example.org by a.example.org; Sun, 22 Nov 2026 03:59:00 +0000",
        "From: eve@example.org (Eve)",
        "To: bob@example.com,",
        " Frank <frank@example.net>",
        "Reply-To: replies@example.org",
        "Subject: a subject that is",
        "\tfolded over two lines",
        "X-Spam-Score: -2",
        "Message-ID: <fold-1@example.org>",
        body="Folded.\n")),
    "nosubj": ("nobody@example.org", "bob@example.com", _msg(
        "From: nobody@example.org",
        body="No subject, no To.\n")),
    "dot": ("frank.smith@sub.example.co.uk", "bob+a+b@example.com", _msg(
        "From: Frank Smith <frank.smith@sub.example.co.uk>",
        "To: bob+a+b@example.com",
        "Subject: a.b.c",
        "X-Tag: foo+bar",
        "X-Spam-Score: 7",
        "Message-ID: <dot-1@sub.example.co.uk>",
        body="Dots.\n")),
}

# The list message again with CRLF line ends, as some MTAs and
# fetchers hand a message over.
MSGS["crlf"] = (MSGS["list"][0], MSGS["list"][1],
                MSGS["list"][2].replace(b"\n", b"\r\n"))

# Where RFC 3834 / RFC 5230 forbid a vacation reply (a list, an
# automatic message, a daemon sender, or a message not addressed to
# the recipient): sieve-test's dry run lists the reply anyway.
NO_VACATION = {"list", "crlf", "auto", "nosubj"}

# ---- hand-written scripts ----------------------------------------------
# name -> script.  Every one runs against every message.

HAND = {
    # RFC 5228 base
    "empty": "",
    "keep": "keep;\n",
    "discard": "discard;\n",
    "stop-first": "stop;\ndiscard;\n",
    "keep-discard": "keep;\ndiscard;\n",
    "comment-forms": "# hash comment\n/* block\n comment */ if true { discard; } # tail\n",
    "list-folders": r'''require "fileinto";
if header :contains "list-id" "yubin.lists.example.org" { fileinto "Lists.yubin"; stop; }
if address :is :domain "from" "bad.example" { fileinto "Junk"; }
''',
    "if-elsif-else": r'''require "fileinto";
if header :is "subject" "lunch?" { fileinto "Food"; }
elsif header :contains "subject" "report" { fileinto "Work"; }
elsif exists "list-id" { fileinto "Lists"; }
else { fileinto "Other"; }
''',
    "size-over": 'require "fileinto";\nif size :over 2K { fileinto "Big"; }\n',
    "size-under": 'require "fileinto";\nif size :under 300 { fileinto "Small"; }\n',
    # RFC 5228 section 5.9: the size of the message in octets.  sieve-test
    # counts the octets as they are (these messages have LF ends), so the
    # LF size of "plain" is the boundary where counting CRLF shows.
    "size-crlf": None,
    # RFC 5228 section 2.4.2: the lines of a text: string end in CRLF
    # whatever the script file's line ends (Pigeonhole: length 4).
    "text-crlf": r'''require ["fileinto", "variables"];
set "a" text:
ab
.
;
set :length "n" "${a}";
fileinto "Len${n}";
''',
    "exists-multi": 'require "fileinto";\nif exists ["from", "to", "subject"] { fileinto "Complete"; }\n',
    "not-exists": 'if not exists "subject" { discard; }\n',
    "anyof-allof": r'''require "fileinto";
if anyof (header :contains "subject" "order", allof (exists "x-priority", address :localpart "from" "boss")) {
  fileinto "Important";
}
''',
    "address-all": 'require "fileinto";\nif address :all :is "to" "bob@example.com" { fileinto "Direct"; }\n',
    "address-localpart-cc": 'require "fileinto";\nif address :localpart :is "cc" "carol" { fileinto "CarolCc"; }\n',
    "address-domain-case": 'require "fileinto";\nif address :domain :is "cc" "example.com" { fileinto "Dom"; }\n',
    "header-matches": 'require "fileinto";\nif header :matches "subject" "*release ?.?*" { fileinto "Release"; }\n',
    "header-octet": r'''require "fileinto";
if header :comparator "i;octet" :contains "subject" "Lunch" { fileinto "Octet"; }
elsif header :comparator "i;ascii-casemap" :contains "subject" "LUNCH" { fileinto "Casemap"; }
''',
    "header-decoded": r'''require "fileinto";
if header :contains "subject" "für" { fileinto "Decoded"; }
if address :all :is "from" "winner@bad.example" { fileinto "Winner"; }
''',
    "header-folded": r'''require "fileinto";
if header :is "subject" "a subject that is folded over two lines" { fileinto "Unfolded"; }
''',
    "multiline-string": '''require "fileinto";
if header :contains "subject" text:
lunch?
.
{ fileinto "ML"; }
''',
    "encoded-character": r'''require ["encoded-character", "fileinto"];
if header :contains "subject" "${hex:6c 75 6e 63 68}" { fileinto "${unicode:4c}unch"; }
''',
    "redirect": 'redirect "archive@example.net";\n',
    "redirect-two": 'redirect "a@example.net";\nredirect "b@example.net";\nkeep;\n',
    # fileinto, mailbox, copy
    "fileinto-copy": 'require ["fileinto", "copy"];\nfileinto :copy "Archive";\n',
    "redirect-copy": 'require "copy";\nredirect :copy "backup@example.net";\n',
    "fileinto-create": 'require ["fileinto", "mailbox"];\nfileinto :create "New.Box";\n',
    "mailboxexists": r'''require ["fileinto", "mailbox"];
if mailboxexists "Existing" { fileinto "Existing"; }
if mailboxexists ["Existing", "Missing"] { fileinto "Both"; }
''',
    "fileinto-inbox": 'require "fileinto";\nfileinto "INBOX";\nkeep;\n',
    # envelope, subaddress
    "envelope-from": r'''require ["envelope", "fileinto"];
if envelope :is "from" "alice@example.net" { fileinto "Alice"; }
elsif envelope :domain :is "from" "lists.example.org" { fileinto "ListEnv"; }
''',
    "envelope-to": 'require ["envelope", "fileinto"];\nif envelope :localpart :is "to" "bob" { fileinto "Bob"; }\n',
    "subaddress-detail": r'''require ["envelope", "subaddress", "fileinto", "variables"];
if envelope :detail :matches "to" "*" { fileinto "Plus.${1}"; }
''',
    "subaddress-user": r'''require ["envelope", "subaddress", "fileinto"];
if envelope :user :is "to" "bob" { fileinto "User"; }
if address :detail :is "to" "shopping" { fileinto "Shop"; }
''',
    "subaddress-empty": r'''require ["envelope", "subaddress", "fileinto"];
if envelope :detail :is "to" "" { fileinto "EmptyDetail"; }
if envelope :detail :is "to" "a+b" { fileinto "AB"; }
''',
    # variables
    "var-match": r'''require ["fileinto", "variables"];
if header :matches "list-id" "*<*.lists.example.org>" { fileinto "Lists.${2}"; }
''',
    "var-shortest": r'''require ["fileinto", "variables"];
if header :matches "subject" "*.*" { fileinto "V.${1}-${2}"; }
''',
    "var-set-modifiers": r'''require ["fileinto", "variables"];
set "a" "Hello";
set :lower "b" "${a}";
set :upperfirst "c" "${b}";
set :length "n" "${a}";
if string :is "${c}${n}" "Hello5" { fileinto "Mods"; }
''',
    "var-quotewildcard": r'''require ["fileinto", "variables"];
set :quotewildcard "q" "a*b?";
if string :is "${q}" "a\\*b\\?" { fileinto "Quoted"; }
''',
    "var-string-test": r'''require ["fileinto", "variables"];
set "s" "";
if header :matches "x-tag" "*" { set "s" "${0}"; }
if string :is "${s}" "" { fileinto "NoTag"; } else { fileinto "Tag.${s}"; }
''',
    "var-unknown-empty": r'''require ["fileinto", "variables"];
if string :is "${nothere}" "" { fileinto "Unset"; }
''',
    # regex
    "regex-list": r'''require ["fileinto", "regex", "variables"];
if header :regex "list-id" "<([a-z]+)\\.lists\\.example\\.org>" { fileinto "Lists.${1}"; }
''',
    "regex-subject": r'''require ["fileinto", "regex"];
if header :regex "subject" "^[a-z]+\\?$" { fileinto "Question"; }
if header :regex :comparator "i;octet" "subject" "^Your" { fileinto "Yours"; }
''',
    "regex-address": r'''require ["fileinto", "regex", "variables"];
if address :regex :domain "from" "^(.*)\\.example\\.(org|net)$" { fileinto "Sub.${1}"; }
elsif address :regex :localpart "from" "^[a-z]+$" { fileinto "Simple"; }
''',
    # relational
    "relational-score": r'''require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "ge" :comparator "i;ascii-numeric" "x-spam-score" "5" { fileinto "Junk"; }
''',
    "relational-count": r'''require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if address :count "ge" :comparator "i;ascii-numeric" ["to", "cc"] "3" { fileinto "Crowd"; }
if header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "TwoHops"; }
''',
    "relational-numeric-odd": r'''require ["fileinto", "relational", "comparator-i;ascii-numeric"];
if header :value "eq" :comparator "i;ascii-numeric" "x-count" "10" { fileinto "Ten"; }
if header :value "lt" :comparator "i;ascii-numeric" "x-word" "9999999" { fileinto "Word"; }
''',
    "relational-string": r'''require ["fileinto", "relational"];
if header :value "gt" "subject" "m" { fileinto "After"; }
''',
    "numeric-is": r'''require ["fileinto", "comparator-i;ascii-numeric"];
if header :is :comparator "i;ascii-numeric" "x-num" "042" { fileinto "FortyTwo"; }
''',
    # imap4flags
    "flags-keep": r'''require "imap4flags";
addflag "\\Seen";
addflag ["\\Flagged", "work"];
removeflag "work";
keep;
''',
    "flags-fileinto": r'''require ["imap4flags", "fileinto"];
if header :contains "subject" "report" { fileinto :flags ["\\Flagged", "boss"] "Work"; }
setflag "\\Seen";
''',
    "flags-implicit": r'''require "imap4flags";
if exists "x-spam-flag" { setflag "\\Deleted \\Seen"; }
''',
    "flags-hasflag": r'''require ["imap4flags", "fileinto", "variables"];
setflag "\\Answered";
addflag "f" "\\Draft";
if hasflag "\\Answered" { fileinto "Answered"; }
if hasflag "f" "\\draft" { fileinto "DraftVar"; }
if hasflag :contains "\\Flag" { fileinto "Never"; }
''',
    # body
    "body-text": 'require ["body", "fileinto"];\nif body :text :contains "secret" { fileinto "Secret"; }\n',
    "body-raw": 'require ["body", "fileinto"];\nif body :raw :contains "caf=C3=A9" { fileinto "Raw"; }\n',
    "body-content": r'''require ["body", "fileinto"];
if body :content "text/html" :contains "<b>" { fileinto "Html"; }
if body :content "text" :contains "café" { fileinto "Cafe"; }
''',
    "body-default": 'require ["body", "fileinto"];\nif body :contains "noon" { fileinto "Noon"; }\n',
    # editheader
    "editheader-add": r'''require ["editheader", "fileinto"];
addheader "X-Filtered" "yes";
if header :is "x-filtered" "yes" { fileinto "Filtered"; }
''',
    "editheader-delete": r'''require ["editheader", "fileinto"];
deleteheader "x-spam-flag";
if not exists "x-spam-flag" { fileinto "Clean"; }
''',
    # Received is protected: Pigeonhole (and RFC 5293 section 7) refuse to
    # delete it, so only an ordinary header goes here.
    "editheader-delete-match": r'''require ["editheader", "fileinto", "relational", "comparator-i;ascii-numeric"];
deleteheader :matches "x-spam-score" "1*";
if not exists "x-spam-score" { fileinto "Gone"; }
if header :count "eq" :comparator "i;ascii-numeric" "received" "2" { fileinto "TwoLeft"; }
''',
    "editheader-last-index": r'''require ["editheader", "fileinto", "variables"];
addheader :last "X-Order" "last";
addheader "X-Order" "first";
if header :matches "x-order" "*" { set "o" "${1}"; }
deleteheader :index 1 "x-order";
if header :is "x-order" "last" { fileinto "Deleted.${o}"; }
''',
    "editheader-then-test": r'''require ["editheader", "fileinto", "relational", "comparator-i;ascii-numeric"];
addheader "Subject" "second subject";
if header :count "ge" :comparator "i;ascii-numeric" "subject" "2" { fileinto "TwoSubjects"; }
if header :is "subject" "second subject" { fileinto "SeesNew"; }
''',
    # more of the base language
    "header-list-names": r'''require "fileinto";
if header :contains ["to", "cc", "from"] ["carol", "frank"] { fileinto "CarolFrank"; }
''',
    "matches-escape": r'''require ["fileinto", "variables"];
if header :matches "subject" "*\\?" { fileinto "EndsQ"; }
if header :matches "subject" "[*" { fileinto "Bracket"; }
if header :matches "x-tag" "*+*" { fileinto "Tag.${2}"; }
''',
    "address-group": r'''require "fileinto";
if address :all :contains "to" "bob" { fileinto "ToBob"; }
if address :localpart :matches "from" "*.*" { fileinto "Dotted"; }
''',
    "unicode-char": r'''require ["encoded-character", "fileinto"];
if header :contains "subject" "f${unicode:fc}r" { fileinto "Fuer"; }
''',
    # duplicate
    "duplicate": r'''require ["duplicate", "fileinto"];
if duplicate { fileinto "Dups"; }
''',
    "duplicate-header": r'''require ["duplicate", "fileinto"];
if duplicate :header "message-id" :seconds 3600 { discard; } else { fileinto "First"; }
''',
    # vacation
    "vacation": r'''require "vacation";
vacation :days 7 :subject "Away" "I am away until Monday.";
''',
    "vacation-addresses": r'''require ["vacation", "fileinto"];
if header :contains "subject" "lunch" { vacation :addresses ["bob@example.com"] "Not today."; fileinto "Answered"; }
''',
    # reject
    "reject": 'require "reject";\nif exists "x-spam-flag" { reject "No spam here."; }\n',
    "reject-plain": 'require "reject";\nreject "Go away.";\n',
    # pipe
    "pipe": 'require "vnd.dovecot.pipe";\npipe "catit";\n',
    "pipe-copy": r'''require ["vnd.dovecot.pipe", "copy"];
if header :contains "subject" "order" { pipe :copy "catit"; }
''',
    # runtime error (more than 4 redirects) and compile error
    "too-many-redirects": ''.join('redirect "r%d@example.net";\n' % i for i in range(6)),
    "compile-error": 'if header :is "subject" { keep; }\n',
}

_plain = MSGS["plain"][2]
HAND["size-crlf"] = ('require "fileinto";\n'
                     'if size :over %d { fileinto "OverLF"; }\n'
                     'if size :under %d { fileinto "UnderCRLF"; }\n'
                     % (len(_plain), len(_plain) + _plain.count(b"\n") + 1))

# ---- generated scripts ---------------------------------------------------

HEADERS = ["subject", "from", "to", "cc", "x-spam-score", "list-id",
           "message-id", "x-tag", "reply-to"]
KEYS = ["lunch", "example.com", "bob", "*example*", "?*@*", "[yubin]*",
        "12", "3", "yubin", "", "bad.example", "Quarterly report",
        "BOB@EXAMPLE.COM", "foo+bar", "*.*", "a\\*", "order"]
ADDR_HEADERS = ["from", "to", "cc", "reply-to", ["to", "cc"]]
ADDR_PARTS = [":all", ":localpart", ":domain", ":user", ":detail"]
MATCH = [":is", ":contains", ":matches"]
COMPARATORS = [None, "i;octet", "i;ascii-casemap"]
RELS = ["gt", "ge", "lt", "le", "eq", "ne"]


def q(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def sl(x):
    if isinstance(x, list):
        return "[" + ", ".join(q(v) for v in x) + "]"
    return q(x)


def gen_test(r, req):
    kind = r.choice(["header", "address", "envelope", "exists", "size",
                     "relational", "regex", "body", "not", "anyof",
                     "allof", "string"])
    if kind == "header":
        cmp_ = r.choice(COMPARATORS)
        c = ' :comparator "%s"' % cmp_ if cmp_ else ""
        return "header %s%s %s %s" % (r.choice(MATCH), c,
                                      sl(r.choice(HEADERS)),
                                      sl(r.choice(KEYS)))
    if kind == "address":
        part = r.choice(ADDR_PARTS)
        if part in (":user", ":detail"):
            req.add("subaddress")
        return "address %s %s %s %s" % (part, r.choice(MATCH),
                                        sl(r.choice(ADDR_HEADERS)),
                                        sl(r.choice(KEYS)))
    if kind == "envelope":
        req.add("envelope")
        part = r.choice(ADDR_PARTS)
        if part in (":user", ":detail"):
            req.add("subaddress")
        return "envelope %s %s %s %s" % (part, r.choice(MATCH),
                                         sl(r.choice(["from", "to"])),
                                         sl(r.choice(KEYS + ["shopping",
                                                             "a+b",
                                                             "alice@example.net"])))
    if kind == "exists":
        return "exists %s" % sl(r.sample(HEADERS + ["x-spam-flag",
                                                    "auto-submitted"],
                                         r.randint(1, 3)))
    if kind == "size":
        return "size %s %s" % (r.choice([":over", ":under"]),
                               r.choice(["100", "400", "1K", "5K", "1M"]))
    if kind == "relational":
        req.update(["relational", "comparator-i;ascii-numeric"])
        if r.random() < 0.5:
            return 'header :value "%s" :comparator "i;ascii-numeric" %s %s' % (
                r.choice(RELS),
                sl(r.choice(["x-spam-score", "x-count", "x-num",
                             "x-priority", "subject"])),
                q(r.choice(["0", "3", "5", "10", "12", "42", "010"])))
        t = r.choice(["header", "address"])
        hs = [["to", "cc"], "to", "cc"] + (["received"] if t == "header" else [])
        return '%s :count "%s" :comparator "i;ascii-numeric" %s %s' % (
            t, r.choice(RELS), sl(r.choice(hs)),
            q(r.choice(["0", "1", "2", "3", "4"])))
    if kind == "regex":
        req.add("regex")
        return "header :regex %s %s" % (
            sl(r.choice(HEADERS)),
            q(r.choice(["^[a-z]+\\?$", "example\\.(com|org)", "[0-9]{2,}",
                        "^$", "^\\[yubin\\]", "(foo|bar)\\+", "@.*\\.example$",
                        "^[^@]+@[^@]+$"])))
    if kind == "body":
        req.add("body")
        t = r.choice([":raw", ":text", ':content "text"', ':content "text/html"',
                      ':content "multipart"', ""])
        return "body %s %s %s" % (t, r.choice([":contains", ":matches"]),
                                  q(r.choice(["secret", "noon", "*payload*",
                                              "caf", "epilogue", "<b>",
                                              "won", "line 0100"])))
    if kind == "string":
        req.add("variables")
        return "string %s %s %s" % (r.choice(MATCH),
                                    q(r.choice(["abc", "", "${x}"])),
                                    sl(r.choice(KEYS)))
    if kind == "not":
        return "not " + gen_test(r, req)
    return "%s (%s, %s)" % (kind, gen_test(r, req), gen_test(r, req))


def gen_action(r, req):
    a = r.choice(["fileinto", "fileinto-copy", "keep-flags", "discard",
                  "redirect", "redirect-copy", "stop", "fileinto-flags",
                  "setflag", "fileinto-var"])
    if a == "fileinto":
        req.add("fileinto")
        return 'fileinto "%s";' % r.choice(["A", "B.C", "Lists.x"])
    if a == "fileinto-copy":
        req.update(["fileinto", "copy"])
        return 'fileinto :copy "Copy";'
    if a == "keep-flags":
        req.add("imap4flags")
        return 'keep :flags %s;' % sl(r.choice(["\\Seen", ["\\Flagged", "x"],
                                                "\\Answered \\Seen"]))
    if a == "discard":
        return "discard;"
    if a == "redirect":
        return 'redirect "fw@example.net";'
    if a == "redirect-copy":
        req.add("copy")
        return 'redirect :copy "cc@example.net";'
    if a == "stop":
        return "stop;"
    if a == "fileinto-flags":
        req.update(["fileinto", "imap4flags"])
        return 'fileinto :flags "\\\\Seen" "Read";'
    if a == "setflag":
        req.add("imap4flags")
        return 'addflag %s;' % sl(r.choice(["\\Flagged", "\\Deleted", "kw"]))
    req.update(["fileinto", "variables"])
    return 'set "v" "${1}"; fileinto "M.${v}x";'


def gen_cases(seed=13, n=160):
    r = random.Random(seed)
    names = sorted(MSGS)
    out = []
    for i in range(n):
        req = set()
        t = gen_test(r, req)
        body = "if %s {\n  %s\n}" % (t, " ".join(gen_action(r, req)
                                                for _ in range(r.randint(1, 2))))
        if r.random() < 0.5:
            body += " else {\n  %s\n}" % gen_action(r, req)
        body += "\n"
        if r.random() < 0.3:
            body += gen_action(r, req) + "\n"
        script = ""
        if req:
            script = "require %s;\n" % sl(sorted(req))
        script += body
        for m in r.sample(names, 3):
            out.append(("gen%03d" % i, script, m))
    return out


def all_cases():
    cases = [(n, s, m) for n, s in HAND.items() for m in sorted(MSGS)]
    return cases + gen_cases()


# ---- known, intended differences -------------------------------------------
# Each: (reason, predicate(name, msg, oracle, ours)).  A difference that no
# entry explains fails the run.

def _only_vacation_missing(name, msg, ora, ours):
    return (msg in NO_VACATION and
            [x for x in ora if not x.startswith("RESULT vacation")] == ours)


KNOWN = [
    ("RFC 3834/5230: no vacation reply to a list, an automatic message, a "
     "daemon sender or a message not addressed to the recipient; the dry run "
     "of sieve-test lists it anyway (only its -e run applies the rules)",
     _only_vacation_missing),
]

# ---- sieve-test ------------------------------------------------------------


class Oracle:
    def __init__(self, top):
        self.top = top
        self.home = os.path.join(top, "home")
        self.pipedir = os.path.join(top, "pipebin")
        for d in (self.home, self.pipedir,
                  os.path.join(self.home, "Maildir", ".Existing", "cur"),
                  os.path.join(self.home, "Maildir", ".Existing", "new"),
                  os.path.join(self.home, "Maildir", ".Existing", "tmp")):
            os.makedirs(d, exist_ok=True)
        prog = os.path.join(self.pipedir, "catit")
        with open(prog, "w") as f:
            f.write("#!/bin/sh\ncat >/dev/null\n")
        os.chmod(prog, 0o755)
        self.conf = os.path.join(top, "sieve.conf")
        with open(self.conf, "w") as f:
            f.write("mail_location = maildir:~/Maildir\n"
                    "recipient_delimiter = +\n"
                    "plugin {\n"
                    "  sieve_plugins = sieve_extprograms\n"
                    "  sieve_extensions = +editheader +vnd.dovecot.pipe\n"
                    "  sieve_pipe_bin_dir = %s\n"
                    "}\n" % self.pipedir)
        self.pre = []
        if os.getuid() == 0:
            # sieve-test refuses root; everything it touches is nobody's
            for root, dirs, files in os.walk(top):
                for x in dirs + files:
                    os.chown(os.path.join(root, x), 65534, 65534)
            os.chown(top, 65534, 65534)
            self.pre = ["setpriv", "--reuid=65534", "--regid=65534",
                        "--clear-groups"]

    def own(self, path):
        if os.getuid() == 0:
            os.chown(path, 65534, 65534)

    def run(self, script, msgfile, sender, rcpt, cache=None):
        key = path = None
        if cache:
            st = os.stat(shutil.which("sieve-test"))
            h = hashlib.sha256()
            for part in (os.path.realpath(shutil.which("sieve-test")),
                         str(st.st_size), str(st.st_mtime_ns), sender, rcpt):
                h.update(part.encode() + b"\0")
            for f in (script, msgfile):
                with open(f, "rb") as fh:
                    h.update(fh.read() + b"\0")
            path = os.path.join(cache, h.hexdigest())
            try:
                with open(path) as fh:
                    rc, out, err = json.load(fh)
                # its temporary paths were written as @TOP@
                return rc, out.replace("@TOP@", self.top), \
                    err.replace("@TOP@", self.top)
            except (OSError, ValueError):
                pass
        env = dict(os.environ, HOME=self.home)
        p = subprocess.run(self.pre + ["sieve-test", "-c", self.conf,
                                       "-x", "+editheader",
                                       "-f", sender, "-a", rcpt, "-r", rcpt,
                                       script, msgfile],
                           capture_output=True, env=env, timeout=60)
        rc, out, err = p.returncode, p.stdout.decode("utf-8", "replace"), \
            p.stderr.decode("utf-8", "replace")
        if path:
            # whole or not at all: runs at once may share the cache
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w") as fh:
                json.dump([rc, out.replace(self.top, "@TOP@"),
                           err.replace(self.top, "@TOP@")], fh)
            os.replace(tmp, path)
        return rc, out, err


def unflags(text):
    return text.split()


def oracle_results(rc, out, sender):
    """sieve-test's dry-run output as RESULT lines (before canon)."""
    if rc in (1, 89):
        # runtime error (no sections) or no compile: the implicit keep
        return ["RESULT keep"]
    if rc != 0:
        raise RuntimeError("sieve-test exited %d" % rc)
    res = []
    section = None
    cur = None          # the action the "+ ..." lines belong to
    pipe_cancels = False
    for line in out.split("\n"):
        if line == "Performed actions:":
            section = "perf"
            continue
        if line == "Implicit keep:":
            section = "keep"
            continue
        if section is None:
            continue
        m = re.match(r"^ \* (.*)$", line)
        if m:
            a = m.group(1)
            cur = None
            if a.startswith("store message in folder: "):
                cur = {"kind": "store", "folder": a[25:], "flags": [],
                       "implicit": section == "keep"}
            elif a.startswith("redirect message to: "):
                cur = {"kind": "redirect", "addr": a[21:].strip("<>")}
            elif a == "discard":
                cur = {"kind": "discard"}
            elif a.startswith("reject message with reason: "):
                cur = {"kind": "reject", "reason": a[28:]}
            elif a.startswith("send vacation message"):
                cur = {"kind": "vacation", "to": sender}
            elif a.startswith("pipe message to external program '"):
                cur = {"kind": "pipe", "prog": a[34:].split("'")[0],
                       "copy": False}
            elif a == "track duplicate":
                continue
            else:
                raise RuntimeError("unknown sieve-test action: " + a)
            res.append(cur)
            continue
        m = re.match(r"^\s+\+ (.*)$", line)
        if m and cur is not None:
            x = m.group(1)
            if x.startswith("add IMAP flags: ") and cur["kind"] == "store":
                cur["flags"] += unflags(x[16:])
            elif x == "preserve implicit keep" and cur["kind"] == "pipe":
                cur["copy"] = True
    for a in res:
        if a["kind"] == "pipe" and not a["copy"]:
            pipe_cancels = True
    lines = []
    for a in res:
        k = a["kind"]
        if k == "store":
            if a["implicit"] and pipe_cancels:
                continue
            lines.append(result_store(a["folder"], a["flags"]))
        elif k == "redirect":
            lines.append("RESULT redirect " + q(a["addr"]))
        elif k == "discard":
            lines.append("RESULT discard")
        elif k == "reject":
            lines.append("RESULT reject " + q(a["reason"]))
        elif k == "vacation":
            lines.append("RESULT vacation " + q(a["to"]))
        elif k == "pipe":
            lines.append("RESULT pipe " + q(a["prog"]))
    return lines


SYSFLAGS = {f.lower(): f for f in ("\\Seen", "\\Answered", "\\Flagged",
                                   "\\Deleted", "\\Draft")}


def canon_flags(flags):
    out = set()
    for f in flags:
        out.add(SYSFLAGS.get(f.lower(), f))
    return sorted(out, key=lambda f: (not f.startswith("\\"), f))


def result_store(folder, flags):
    s = "RESULT keep" if folder == "INBOX" else "RESULT fileinto " + q(folder)
    fl = canon_flags(flags)
    if fl:
        s += " flags " + q(" ".join(fl))
    return s


def unq(s):
    """The value of a quoted string at the start of s, and the rest."""
    if not s.startswith('"'):
        raise ValueError("not a quoted string: " + s)
    out = []
    i = 1
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            return "".join(out), s[i + 1:]
        out.append(c)
        i += 1
    raise ValueError("unterminated string: " + s)


def canon(lines):
    """One normalisation for both sides (see the module's comment)."""
    items = set()
    for ln in lines:
        if not ln.startswith("RESULT "):
            continue
        rest = ln[7:]
        verb, _, arg = rest.partition(" ")
        if verb == "keep":
            folder, tail = "INBOX", arg
        elif verb == "fileinto":
            folder, tail = unq(arg)
        else:
            if verb == "discard":
                items.add("RESULT discard")
            else:
                v, _ = unq(arg)
                items.add("RESULT %s %s" % (verb, q(v)))
            continue
        flags = []
        tail = tail.strip()
        if tail.startswith("flags "):
            fv, _ = unq(tail[6:])
            flags = fv.split()
        items.add(result_store(folder, flags))
    stores = [x for x in items if x.startswith(("RESULT keep",
                                                 "RESULT fileinto"))]
    if stores:
        items.discard("RESULT discard")
    return sorted(items)


# ---- maildeliver -------------------------------------------------------------

def ours(md, top, script, msgfile, sender, rcpt, pipedir):
    dest = tempfile.mkdtemp(dir=top, prefix="dest")
    for sub in ("cur", "new", "tmp", ".Existing/cur", ".Existing/new",
                ".Existing/tmp"):
        os.makedirs(os.path.join(dest, sub))
    with open(msgfile, "rb") as f:
        p = subprocess.run([md, "-n", "-r", script, "-f", sender, "-R", rcpt,
                            "--pipe-dir", pipedir, dest],
                           stdin=f, capture_output=True, timeout=60)
    untouched = sorted(os.listdir(dest)) == [".Existing", "cur", "new", "tmp"] \
        and not any(os.listdir(os.path.join(dest, s))
                    for s in ("cur", "new", "tmp"))
    shutil.rmtree(dest)
    return p.returncode, p.stdout.decode("utf-8", "replace"), \
        p.stderr.decode("utf-8", "replace"), untouched


# ---- main ------------------------------------------------------------------

def main(argv):
    verbose = "-v" in argv
    keep_tmp = "-k" in argv
    argv = [a for a in argv if a not in ("-v", "-k")]
    only = None
    if "--only" in argv:
        i = argv.index("--only")
        only = argv[i + 1]
        del argv[i:i + 2]
    cases = all_cases()
    if only:
        cases = [c for c in cases if c[0] == only]
    if argv and argv[0] == "--list":
        for n, s, m in cases:
            print(n, m)
        print("%d pairs, %d scripts, %d messages" % (
            len(cases), len({c[1] for c in cases}), len(MSGS)))
        return 0
    oracle_only = bool(argv) and argv[0] == "--oracle-only"
    if oracle_only:
        if len(argv) > 1:
            cases = cases[:int(argv[1])]
        md = None
    elif len(argv) != 1:
        sys.stderr.write(__doc__)
        return 64
    else:
        md = argv[0]
    if not shutil.which("sieve-test"):
        print("sievediff: sieve-test not installed (Debian: dovecot-sieve)")
        return 77
    top = tempfile.mkdtemp(prefix="sievediff.")
    os.chmod(top, 0o755)
    try:
        return run(cases, md, top, verbose, oracle_only)
    finally:
        if keep_tmp:
            print("# kept", top)
        else:
            shutil.rmtree(top, ignore_errors=True)


def run(cases, md, top, verbose, oracle_only):
    orc = Oracle(top)
    cache = os.environ.get("SIEVEDIFF_CACHE")
    if cache:
        os.makedirs(cache, exist_ok=True)
    sdir = os.path.join(top, "scripts")
    os.makedirs(sdir)
    orc.own(sdir)
    msgfiles = {}
    for name, (_, _, data) in MSGS.items():
        p = os.path.join(top, name + ".eml")
        with open(p, "wb") as f:
            f.write(data)
        orc.own(p)
        msgfiles[name] = p
    paths = {}
    agree = 0
    known = {}
    bad = []
    for name, script, m in cases:
        if name not in paths:
            d = os.path.join(sdir, name)
            os.makedirs(d)
            orc.own(d)
            paths[name] = os.path.join(d, name + ".sieve")
            with open(paths[name], "w") as f:
                f.write(script)
            orc.own(paths[name])
        sender, rcpt, _ = MSGS[m]
        rc, out, err = orc.run(paths[name], msgfiles[m], sender, rcpt,
                               None if oracle_only else cache)
        try:
            want = canon(oracle_results(rc, out, sender))
        except RuntimeError as e:
            bad.append((name, m, script, "sieve-test: %s\n%s%s" % (e, out, err)))
            continue
        if oracle_only:
            print("== %s x %s (sieve-test exit %d)" % (name, m, rc))
            for x in want:
                print("  " + x)
            continue
        mrc, mout, merr, untouched = ours(md, top, paths[name], msgfiles[m],
                                          sender, rcpt, orc.pipedir)
        got = canon(mout.split("\n"))
        why = None
        if mrc != 0:
            why = "maildeliver -n exited %d" % mrc
        elif not untouched:
            why = "maildeliver -n touched DEST"
        elif got != want:
            for reason, pred in KNOWN:
                if pred(name, m, want, got):
                    known.setdefault(reason, []).append((name, m))
                    break
            else:
                why = "results differ"
        else:
            agree += 1
            if verbose:
                print("ok %s x %s: %s" % (name, m, "; ".join(want)))
            continue
        if why:
            bad.append((name, m, script,
                        "%s\n  sieve-test (exit %d):\n%s\n  maildeliver -n:\n%s"
                        "\n  maildeliver stdout:\n%s  maildeliver stderr:\n%s"
                        "  sieve-test stderr:\n%s" % (
                            why, rc, "".join("    %s\n" % x for x in want),
                            "".join("    %s\n" % x for x in got),
                            indent(mout), indent(merr), indent(err))))
    if oracle_only:
        print("# %d pairs, %d sieve-test failures" % (len(cases), len(bad)))
        for name, m, script, why in bad:
            print("!! %s x %s: %s" % (name, m, why))
        return 1 if bad else 0
    for name, m, script, why in bad:
        print("DIFF %s x %s: %s" % (name, m, why))
        print("  script:\n" + indent(script))
        print("  message:\n" + indent(MSGS[m][2].decode()[:600]))
    for reason, pairs in known.items():
        print("KNOWN %d pair(s): %s" % (len(pairs), reason))
        print("  " + " ".join("%s/%s" % p for p in pairs))
    nknown = sum(len(v) for v in known.values())
    print("sievediff: %d pairs, %d agree, %d known differences, "
          "%d unexplained differences" % (len(cases), agree, nknown, len(bad)))
    return 1 if bad else 0


def indent(s):
    return "".join("    %s\n" % x for x in s.rstrip("\n").split("\n")) if s else ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
