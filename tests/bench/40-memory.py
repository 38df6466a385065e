"""Peak resident memory (wait4's ru_maxrss, through the maxrss helper) on
big.eml, a message with a 100 MiB body: streaming programs stay small."""

import os

from benchlib import BenchError, fmt_kib

TITLE = "Peak memory on a message with a 100 MiB body"
TARGET = 8 * 1024          # KiB


def run(b):
    big = os.path.getsize(b.path("big.eml"))

    def one_file(dest, size=None):
        def check():
            files = b.maildir_files(dest)
            if len(files) != 1:
                raise BenchError("%s holds %d messages, not 1"
                                     % (dest, len(files)))
            if size is not None and os.path.getsize(files[0]) < size:
                raise BenchError("%s: %d bytes delivered, want %d or more"
                                 % (dest, os.path.getsize(files[0]), size))
        return check

    def mbox_grew(dest):
        def check():
            got = os.path.getsize(b.path(dest))
            if got <= big:
                raise BenchError("%s: %d bytes, want more than %d"
                                     % (dest, got, big))
        return check

    hdr = b.task("Read the header")
    b.measure_rss(hdr, "yubin hdrparse", ["hdrparse", "-h", "subject",
                                          "big.eml"], ["hdrparse"],
                  yubin=True, rss_target=TARGET)
    b.measure_rss(hdr, "mblaze mhdr", ["mhdr", "-h", "subject", "./big.eml"],
                  ["mhdr"])

    md = b.task("Deliver to a Maildir")
    for tool, progs, dest, argv, yub in [
            ("yubin maildeliver", ["maildeliver"], "work/r-maildeliver",
             ["maildeliver", "work/r-maildeliver"], True),
            ("mblaze mdeliver", ["mdeliver"], "work/r-mdeliver",
             ["mdeliver", "work/r-mdeliver"], False),
            ("procmail -m", ["procmail"], "work/r-procmail",
             ["procmail", "-m", b.procmailrc("work/r-procmail")], False),
            ("maildrop", ["maildrop"], "work/r-maildrop",
             ["maildrop", b.maildrop_filter("work/r-maildrop")], False)]:
        b.measure_rss(md, tool, argv, progs, yubin=yub, stdin="big.eml",
                      setup=lambda d=dest: b.fresh_maildir(d),
                      check=one_file(dest, big if yub else None),
                      rss_target=TARGET if yub else None)

    mb = b.task("Deliver to an mbox")
    b.measure_rss(mb, "yubin maildeliver -m", ["maildeliver", "-m",
                                               "work/r-maildeliver.mbox"],
                  ["maildeliver"], yubin=True, stdin="big.eml",
                  setup=lambda: b.remove("work/r-maildeliver.mbox"),
                  check=mbox_grew("work/r-maildeliver.mbox"),
                  rss_target=TARGET)
    b.measure_rss(mb, "procmail -m", ["procmail", "-m", b.procmailrc(
        "work/r-procmail.mbox", maildir=False)], ["procmail"],
        stdin="big.eml", setup=lambda: b.remove("work/r-procmail.mbox"),
        check=mbox_grew("work/r-procmail.mbox"))

    b.emit(b.rss_table([hdr, md, mb]))
    floor = b.maxrss(["true"])[0] if b.maxrss_helper else None
    b.emit("big.eml is %d bytes. Peak RSS is the largest of %d runs after a "
           "warm-up (`true` shows %s measured the same way); the delivered "
           "file is checked after each run.\n"
           % (big, b.rss_runs, fmt_kib(floor)))

