#!/usr/bin/env python3
"""Generate the benchmark corpus: gencorpus.py [SEED [N [OUTDIR]]]

A deterministic corpus (random.Random(SEED)) of N messages (default 20000)
that looks like a real mailbox: 1-5 Received fields, RFC 2047 display names
and subjects in UTF-8, ISO-2022-JP, Shift_JIS, EUC-JP, KOI8-R, ISO-8859-x,
GB2312, EUC-KR..., To/Cc lists with groups and comments, one message in five
with a base64 attachment (2 KiB to ~100 KiB), bodies of varied length and
charset, some body lines starting with "From " (mboxrd quoting matters).

OUTDIR (default ${YUBIN_BENCH_DIR:-/tmp/yubin-bench}) receives:
  maildir/{cur,new,tmp}  the N messages, one file each, unique names
  mbox                   the same N messages, mboxrd
  mbox2000               the first 2000 of them, mboxrd
  big.eml                one message with a 100 MiB body (written in chunks)
  files.txt              the Maildir file names, in generation order
  stamp                  generator version, SEED and N: a matching stamp
                         means the corpus is already there and nothing is done
  mime/                  the MIME benchmark's inputs (60-mime.py), with a
                         stamp of their own (they do not depend on N):
    att64.bin            64 MiB of random bytes
    att64.eml            a message carrying att64.bin as one base64 part
    multi.eml            a message with 200 attachments, alternately base64
                         binary (src/fNNN.bin) and quoted-printable UTF-8
                         text (src/fNNN.txt)
    src/                 the 200 attachments as they must come out
    body.txt             a short body text, for the packers
"""

import base64
import binascii
import os
import quopri
import random
import shutil
import sys
import unicodedata

VERSION = 2                       # bump when the output changes
BIG_BODY = 100 * 1024 * 1024      # bytes of body in big.eml
SUBSET = 2000                     # messages in mbox2000
MIME_VERSION = 1                  # bump when the mime/ output changes
MIME_BIG = 64 * 1024 * 1024       # bytes of mime/att64.bin
MIME_PARTS = 200                  # attachments in mime/multi.eml

# --- text material -------------------------------------------------------

WORDS = {
    "en": "the meeting report budget schedule draft review please find "
          "attached invoice update release notes patch build server test "
          "results minutes agenda quarter project deadline status team "
          "question about your proposal thanks regards tomorrow next week "
          "urgent reminder list digest".split(),
    "ja": "会議 の お知らせ 資料 送付 確認 お願い します 来週 予定 変更 "
          "について 本日 請求書 見積もり 打ち合わせ 議事録 至急 ご連絡 "
          "件 東京 大阪 株式会社 担当 よろしく 社内 報告".split(),
    "ru": "Привет отчёт встреча завтра документы проект срочно счёт о по "
          "для новый Москва вопрос ответ письмо рассылка обновление сервер "
          "сегодня спасибо коллеги".split(),
    "fr": "Réunion données été Grüße Übersicht Änderung año señor café "
          "naïve façade Straße à propos du projet réponse déjà prévu "
          "Müller Björn Ålesund garçon über".split(),
    "cz": "Příliš žluťoučký kůň úpěl ďábelské ódy Zażółć gęślą jaźń "
          "schůzka zpráva pondělí Łódź Kraków Dvořák".split(),
    "zh": "会议 通知 报告 明天 项目 文件 请 确认 关于 下周 安排 "
          "北京 上海 公司 合同 发票 紧急".split(),
    "el": "Καλημέρα συνάντηση αύριο έγγραφα έργο αναφορά ευχαριστώ "
          "Αθήνα πρόγραμμα".split(),
    "ko": "회의 안내 보고서 내일 프로젝트 문서 확인 부탁 드립니다 "
          "서울 회사 일정".split(),
}
JOIN = {"ja": "", "zh": ""}       # no spaces between CJK words (mostly)

