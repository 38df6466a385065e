#!/usr/bin/env python3
"""Write N varied messages for the differential test of hdrparse.

usage: gen.py SEED N DIR

Writes DIR/0000.eml ... with random but reproducible (random.Random(SEED))
Subject, From, To, Cc and Date fields: non-ASCII text in many charsets as
RFC 2047 B and Q encoded words, folding at 78 columns (encoded words split
over several lines), groups, comments, quoted names with commas, obsolete
date forms, LF and CRLF line ends.  oracle.py prints what Python's email
package makes of them; tests/difftest.bats compares that with hdrparse.

Only shapes on which Python's answer is right are generated.  Left out, and
covered by tests/hdrparse.bats instead:
  - two-digit years 50-68: Python maps them to 2050-2068, RFC 5322 §4.3
    says 1950-1968;
  - three-digit years: RFC 5322 adds 1900, Python takes them literally;
  - zone names Python does not know (JST, CET, military letters): Python
    gives a naive time, we apply the offset;
  - a character split across two encoded words: Python decodes each word
    on its own and loses the character, we join the words first;
  - a display name in two adjacent encoded words: Python keeps the white
    space between them, RFC 2047 §6.2 says to drop it (as we do, and as
    Python does in unstructured fields such as Subject);
  - Big5 text outside Chinese: Python's big5 has the ETEN rows (kana,
    Cyrillic at 0xC6A1-0xC8FE) that iconv maps to the private use area;
  - raw 8-bit UTF-8 in a header (RFC 6532): Python's default policy turns
    each byte into U+FFFD;
  - a bare addr-spec with a comment, "a@x.test (Alice)": Python gives no
    name, we take the comment as the name (the old convention);
  - encoded words inside a quoted string: forbidden by RFC 2047 §5, and
    readers disagree;
  - white space at the end of a value: Python keeps it, we trim it;
  - an encoded word glued to other text ("Re:=?...?="): decoded by both,
    but the white space around it differs.
"""

import base64
import datetime
import os
import random
import sys

WORDS = {
    "ja": ["会議のお知らせ", "山田太郎", "日本語", "テスト", "株式会社", "資料",
           "確認のお願い", "明日", "東京", "ありがとうございます", "カタカナ"],
    "zh-hant": ["會議通知", "資料", "臺北", "電腦", "測試", "謝謝"],
    "zh-hans": ["会议通知", "北京", "中文测试", "你好", "电子邮件"],
    "ru": ["Привет", "Встреча", "отчёт", "Москва", "Совещание", "завтра",
           "Иванов, Пётр"],
    "latin1": ["Müller, Hans", "café", "Grüße", "naïve", "Ñandú", "Zoë",
               "façade", "Ørsted"],
    "latin2": ["Łódź", "Dvořák", "Škoda", "Kraków", "žluťoučký kůň"],
    "latin15": ["prix 5 €", "Œuvre", "Šárka", "cœur"],
    "utf8": ["Müller, Hans", "会議", "Привет", "emoji 😀", "Ελληνικά",
             "עברית", "Straße", "日本語テスト"],
}

# Charsets for each kind of text: (the label in the encoded word, Python's
# codec), in mixed case on purpose.  Big5 only for Chinese: Python's big5
# also has the ETEN rows (kana, Cyrillic) that iconv's BIG5 lacks.
UTF8 = [("UTF-8", "utf-8"), ("utf-8", "utf-8")]
JA = [("ISO-2022-JP", "iso-2022-jp"), ("iso-2022-jp", "iso-2022-jp"),
      ("Shift_JIS", "shift_jis"), ("EUC-JP", "euc-jp"),
      ("GB18030", "gb18030")]
CHARSETS = {
    "ja": UTF8 + JA,
    "zh-hant": UTF8 + [("Big5", "big5"), ("gb18030", "gb18030")],
    "zh-hans": UTF8 + [("GB18030", "gb18030")],
    "ru": UTF8 + [("KOI8-R", "koi8-r"), ("windows-1251", "cp1251"),
                  ("koi8-r", "koi8-r")],
    "latin1": UTF8 + [("ISO-8859-1", "latin-1"),
                      ("iso-8859-15", "iso-8859-15")],
    "latin2": UTF8 + [("iso-8859-2", "iso-8859-2")],
    "latin15": UTF8 + [("ISO-8859-15", "iso-8859-15")],
    "utf8": UTF8,
}

ASCII = ["Re:", "Fwd:", "[yubin]", "meeting", "notes", "(1/2)", "50%",
         "report", "a_b", "hello", "world", "Q3", "budget", "-", "x&y",
         "list", "draft", "v2.0", "#42", "ok!", "who?", "it's"]

LOCALS = ["taro", "hanako", "ivan", "hans.mueller", "a", "b.c", "info",
          "no-reply", "user+tag", "x_y"]
DOMAINS = ["example.jp", "example.com", "x.test", "mail.example.ru",
           "sub.example.org", "例え.test".encode("idna").decode()]
NAMES = ["Alice", "Bob Smith", "Taro Yamada", "Carol J Doe", "Support Team"]
QNAMES = ['"Doe, John"', '"Smith, Anne (Sales)"', '"O\'Brien, Pat"',
          '"a\\"b"', '"Team: Ops"', '"x@y"']
ZONES = ["UT", "GMT", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
          "Oct", "Nov", "Dec"]
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
             b"0123456789!*+-/")


def qencode(data):
    out = []
    for b in data:
        if b == 0x20:
            out.append("_")
        elif b in Q_SAFE:
            out.append(chr(b))
        else:
            out.append("=%02X" % b)
    return "".join(out)


