"""The safe-text rule of DESIGN.md, for the Python oracles of the tests
(difftest/oracle.py, interop/pyoracle.py): written from DESIGN.md's
words, not from the C code in common/rec.c that it checks."""

ESC = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def safe(s):
    """A TSV field under the safe-text rule: \\ \\t \\n \\r, other controls
    and DEL as \\xHH, undecodable bytes (surrogate escapes) as U+FFFD."""
    out = []
    for ch in s:
        o = ord(ch)
        if ch in ESC:
            out.append(ESC[ch])
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02x" % o)
        elif 0xDC80 <= o <= 0xDCFF:
            out.append("\uFFFD")
        else:
            out.append(ch)
    return "".join(out)
