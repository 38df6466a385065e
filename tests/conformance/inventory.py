#!/usr/bin/env python3
"""Count what the conformance runner must do.

    inventory.py TESTSDIR [FILES]

For every file listed in FILES (default: the FILES beside this script),
the number of `test "NAME" {` blocks; then, by extension, files and
blocks; then every vnd.dovecot.testsuite command and test (an
identifier starting with test_) with the number of times it is used,
most used first.  Comments and strings are skipped, so a word inside a
string does not count."""
import collections
import os
import re
import sys

TOKEN = re.compile(r'#[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|text:[ \t]*(?:#[^\n]*)?\n'
                   r'(?:.*?\n)??\.\r?\n|[A-Za-z_][A-Za-z0-9_]*|.', re.S)


def words(src):
    for m in TOKEN.finditer(src):
        t = m.group(0)
        if t[0] in '#"/' and (t[0] != '/' or t.startswith('/*')):
            continue
        if t.startswith("text:"):
            continue
        yield t


def main(argv):
    tests = argv[0]
    files = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "FILES")
    per_ext = collections.OrderedDict()
    cmds = collections.Counter()
    total = 0
    for line in open(files):
        if not line.strip() or line.startswith("#"):
            continue
        path, ext = line.rstrip("\n").split("\t")
        src = open(os.path.join(tests, path), encoding="utf-8",
                   errors="replace").read()
        n = len(re.findall(r'^\s*test\s+"', src, re.M))
        total += n
        f, b = per_ext.get(ext, (0, 0))
        per_ext[ext] = (f + 1, b + n)
        for w in words(src):
            if w.startswith("test_") or w == "test":
                cmds[w] += 1
        print("%4d  %s" % (n, path))
    print("\nby extension: files/blocks")
    for ext, (f, b) in per_ext.items():
        print("  %-18s %2d %4d" % (ext, f, b))
    print("  %-18s %2d %4d" % ("all", sum(f for f, _ in per_ext.values()),
                                total))
    print("\ntestsuite commands and tests used:")
    for w, n in cmds.most_common():
        print("  %5d  %s" % (n, w))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