def encoded_word(r, label, codec, text):
    data = text.encode(codec)
    if r.random() < 0.5:
        return "=?%s?B?%s?=" % (label, base64.b64encode(data).decode())
    return "=?%s?Q?%s?=" % (label, qencode(data))


def encoded_words(r, lang, text, split=True):
    """text as encoded words in one charset, split between characters
    (unless split is false), each word at most 75 characters (RFC 2047
    §2)."""
    label, codec = r.choice(CHARSETS[lang])
    if not split:
        return [encoded_word(r, label, codec, text)]
    words, i = [], 0
    while i < len(text):
        n = r.randint(1, 8)
        while n > 1 and len(encoded_word(r, label, codec,
                                         text[i:i + n])) > 75:
            n -= 1
        words.append(encoded_word(r, label, codec, text[i:i + n]))
        i += n
    return words


def text_for(r, n=3):
    lang = r.choice(list(WORDS))
    return lang, " ".join(r.choice(WORDS[lang])
                          for _ in range(r.randint(1, n)))


def fold(r, name, tokens, sep=" "):
    """Join tokens with sep, folding before a token at 78 columns."""
    lines, cur = [], name + ":"
    for t in tokens:
        if len(cur) + len(sep) + len(t) > 78 and cur != name + ":":
            lines.append(cur.rstrip(" "))
            cur = r.choice([" ", " ", "\t", "   "]) + t
        else:
            cur += sep + t
    lines.append(cur)
    return lines


def subject(r):
    tokens = []
    for _ in range(r.randint(1, 5)):
        if r.random() < 0.4:
            tokens += r.sample(ASCII, r.randint(1, 3))
        else:
            tokens += encoded_words(r, *text_for(r))
    return fold(r, "Subject", tokens)


def mailbox(r):
    spec = "%s@%s" % (r.choice(LOCALS), r.choice(DOMAINS))
    shape = r.randrange(8)
    if shape == 0:
        return [spec]
    if shape == 1:
        return ["<%s>" % spec]
    if shape == 2:
        return [r.choice(NAMES), "<%s>" % spec]
    if shape == 3:
        return [r.choice(QNAMES), "<%s>" % spec]
    if shape == 4:          # a comment after a name-addr
        return [r.choice(NAMES), "<%s>" % spec, "(%s)" % r.choice(ASCII[2:9])]
    # One encoded word per name: in a display name Python keeps the white
    # space between two adjacent encoded words (RFC 2047 §6.2 drops it).
    if shape == 5:          # ASCII and an encoded word in one phrase
        return [r.choice(NAMES)] + \
            encoded_words(r, *text_for(r, 1), split=False) + ["<%s>" % spec]
    return encoded_words(r, *text_for(r, 1), split=False) + ["<%s>" % spec]


def mailboxes(r, n):
    toks = []
    for i in range(n):
        m = mailbox(r)
        if i < n - 1:
            m[-1] += ","
        toks += m
    return toks


def addrlist(r, name):
    toks = []
    for i in range(r.randint(1, 3)):
        if toks:
            toks[-1] += ","
        g = r.random()
        if g < 0.1:
            toks.append("undisclosed-recipients:;")
        elif g < 0.25:
            m = mailboxes(r, r.randint(1, 3))
            m[0] = r.choice(["team:", "Project X:"]) + " " + m[0]
            m[-1] += ";"
            toks += m
        else:
            toks += mailboxes(r, r.randint(1, 3))
    return fold(r, name, toks)


def date(r):
    dt = datetime.datetime(1970, 1, 1) + datetime.timedelta(
        seconds=r.randrange(2524608000))   # 1970 to 2049
    parts = []
    if r.random() < 0.7:
        parts.append(DAYS[dt.weekday()] + ",")
    day = str(dt.day) if r.random() < 0.5 else "%02d" % dt.day
    year = str(dt.year)
    if r.random() < 0.2 and (dt.year < 2050 and dt.year >= 2000 or
                             dt.year >= 1969 and dt.year < 2000):
        year = year[2:]
    clock = "%02d:%02d" % (dt.hour, dt.minute)
    if r.random() < 0.8:
        clock += ":%02d" % dt.second
    z = r.random()
    if z < 0.6:
        off = r.randint(-12 * 60, 14 * 60)
        zone = "%s%02d%02d" % ("-" if off < 0 else "+",
                               abs(off) // 60, abs(off) % 60)
    elif z < 0.7:
        zone = "-0000"
    else:
        zone = r.choice(ZONES)
    parts += [day, MONTHS[dt.month - 1], year, clock, zone]
    if r.random() < 0.2:
        parts.append("(%s)" % r.choice(ZONES))
    sep = "  " if r.random() < 0.1 else " "
    return fold(r, "Date", parts, sep)


def message(r, i):
    lines = fold(r, "From", mailbox(r))
    lines += addrlist(r, "To")
    if r.random() < 0.5:
        lines += addrlist(r, "Cc")
    if r.random() < 0.95:
        lines += subject(r)
    if r.random() < 0.95:
        lines += date(r)
    lines += ["Message-ID: <%d.%d@gen.test>" % (i, r.randrange(10**6)),
              "MIME-Version: 1.0",
              "Content-Type: text/plain; charset=utf-8", "", "body", ""]
    nl = "\r\n" if r.random() < 0.3 else "\n"
    return nl.join(lines).encode("ascii")


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: gen.py SEED N DIR")
    r = random.Random(int(sys.argv[1]))
    n, d = int(sys.argv[2]), sys.argv[3]
    os.makedirs(d, exist_ok=True)
    for i in range(n):
        with open(os.path.join(d, "%04d.eml" % i), "wb") as f:
            f.write(message(r, i))


if __name__ == "__main__":
    main()
