#!/usr/bin/env python3
# postbodies.py URL CA CERT KEY DIR: POST every file of DIR to URL over
# mutual TLS (keep-alive, reconnecting when the server closes), and check
# that each is refused with a 4xx and a JSON {"error", "reason"}; a body
# the server cuts off while it is sent (past max_body) counts as refused
# when a 413 came or the connection was closed on it.  Prints a summary;
# exit 1 on the first body answered otherwise.
import http.client
import json
import os
import ssl
import sys
from urllib.parse import urlparse

url, ca, cert, key, folder = sys.argv[1:6]
u = urlparse(url)
ctx = ssl.create_default_context(cafile=ca)
ctx.load_cert_chain(cert, key)
conn = None
classes = {}


def connect():
    return http.client.HTTPSConnection(u.hostname, u.port, context=ctx,
                                       timeout=20)


for name in sorted(os.listdir(folder)):
    body = open(os.path.join(folder, name), "rb").read()
    for attempt in range(2):
        if conn is None:
            conn = connect()
        try:
            conn.request("POST", u.path, body=body,
                         headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            status = r.status
            if r.getheader("Connection", "").lower() == "close":
                conn.close()
                conn = None
            break
        except (BrokenPipeError, ConnectionResetError,
                http.client.RemoteDisconnected, ssl.SSLError) as e:
            conn.close()
            conn = None
            if len(body) > 1024 * 1024:
                status, data = 413, b'{"error":"oversize","reason":"cut"}'
                break
            if attempt == 1:
                print("FAIL %s: %s" % (name, e))
                sys.exit(1)
    try:
        j = json.loads(data)
    except ValueError:
        j = None
    if not (400 <= status < 500) or not isinstance(j, dict) or \
            not j.get("error") or not j.get("reason"):
        print("FAIL %s: %d %r" % (name, status, data[:200]))
        sys.exit(1)
    classes[j["error"]] = classes.get(j["error"], 0) + 1
print("refused %d bodies: %s" % (sum(classes.values()),
      ", ".join("%s %d" % kv for kv in sorted(classes.items()))))
