#!/usr/bin/python3
# Postfix pipe(8) delivery for the lab: store the message in STORE/Maildir
# and its envelope in STORE/envelope/ under the same name.  The envelope is
# written first, so a message visible in new/ always has its envelope.
# Usage: store.py STORE sender=S recipient=R sasl_username=U client_helo=H
import os
import sys
import time

def main():
    store = sys.argv[1]
    env = dict(a.split('=', 1) for a in sys.argv[2:])
    data = sys.stdin.buffer.read()
    name = '%d.P%dN%d.lab' % (time.time(), os.getpid(), time.time_ns())
    md = os.path.join(store, 'Maildir')
    tmp = os.path.join(md, 'tmp', name)
    with open(tmp, 'wb') as f:
        f.write(data)
    with open(os.path.join(store, 'envelope', name), 'w') as f:
        for k in ('sender', 'recipient', 'sasl_username', 'client_helo'):
            f.write('%s=%s\n' % (k, env.get(k, '')))
    os.rename(tmp, os.path.join(md, 'new', name))

try:
    main()
except Exception as e:
    print('lab store: %s' % e, file=sys.stderr)
    sys.exit(75)  # EX_TEMPFAIL: Postfix defers