# charsets that can carry each language, and how subjects are encoded
CHARSETS = {
    "en": ["us-ascii"],
    "ja": ["utf-8", "iso-2022-jp", "iso-2022-jp", "shift_jis", "euc-jp"],
    "ru": ["utf-8", "koi8-r", "koi8-r", "windows-1251"],
    "fr": ["utf-8", "iso-8859-1", "iso-8859-1", "windows-1252",
           "iso-8859-15"],
    "cz": ["utf-8", "iso-8859-2"],
    "zh": ["utf-8", "gb2312"],
    "el": ["utf-8", "iso-8859-7"],
    "ko": ["utf-8", "euc-kr"],
}
LANG_WEIGHTS = [("en", 30), ("ja", 18), ("ru", 12), ("fr", 14), ("cz", 6),
                ("zh", 8), ("el", 4), ("ko", 4), ("emoji", 4)]
EMOJI = ["🎉", "📎", "✅", "🚀", "☕", "🔥", "📅"]

FIRST = "Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory " \
        "Niaj Olivia Peggy Rupert Sybil Trent Victor Walter Yuki".split()
LAST = "Smith Jones Tanaka Ivanov Müller Dubois Novák Wang Kim Papadopoulos " \
       "O'Brien Suzuki Petrova García Kowalski".split()
NAME_NATIVE = {
    "ja": ["山田 太郎", "鈴木 花子", "佐藤 一郎", "高橋 美咲", "田中 健"],
    "ru": ["Иван Петров", "Ольга Смирнова", "Дмитрий Кузнецов", "Анна Попова"],
    "fr": ["François Lefèvre", "Jürgen Groß", "Zoë Brontë", "Åsa Nyström",
           "José Muñoz"],
    "cz": ["Jiří Dvořák", "Łukasz Wróbel", "Zuzana Černá"],
    "zh": ["王伟", "李娜", "张敏", "刘洋"],
    "el": ["Γιώργος Παπαδόπουλος", "Μαρία Νικολάου"],
    "ko": ["김민수", "이지은", "박서준"],
    "emoji": ["Party Bot 🎉", "☕ Coffee Club"],
}
DOMAINS = "example.com example.org example.net mail.example.jp " \
          "lists.example.org corp.example.co.uk example.ru example.de".split()
LISTS = ["[yubin-dev]", "[announce]", "[ML:01234]", "[Bug 4711]", ""]
HOSTS = ["mail-sor-f41.google.com", "mx1.example.net", "smtp.example.org",
         "relay.example.co.uk", "out.example.jp", "mta7.example.ru",
         "localhost", "edge-03.example.com"]
