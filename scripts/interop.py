#!/usr/bin/env python3
"""One side of the interop check (scripts/interop.sh): what one server writes, the other reads.

  interop.py write BASE_URL STATE.json   create a user (password login) and attach an uploaded file
  interop.py read  BASE_URL STATE.json   log in as every user in STATE and download every file in it

STATE.json accumulates across runs, so a read checks what both servers wrote so far.
"""
import base64
import hashlib
import json
import os
import sys
import urllib.error
import urllib.request

ADMIN_KEY = "0123456789abcdef0123456789abcdef01234567"


def call(base, method, path, body=None, key=ADMIN_KEY, basic=None, content_type="application/json"):
    headers = {}
    if key:
        headers["X-Redmine-API-Key"] = key
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(("%s:%s" % basic).encode()).decode()
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def expect(what, status, wanted, body=b""):
    if status != wanted:
        sys.exit("FAIL %s: HTTP %d (wanted %d) %s" % (what, status, wanted, body[:300].decode("utf-8", "replace")))
    print("ok   %s" % what)


def write(base, state, tag):
    login, password = "interop-%s" % tag, "Interop-pass-%s-1" % tag
    status, body = call(base, "POST", "/users.json", {"user": {
        "login": login, "firstname": "Interop", "lastname": tag, "mail": "%s@example.net" % login,
        "password": password}})
    expect("%s creates user %s" % (tag, login), status, 201, body)
    state["users"].append([login, password])

    content = ("interop file written by %s\n" % tag).encode() + os.urandom(4096)
    name = "interop-%s.bin" % tag
    status, body = call(base, "POST", "/uploads.json?filename=" + name, content,
                        content_type="application/octet-stream")
    expect("%s accepts an upload" % tag, status, 201, body)
    token = json.loads(body)["upload"]["token"]
    status, body = call(base, "PUT", "/issues/%d.json" % (len(state["files"]) + 1), {"issue": {
        "notes": "attached by " + tag, "uploads": [{"token": token, "filename": name, "content_type": "application/octet-stream"}]}})
    expect("%s attaches it to an issue" % tag, status, 204, body)
    status, body = call(base, "GET", "/issues/%d.json?include=attachments" % (len(state["files"]) + 1))
    expect("%s shows the issue" % tag, status, 200, body)
    attachment = [a for a in json.loads(body)["issue"]["attachments"] if a["filename"] == name][0]
    state["files"].append([attachment["id"], name, hashlib.sha256(content).hexdigest()])


def read(base, state):
    for login, password in state["users"]:
        status, body = call(base, "GET", "/users/current.json", key=None, basic=(login, password))
        expect("Basic login of %s" % login, status, 200, body)
        if json.loads(body)["user"]["login"] != login:
            sys.exit("FAIL: /users/current answered another user for %s" % login)
    for attachment_id, name, digest in state["files"]:
        status, body = call(base, "GET", "/attachments/download/%d/%s" % (attachment_id, name))
        expect("download of %s" % name, status, 200, body)
        if hashlib.sha256(body).hexdigest() != digest:
            sys.exit("FAIL: %s downloads with other bytes" % name)
        print("ok   %s is byte-identical" % name)


def main():
    mode, base, path = sys.argv[1:4]
    state = json.load(open(path)) if os.path.exists(path) else {"users": [], "files": []}
    if mode == "write":
        write(base, state, sys.argv[4])
        json.dump(state, open(path, "w"))
    else:
        read(base, state)


if __name__ == "__main__":
    main()