MAILERS = ["Mutt/2.2.12", "Thunderbird 115.5.0", "mblaze", "Apple Mail",
           "Microsoft Outlook 16.0", "Sylpheed 3.7.0", "Becky! ver. 2.81"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seed = seed
        self.pools = {lang: self._pool(lang, 400) for lang in WORDS}

    # --- helpers ---
    def weighted(self, pairs):
        total = sum(w for _, w in pairs)
        x = self.r.uniform(0, total)
        for v, w in pairs:
            x -= w
            if x <= 0:
                return v
        return pairs[-1][0]

    def words(self, lang, lo, hi):
        if lang == "emoji":
            base = self.words("en", lo, hi)
            return base + " " + self.r.choice(EMOJI)
        n = self.r.randint(lo, hi)
        ws = [self.r.choice(WORDS[lang]) for _ in range(n)]
        if lang in JOIN and self.r.random() < 0.8:
            return "".join(ws)
        return " ".join(ws)

    def _pool(self, lang, n):
        """Pre-made body lines, so bodies are cheap to assemble."""
        out = []
        for _ in range(n):
            line = self.words(lang, 3, 14)
            k = self.r.random()
            if k < 0.03:
                line = "From " + line       # mboxrd must quote these
            elif k < 0.04:
                line = ">From " + line
            elif k < 0.15:
                line = "> " + line
            out.append(line)
        return out

    def ascii_last(self):
        return unicodedata.normalize("NFKD", self.r.choice(LAST).replace(
            "ü", "ue")).encode("ascii", "ignore").decode()

    def addr(self):
        local = self.r.choice(FIRST).lower() + self.r.choice(
            ["", ".", "_", "+"]) + self.ascii_last().replace("'", "").lower()
        if local.endswith("+"):
            local += "list"
        return local + "@" + self.r.choice(DOMAINS)

    # --- RFC 2047 ---
    def encode_words(self, text, charset, enc):
        """Encoded words for text (<= 75 chars each, no character split)."""
        words, chunk = [], ""
        for ch in text:
            trial = chunk + ch
            if len(self._ew(trial, charset, enc)) > 75 and chunk:
                words.append(self._ew(chunk, charset, enc))
                chunk = ch
            else:
                chunk = trial
        if chunk:
            words.append(self._ew(chunk, charset, enc))
        return words

    @staticmethod
    def _ew(text, charset, enc):
        raw = text.encode(charset)
        if enc == "B":
            data = base64.b64encode(raw).decode()
        else:
            data = "".join(
                "_" if b == 0x20 else
                chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122)
                else "=%02X" % b for b in raw)
        label = charset.upper() if charset.startswith("iso") else charset
        return "=?%s?%s?%s?=" % (label, enc, data)

    def phrase(self, text, lang, name):
        """Header text for text in lang: ASCII, encoded words or raw UTF-8."""
        if lang == "en":
            if name and ("," in text or "." in text or "'" in text):
                return '"%s"' % text
            return text
        if self.r.random() < 0.02:          # raw UTF-8 (RFC 6532)
            if name and any(c in text for c in ",.'"):
                return '"%s"' % text
            return text
        if lang == "emoji":
            charset = "utf-8"
        else:
            charset = self.r.choice(CHARSETS[lang])
        if charset == "iso-2022-jp" or lang in ("zh", "ko"):
            enc = "B"
        elif lang in ("fr", "cz"):
            enc = "Q" if self.r.random() < 0.8 else "B"
        else:
            enc = self.r.choice("BQ")
        return " ".join(self.encode_words(text, charset, enc))

    @staticmethod
    def fold(name, value, width=78):
        """Fold at spaces so lines stay near width."""
        out, line = [], name + ":"
        for tok in value.split(" "):
            if len(line) + 1 + len(tok) > width and line != name + ":":
                out.append(line)
                line = " " + tok
            else:
                line += " " + tok
        out.append(line)
        return "\n".join(out) + "\n"

    # --- header fields ---
    def mailbox(self, allow_plain=True):
        k = self.r.random()
        a = self.addr()
        if allow_plain and k < 0.08:
            return a
        if allow_plain and k < 0.12:
            return "<%s>" % a
        if k < 0.16:
            return "%s (%s %s)" % (a, self.r.choice(FIRST),
                                   self.ascii_last())
        lang = self.weighted(LANG_WEIGHTS)
        if lang == "en":
            if self.r.random() < 0.3:
                text = "%s, %s" % (self.r.choice(LAST), self.r.choice(FIRST))
            else:
                text = "%s %s" % (self.r.choice(FIRST), self.r.choice(LAST))
            if not text.isascii():
                lang = "fr"
        else:
            text = self.r.choice(NAME_NATIVE[lang])
        return "%s <%s>" % (self.phrase(text, lang, True), a)

    def addr_list(self, lo, hi):
        items = [self.mailbox() for _ in range(self.r.randint(lo, hi))]
        if self.r.random() < 0.03:
            items.append("%s: %s, %s;" % (self.r.choice(
                ["team", "Undisclosed list", "staff"]), self.mailbox(),
                self.mailbox()))
        return ", ".join(items)

    def subject(self):
        lang = self.weighted(LANG_WEIGHTS)
        prefix = self.r.choice(LISTS)
        if self.r.random() < 0.25:
            prefix = (prefix + " " if prefix else "") + self.r.choice(
                ["Re:", "RE:", "Fwd:", "AW:", "Re: Re:"])
        text = self.words(lang, 2, 12)
        enc = self.phrase(text, lang, False)
        return (prefix + " " + enc).strip() if prefix else enc

    def date(self, t):
        tz = self.r.choice([0, 0, 60, 120, -300, -480, 540, 330, 180, -240])
        lt = t + tz * 60
        days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        mons = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
        y, mo, d, hh, mm, ss, wd = civil(lt)
        s = "%d %s %d %02d:%02d:%02d %s%02d%02d" % (
            d, mons[mo - 1], y, hh, mm, ss, "-" if tz < 0 else "+",
            abs(tz) // 60, abs(tz) % 60)
        if self.r.random() < 0.9:
            s = days[wd] + ", " + s
        if self.r.random() < 0.1:
            s += " (%s)" % ("UTC" if tz == 0 else "JST" if tz == 540
                            else "CET")
        return s, (y, mo, d, hh, mm, ss, wd)

    def received(self, t, n):
        out = []
        for i in range(n):                     # newest first
            t_hop = t + (n - i) * self.r.randint(1, 90)
            src = self.r.choice(HOSTS)
            ip = "%d.%d.%d.%d" % tuple(self.r.randint(1, 254)
                                        for _ in range(4))
            by = self.r.choice(HOSTS)
            with_ = self.r.choice(["ESMTPS", "ESMTP", "SMTP", "LMTP",
                                   "ESMTPSA"])
            rid = "%x" % self.r.getrandbits(48)
            d, _ = self.date(t_hop)
            v = "from %s (%s [%s]) by %s (Postfix) with %s id %s for <%s>; %s" \
                % (src, src, ip, by, with_, rid, self.addr(), d)
            out.append(self.fold("Received", v))
        return "".join(out)

    # --- bodies ---
    def text(self, lang, size):
        pool = self.pools["en" if lang == "emoji" else lang]
        lines, n = [], 0
        while n < size:
            line = self.r.choice(pool)
            lines.append(line)
            n += len(line.encode()) + 1
        return "\n".join(lines) + "\n"

    def text_part(self, lang):
        size = int(10 ** self.r.uniform(2, 4.5))    # 100 B .. 30 KB
        text = self.text(lang, size)
        if lang == "en":
            return "us-ascii", "7bit", text.encode()
        charset = "utf-8" if lang == "emoji" else self.r.choice(
            CHARSETS[lang])
        raw = text.encode(charset)
        if charset == "iso-2022-jp":
            return charset, "7bit", raw
        k = self.r.random()
        if k < 0.45:
            return charset, "quoted-printable", quopri.encodestring(raw)
        if k < 0.55:
            return charset, "base64", base64.encodebytes(raw)
        return charset, "8bit", raw

    def message(self, i, t):
        r = self.r
        lang = self.weighted(LANG_WEIGHTS)
        frm = self.mailbox(allow_plain=True)
        h = []
        if r.random() < 0.5:
            h.append("Return-Path: <%s>\n" % self.addr())
        h.append(self.received(t, r.randint(1, 5)))
        if r.random() < 0.3:
            sig = base64.b64encode(r.randbytes(180)).decode()
            h.append(self.fold("DKIM-Signature",
                               "v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; "
                               "s=sel1; h=from:to:subject:date; b=%s"
                               % (r.choice(DOMAINS), " ".join(
                                   sig[j:j + 60] for j in range(0, 240, 60)))))
        date, _ = self.date(t)
        h.append("Date: %s\n" % date)
        h.append(self.fold("From", frm))
        h.append(self.fold("To", self.addr_list(1, 6)))
        if r.random() < 0.5:
            h.append(self.fold("Cc", self.addr_list(1, 8)))
        h.append(self.fold("Subject", self.subject()))
        mid = "<%x.%d@%s>" % (r.getrandbits(40), i, r.choice(DOMAINS))
        h.append("Message-ID: %s\n" % mid)
        if r.random() < 0.2:
            ref = "<%x@%s>" % (r.getrandbits(40), r.choice(DOMAINS))
            h.append("In-Reply-To: %s\nReferences: %s\n" % (ref, ref))
        if r.random() < 0.4:
            h.append("X-Mailer: %s\n" % r.choice(MAILERS))
        h.append("MIME-Version: 1.0\n")
        charset, cte, body = self.text_part(lang)
        if r.random() < 0.2:
            return self.with_attachment(h, i, charset, cte, body)
        h.append("Content-Type: text/plain; charset=%s\n" % charset)
        h.append("Content-Transfer-Encoding: %s\n" % cte)
        return "".join(h).encode() + b"\n" + body

    def with_attachment(self, h, i, charset, cte, body):
        r = self.r
        b = "=_bench_%d_%x" % (i, r.getrandbits(32))
        size = int(2048 * 50 ** r.random())          # 2 KiB .. 100 KiB
        name = r.choice(["report.pdf", "photo.jpg", "data.bin",
                         "Übersicht.xlsx", "資料.pdf", "отчёт.docx"])
        ctype = {"pdf": "application/pdf", "jpg": "image/jpeg"}.get(
            name.rsplit(".", 1)[1], "application/octet-stream")
        if name.isascii():
            disp = 'attachment; filename="%s"' % name
        else:
            q = "".join(chr(c) if chr(c).isalnum() and c < 128 or c == 46
                        else "%%%02X" % c for c in name.encode())
            disp = "attachment; filename*=UTF-8''%s" % q
        h.append('Content-Type: multipart/mixed; boundary="%s"\n' % b)
        head = "".join(h).encode()
        parts = [head, b"\nThis is a multi-part message in MIME format.\n",
                 ("\n--%s\nContent-Type: text/plain; charset=%s\n"
                  "Content-Transfer-Encoding: %s\n\n" % (b, charset, cte))
                 .encode(), body,
                 ("\n--%s\nContent-Type: %s\nContent-Disposition: %s\n"
                  "Content-Transfer-Encoding: base64\n\n" % (b, ctype, disp))
                 .encode(),
                 base64.encodebytes(r.randbytes(size)),
                 ("\n--%s--\n" % b).encode()]
        return b"".join(parts)


def civil(t):
    """Seconds since the epoch to (y, m, d, H, M, S, weekday from Thursday)."""
    days, rem = divmod(t, 86400)
    wd = days % 7
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (m <= 2), m, d, rem // 3600, rem % 3600 // 60, rem % 60, wd)


def mboxrd(msg, sender, t):
    """One mboxrd entry: From_ line, quoted >*From lines, blank line."""
    y, mo, d, hh, mm, ss, wd = civil(t)
    days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    mons = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    out = [("From %s %s %s %2d %02d:%02d:%02d %d\n" % (
        sender, days[wd], mons[mo - 1], d, hh, mm, ss, y)).encode()]
    for line in msg.splitlines(keepends=True):
        if line.lstrip(b">").startswith(b"From "):
            line = b">" + line
        out.append(line)
    if not msg.endswith(b"\n"):
        out.append(b"\n")
    out.append(b"\n")
    return b"".join(out)


def write_big(path, seed):
    """A message whose body is BIG_BODY bytes, written chunk by chunk."""
    r = random.Random(seed * 7919 + 1)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        head = ("Received: from big.example.net (big.example.net [192.0.2.7])"
                "\n by mx.example.org (Postfix) with ESMTPS id BIG1\n"
                " for <alice@example.org>; Mon, 13 Nov 2023 10:00:00 +0000\n"
                "Date: Mon, 13 Nov 2023 10:59:58 +0100\n"
                "From: =?UTF-8?Q?J=C3=BCrgen_Gro=C3=9F?= <jg@example.net>\n"
                "To: Alice <alice@example.org>\n"
                "Subject: =?UTF-8?B?5aSn44GN44Gq5re75LuY44OV44Kh44Kk44Or?=\n"
                "Message-ID: <big.%d@example.net>\n"
                "MIME-Version: 1.0\n"
                'Content-Type: multipart/mixed; boundary="big"\n\n' % seed)
        f.write(head.encode())
        n = 0
        text = ("--big\nContent-Type: text/plain; charset=us-ascii\n\n"
                "The attachment is big.\nFrom here on, mbox writers quote.\n"
                "\n--big\nContent-Type: application/octet-stream\n"
                "Content-Disposition: attachment; filename=\"big.bin\"\n"
                "Content-Transfer-Encoding: base64\n\n").encode()
        f.write(text)
        n += len(text)
        tail = b"\n--big--\n"
        line_raw = 57                         # 57 bytes -> 76 base64 chars
        per_chunk = 1000
        while True:
            left = BIG_BODY - n - len(tail)
            if left <= 0:
                break
            lines = min(per_chunk, left // 77)
            if lines == 0:
                f.write(b"=" * (left - 1) + b"\n")
                n += left
                break
            raw = r.randbytes(line_raw * lines)
            chunk = base64.encodebytes(raw)   # 76 chars + LF per line
            f.write(chunk)
            n += len(chunk)
        f.write(tail)
    os.replace(tmp, path)


def generate(seed, n, outdir):
    g = Gen(seed)
    for name in ("maildir", "mbox", "mbox2000", "big.eml", "files.txt"):
        p = os.path.join(outdir, name)
        if os.path.isdir(p):
            shutil.rmtree(p)
        elif os.path.exists(p):
            os.unlink(p)
    md = os.path.join(outdir, "maildir")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(md, sub))
    t0 = 1699000000                   # early November 2023
    files = []
    with open(os.path.join(outdir, "mbox"), "wb") as mbox, \
            open(os.path.join(outdir, "mbox2000"), "wb") as mbox2:
        t = t0
        for i in range(n):
            t += g.r.randint(5, 600)
            msg = g.message(i, t)
            base = "%d.M%06dP%dQ%d.bench.example" % (t, i, 4000 + i % 5000,
                                                     seed)
            if g.r.random() < 0.7:
                rel = "cur/" + base + ":2," + g.r.choice(
                    ["S", "RS", "FS", "", "S"])
            else:
                rel = "new/" + base
            with open(os.path.join(md, rel), "wb") as f:
                f.write(msg)
            files.append(rel)
            entry = mboxrd(msg, "bench%d@example.org" % (i % 97), t)
            mbox.write(entry)
            if i < SUBSET:
                mbox2.write(entry)
    with open(os.path.join(outdir, "files.txt"), "w") as f:
        f.write("".join(x + "\n" for x in files))
    write_big(os.path.join(outdir, "big.eml"), seed)


# --- the MIME benchmark's inputs (mime/) -----------------------------------

MIME_HEAD = ("Date: Mon, 13 Nov 2023 11:00:00 +0100\n"
             "From: Bob <bob@example.net>\n"
             "To: Alice <alice@example.org>\n"
             "Subject: %s\n"
             "Message-ID: <%s@example.net>\n"
             "MIME-Version: 1.0\n"
             "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
             "This is a multi-part message in MIME format.\n\n"
             "--%s\n"
             "Content-Type: text/plain; charset=us-ascii\n\n"
             "%s\n")


def qp_text(r, size):
    """UTF-8 text of about size bytes that quoted-printable has work on:
    words, accented letters and dashes, '=' signs, tabs, some lines with
    trailing blanks and some longer than 76 bytes (soft line breaks)."""
    extra = [", ", ". ", "é", "ü", "—", "日本", "=", "\t", "  ", "!"]
    out, n = [], 0
    while n < size:
        width = r.choice([30, 50, 60, 70, 72, 90, 120, 200])
        line, w = [], 0
        while w < width:
            if r.random() < 0.15:
                tok = r.choice(extra)
            else:
                tok = "".join(chr(97 + r.randrange(26))
                              for _ in range(r.randint(1, 9))) + " "
            line.append(tok)
            w += len(tok)
        s = "".join(line)
        if r.random() < 0.9:
            s = s.rstrip(" \t")
        out.append(s)
        n += len(s.encode()) + 1
    return ("\n".join(out) + "\n").encode()


def write_mime(seed, outdir):
    """mime/: the 64 MiB attachment and the 200-attachment message."""
    d = os.path.join(outdir, "mime")
    stamp = os.path.join(d, "stamp")
    want = "gencorpus-mime %d seed %d\n" % (MIME_VERSION, seed)
    try:
        with open(stamp) as f:
            if f.read() == want:
                return
    except FileNotFoundError:
        pass
    print("gencorpus: writing the MIME inputs to %s" % d, file=sys.stderr)
    if os.path.isdir(d):
        shutil.rmtree(d)
    os.makedirs(os.path.join(d, "src"))
    r = random.Random(seed * 104729 + 3)
    with open(os.path.join(d, "body.txt"), "w") as f:
        f.write("The file is attached.\n")

    # One 64 MiB attachment, base64 in 76-column lines, written in chunks.
    with open(os.path.join(d, "att64.bin"), "wb") as raw, \
            open(os.path.join(d, "att64.eml"), "wb") as eml:
        eml.write((MIME_HEAD % ("A 64 MiB attachment", "att64.%d" % seed,
                                "=_att64", "=_att64", "The file is attached.")
                   ).encode())
        eml.write(b"--=_att64\nContent-Type: application/octet-stream\n"
                  b"Content-Disposition: attachment; filename=\"att64.bin\"\n"
                  b"Content-Transfer-Encoding: base64\n\n")
        left = MIME_BIG
        while left:
            chunk = r.randbytes(min(57 * 4096, left))
            raw.write(chunk)
            eml.write(base64.encodebytes(chunk))
            left -= len(chunk)
        eml.write(b"\n--=_att64--\n")

    # 200 attachments: even ones binary (16-192 KiB, base64), odd ones
    # UTF-8 text (4-64 KiB, quoted-printable).
    with open(os.path.join(d, "multi.eml"), "wb") as eml:
        eml.write((MIME_HEAD % ("200 attachments", "multi.%d" % seed,
                                "=_multi", "=_multi",
                                "The files are attached.")).encode())
        for i in range(MIME_PARTS):
            if i % 2 == 0:
                name = "f%03d.bin" % i
                data = r.randbytes(r.randint(16 << 10, 192 << 10))
                head = ("Content-Type: application/octet-stream\n"
                        "Content-Transfer-Encoding: base64\n")
                enc = base64.encodebytes(data)
            else:
                name = "f%03d.txt" % i
                data = qp_text(r, r.randint(4 << 10, 64 << 10))
                head = ("Content-Type: text/plain; charset=utf-8\n"
                        "Content-Transfer-Encoding: quoted-printable\n")
                enc = quopri.encodestring(data)
                if binascii.a2b_qp(enc) != data:
                    sys.exit("gencorpus.py: quoted-printable round trip "
                             "of %s differs" % name)
            with open(os.path.join(d, "src", name), "wb") as f:
                f.write(data)
            eml.write(("--=_multi\n%sContent-Disposition: attachment; "
                       "filename=\"%s\"\n\n" % (head, name)).encode())
            # The line break before a delimiter belongs to the delimiter
            # (RFC 2046): an empty line keeps the text's last newline.
            eml.write(enc + b"\n")
        eml.write(b"--=_multi--\n")
    with open(stamp + ".tmp", "w") as f:
        f.write(want)
    os.replace(stamp + ".tmp", stamp)


def main(argv):
    seed = int(argv[1]) if len(argv) > 1 else 1
    n = int(argv[2]) if len(argv) > 2 else 20000
    outdir = argv[3] if len(argv) > 3 else os.environ.get(
        "YUBIN_BENCH_DIR", "/tmp/yubin-bench")
    if n < 1:
        sys.exit("gencorpus.py: N must be at least 1")
    os.makedirs(outdir, exist_ok=True)
    stamp = os.path.join(outdir, "stamp")
    want = "gencorpus %d seed %d n %d\n" % (VERSION, seed, n)
    write_mime(seed, outdir)
    try:
        with open(stamp) as f:
            if f.read() == want:
                return 0
    except FileNotFoundError:
        pass
    if os.path.exists(stamp):
        os.unlink(stamp)
    print("gencorpus: writing %d messages (seed %d) to %s" % (n, seed, outdir),
          file=sys.stderr)
    generate(seed, n, outdir)
    with open(stamp + ".tmp", "w") as f:
        f.write(want)
    os.replace(stamp + ".tmp", stamp)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
