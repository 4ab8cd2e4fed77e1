#!/usr/bin/env python3
"""Replays one scripted sequence of issue writes against two servers and diffs what they answer.

    compare-writes.py BASE_A BASE_B [--db-a FILE --db-b FILE] [--verbose]

Each server must serve its own fresh copy of seeded-redmine.sqlite3 (e.g. the reference Redmine via
../shared/reference/serve-db.sh on port 3000, and ours with --database sqlite:/tmp/copy.sqlite3).
The sequence creates, updates (every attribute, notes, private notes, status along and against the
workflow, custom fields, parents and moves to another project, is_private), relates (every type,
delay), watches, edits and deletes journals and deletes issues, as admin, jsmith, dlopper and rhill.
Every answer (status, Location, body) is compared, then the touched issues are read back with
include=journals,children,relations,watchers,allowed_statuses as every user, with some lists.
Timestamps (created_on, updated_on, journal created_on) are ignored; closed_on only as set or not.
With --db-a/--db-b the database files are compared too (nested set, lock_version, journal_details,
watchers, relations, custom values), again without timestamps. Exits 1 on any difference.
"""
import argparse
import json
import re
import sqlite3
import sys
import time
import urllib.error
import urllib.request

KEYS = {
    "admin": "0123456789abcdef0123456789abcdef01234567",
    "jsmith": "1111111111111111111111111111111111111111",
    "dlopper": "2222222222222222222222222222222222222222",
    "rhill": "3333333333333333333333333333333333333333",
}
TIME_KEYS = {"created_on", "updated_on"}
SET_ONLY_KEYS = {"closed_on"}  # compared as present/absent only

# A step: (user, method, path, body). Paths and bodies may name earlier results as {name}.
# ("capture", name, user, path, expression) stores a value read from a GET (evaluated per server).
STEPS = [
    # --- creates ---
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": "webshop", "tracker_id": 1, "subject": "Compare A", "description": "First",
        "priority_id": 3, "assigned_to_id": 6, "category_id": 1, "fixed_version_id": 1,
        "start_date": "2026-03-01", "due_date": "2026-03-10", "estimated_hours": 3.5, "done_ratio": 10,
        "custom_fields": [{"id": 1, "value": "Major"}], "watcher_user_ids": [5, 7], "is_private": False}},
     "a"),
    ("jsmith", "POST", "/projects/webshop-mobile/issues.json", {"issue": {
        "tracker_id": 2, "subject": "Compare B child of 16", "parent_issue_id": 16,
        "start_date": "2026-04-01", "due_date": "2026-04-05", "estimated_hours": "2", "done_ratio": 40}},
     "b"),
    ("rhill", "POST", "/projects/webshop/issues.json", {"issue": {
        "tracker_id": 1, "subject": "Compare C by reporter", "status_id": 5, "is_private": True,
        "assigned_to_id": 5, "watcher_user_ids": [6], "priority_id": 4,
        "custom_fields": [{"id": 1, "value": "Minor"}]}}, "c"),
    ("dlopper", "POST", "/issues.json", {"issue": {
        "project_id": "internal-tools", "tracker_id": 3, "subject": "Compare D under 26",
        "parent_issue_id": 26, "start_date": "2026-05-02", "due_date": "2026-05-09", "estimated_hours": 1}},
     "d"),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "tracker_id": 2, "subject": "Compare E closed", "status_id": 5,
        "start_date": "2026-06-01", "due_date": "2026-06-03"}}, "e"),
    ("jsmith", "POST", "/issues.json", {"issue": {
        "project_id": 1, "tracker_id": 1, "subject": "Compare F private", "is_private": "1",
        "watcher_user_ids": ["6", "8"], "start_date": "2026-02-01", "due_date": "2026-02-04"}}, "f"),
    ("jsmith", "POST", "/issues.json", {"issue": {
        "project_id": 1, "tracker_id": 2, "subject": "Compare G", "start_date": "2026-01-10",
        "due_date": "2026-01-12"}}, "g"),
    ("admin", "POST", "/issues.xml", {"issue": {
        "project_id": 2, "tracker_id": 3, "subject": "Compare H xml", "parent_issue_id": "#16",
        "description": "From XML", "estimated_hours": "1.5"}}, "h"),
    ("admin", "PUT", "/issues/{h}.json", {"issue": {"custom_field_values": {"1": "Trivial"}}}, None),
    # create validations and permissions
    ("admin", "POST", "/issues.json", {"issue": {"project_id": 1, "tracker_id": 1}}, None),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "subject": "x", "start_date": "2026-02-30", "due_date": "soon",
        "estimated_hours": "abc", "done_ratio": 120}}, None),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "subject": "x", "start_date": "2026-05-10", "due_date": "2026-05-01",
        "fixed_version_id": 99, "category_id": 99, "assigned_to_id": 1, "priority_id": 99,
        "parent_issue_id": 9999, "custom_fields": [{"id": 1, "value": "Bogus"}]}}, None),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "subject": "open under closed", "parent_issue_id": "{e}"}}, None),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "subject": "cross tree parent", "parent_issue_id": 23}}, None),
    ("rhill", "POST", "/issues.json", {"issue": {"project_id": 3, "subject": "not a member"}}, None),
    ("dlopper", "POST", "/issues.json", {"issue": {"subject": "no project"}}, None),
    ("admin", "POST", "/issues.json", {"issue": {
        "project_id": 1, "subject": "x", "tracker_id": 99, "status_id": 99}}, "x1"),
    # --- updates ---
    ("admin", "PUT", "/issues/{a}.json", {"issue": {
        "subject": "Compare A edited", "description": "Second", "tracker_id": 2, "priority_id": 4,
        "assigned_to_id": 5, "category_id": 2, "fixed_version_id": 2, "start_date": "2026-03-02",
        "due_date": "2026-03-12", "estimated_hours": "2.5", "done_ratio": 50,
        "custom_fields": [{"id": 1, "value": "Minor"}], "notes": "Admin edit", "private_notes": True}}, None),
    ("jsmith", "PUT", "/issues/{a}.json", {"issue": {"status_id": 2, "notes": "In progress now"}}, None),
    ("rhill", "PUT", "/issues/{a}.json", {"issue": {
        "status_id": 5, "subject": "Reporter tries", "notes": "Reporter note", "priority_id": 1}}, None),
    ("dlopper", "PUT", "/issues/{a}.json", {"issue": {
        "status_id": 3, "done_ratio": 80, "notes": "Developer resolves", "private_notes": "1"}}, None),
    ("dlopper", "PUT", "/issues/{a}.json", {"issue": {"status_id": 1, "notes": "Back to new?"}}, None),
    ("jsmith", "PUT", "/issues/{a}.json", {"issue": {
        "estimated_hours": 2.5, "description": "Second", "start_date": "2026-03-02", "notes": ""}}, None),
    ("jsmith", "PUT", "/issues/{a}.json", {"issue": {"estimated_hours": "", "due_date": "",
                                                     "category_id": "", "assigned_to_id": "me"}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"is_private": True}}, None),
    ("jsmith", "PUT", "/issues/{a}.json", {"issue": {"is_private": "0", "notes": "public again"}}, None),
    ("rhill", "PUT", "/issues/{c}.json", {"issue": {"is_private": False, "subject": "own edit"}}, None),
    ("admin", "PUT", "/issues/{c}.json", {"issue": {"status_id": 5, "notes": "closing"}}, None),
    ("admin", "PUT", "/issues/{c}.json", {"issue": {"status_id": 2}}, None),
    ("dlopper", "PUT", "/issues/5.json", {"issue": {"status_id": 1, "notes": "feedback to new"}}, None),
    ("dlopper", "PUT", "/issues/10.json", {"issue": {"status_id": 3}}, None),
    ("rhill", "PUT", "/issues/10.json", {"issue": {"status_id": 5, "notes": "reporter closes"}}, None),
    # custom field and validation errors on update
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"custom_fields": [{"id": 1, "value": "Nope"}]}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"subject": "", "done_ratio": -1}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"start_date": "2026-09-01", "due_date": "2026-08-01"}},
     None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"subject": "stale", "lock_version": 0}}, None),
    ("admin", "PUT", "/issues/{a}.xml", {"issue": {"done_ratio": "70", "notes": "xml"}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"custom_field_values": {"1": ""}, "notes": "cf cleared"}},
     None),
    # parents and moves
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"parent_issue_id": 7, "notes": "into tree 7"}}, None),
    ("admin", "PUT", "/issues/{g}.json", {"issue": {"parent_issue_id": "{a}"}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"parent_issue_id": 1}}, None),
    ("jsmith", "PUT", "/issues/{a}.json", {"issue": {"parent_issue_id": 2}}, None),
    ("admin", "PUT", "/issues/1.json", {"issue": {"parent_issue_id": "{g}"}}, None),
    ("admin", "PUT", "/issues/{a}.json", {"issue": {"parent_issue_id": ""}}, None),
    ("admin", "PUT", "/issues/{b}.json", {"issue": {"project_id": "webshop", "notes": "moved"}}, None),
    ("admin", "PUT", "/issues/17.json", {"issue": {"project_id": "internal-tools"}}, None),
    ("admin", "PUT", "/issues/16.json", {"issue": {"project_id": 1, "fixed_version_id": 2}}, None),
    ("admin", "PUT", "/issues/{h}.json", {"issue": {"parent_issue_id": "", "project_id": 3,
                                                    "notes": "to internal tools"}}, None),
    ("dlopper", "PUT", "/issues/{d}.json", {"issue": {"parent_issue_id": 23}}, None),
    ("jsmith", "PUT", "/issues/27.json", {"issue": {"start_date": "2026-07-01", "due_date": "2026-07-20",
                                                    "estimated_hours": 3, "done_ratio": 30,
                                                    "priority_id": 5}}, None),
    ("jsmith", "PUT", "/issues/26.json", {"issue": {"start_date": "2026-01-01", "priority_id": 1,
                                                    "done_ratio": 90, "subject": "parent edit"}}, None),
    # --- relations ---
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 14,
                                                                  "relation_type": "relates"}}, "r1"),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 15,
                                                                  "relation_type": "duplicates"}}, "r2"),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 12,
                                                                  "relation_type": "duplicated"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 13,
                                                                  "relation_type": "blocks"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 11,
                                                                  "relation_type": "blocked"}}, None),
    ("admin", "POST", "/issues/{f}/relations.json", {"relation": {"issue_to_id": "{g}",
                                                                  "relation_type": "precedes",
                                                                  "delay": 2}}, "r3"),
    ("admin", "POST", "/issues/{e}/relations.json", {"relation": {"issue_to_id": "{f}",
                                                                  "relation_type": "follows",
                                                                  "delay": "3"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 30,
                                                                  "relation_type": "copied_to",
                                                                  "delay": 5}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 6,
                                                                  "relation_type": "copied_from"}}, None),
    ("jsmith", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 9,
                                                                   "relation_type": "precedes"}}, None),
    ("dlopper", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 4,
                                                                    "relation_type": "relates"}}, None),
    ("rhill", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 5,
                                                                  "relation_type": "relates"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": "{a}",
                                                                  "relation_type": "relates"}}, None),
    ("admin", "POST", "/issues/14/relations.json", {"relation": {"issue_to_id": "{a}",
                                                                 "relation_type": "relates"}}, None),
    ("admin", "POST", "/issues/{g}/relations.json", {"relation": {"issue_to_id": "{f}",
                                                                  "relation_type": "precedes"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 23,
                                                                  "relation_type": "relates"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 3,
                                                                  "relation_type": "sibling"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": 3,
                                                                  "relation_type": "precedes",
                                                                  "delay": "abc"}}, None),
    ("admin", "POST", "/issues/{a}/relations.json", {"relation": {"issue_to_id": "",
                                                                  "relation_type": "relates"}}, None),
    ("admin", "POST", "/issues/{g}/relations.json", {"relation": {"issue_to_id": "{a}",
                                                                  "relation_type": "relates"}}, None),
    # the preceding issue's dates move: the followers are rescheduled
    ("jsmith", "PUT", "/issues/{f}.json", {"issue": {"start_date": "2026-02-10",
                                                     "due_date": "2026-02-20"}}, None),
    ("jsmith", "PUT", "/issues/{e}.json", {"issue": {"start_date": "2026-01-01",
                                                     "due_date": "2026-01-02"}}, None),
    ("admin", "GET", "/relations/{r3}.json", None, None),
    ("admin", "GET", "/issues/{a}/relations.xml", None, None),
    ("admin", "DELETE", "/relations/{r2}.json", None, None),
    ("rhill", "DELETE", "/relations/{r1}.json", None, None),
    ("dlopper", "DELETE", "/relations/{r1}.json", None, None),
    # --- watchers ---
    ("admin", "POST", "/issues/{a}/watchers.json", {"user_id": 6}, None),
    ("admin", "POST", "/issues/{a}/watchers.json", {"user_id": 6}, None),
    ("jsmith", "POST", "/issues/{a}/watchers.json", {"user_id": 8}, None),
    ("rhill", "POST", "/issues/{a}/watchers.json", {"user_id": 7}, None),
    ("dlopper", "POST", "/issues/{a}/watchers.json", {"user_id": 7}, None),
    ("admin", "DELETE", "/issues/{a}/watchers/5.json", None, None),
    ("rhill", "DELETE", "/issues/{a}/watchers/6.json", None, None),
    ("admin", "DELETE", "/issues/{a}/watchers/999.json", None, None),
    ("admin", "POST", "/issues/{a}/watchers.json", {"user_id": 999}, None),
    # --- journals ---
    ("capture", "j_first", "admin", "/issues/{a}.json?include=journals",
     lambda d: d["issue"]["journals"][0]["id"]),
    ("capture", "j_private", "admin", "/issues/{a}.json?include=journals",
     lambda d: [j for j in d["issue"]["journals"] if j["private_notes"]][0]["id"]),
    ("capture", "j_notes_only", "admin", "/issues/{a}.json?include=journals",
     lambda d: [j for j in d["issue"]["journals"] if not j["details"] and j["notes"]][-1]["id"]),
    ("capture", "j_10", "admin", "/issues/10.json?include=journals",
     lambda d: d["issue"]["journals"][0]["id"]),
    ("jsmith", "PUT", "/journals/{j_first}.json", {"journal": {"notes": "edited by jsmith"}}, None),
    ("dlopper", "PUT", "/journals/{j_first}.json", {"journal": {"notes": "developer edit"}}, None),
    ("rhill", "PUT", "/journals/{j_private}.json", {"journal": {"notes": "reporter edit"}}, None),
    ("admin", "PUT", "/journals/{j_private}.json", {"journal": {"notes": "", "private_notes": "0"}}, None),
    ("jsmith", "PUT", "/journals/{j_notes_only}.json", {"journal": {"notes": ""}}, None),
    ("jsmith", "PUT", "/journals/{j_notes_only}.json", {"journal": {"notes": "gone?"}}, None),
    ("jsmith", "PUT", "/journals/{j_10}.xml", {"journal": {"private_notes": "1"}}, None),
    ("admin", "PUT", "/journals/99999.json", {"journal": {"notes": "x"}}, None),
    # --- deletes ---
    ("rhill", "DELETE", "/issues/{d}.json", None, None),
    ("dlopper", "DELETE", "/issues/{d}.json", None, None),
    ("admin", "DELETE", "/issues/{d}.json", None, None),
    ("admin", "DELETE", "/issues/{d}.json", None, None),
    ("jsmith", "DELETE", "/issues/18.json", None, None),
    ("admin", "DELETE", "/issues/{g}.json", None, None),
    ("admin", "POST", "/issues.json", {"issue": {"project_id": 1, "subject": "after deletes"}}, "z"),
]

ISSUE_VARS = {"a", "b", "c", "d", "e", "f", "g", "h", "x1", "z"}
READ_USERS = ["admin", "jsmith", "dlopper", "rhill"]
FIXED_ISSUES = [1, 2, 3, 5, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 23, 26, 27, 29, 30]
LISTS = [
    "/issues.json?status_id=*&sort=id&limit=100",
    "/issues.json?status_id=*&sort=id&limit=100&include=relations",
    "/projects/webshop/issues.json?status_id=*&sort=id:desc&limit=100",
    "/projects/internal-tools/issues.json?status_id=*&sort=id&limit=100",
    "/issues.json?status_id=*&parent_id={a}&sort=id",
    "/issues.xml?status_id=*&sort=id&limit=100",
]


class Server:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.vars = {}

    def fill(self, v):
        if isinstance(v, str):
            m = re.fullmatch(r"\{(\w+)\}", v)
            if m and m.group(1) in self.vars and isinstance(self.vars[m.group(1)], int):
                return self.vars[m.group(1)]
            return re.sub(r"\{(\w+)\}", lambda m: str(self.vars.get(m.group(1), "none")), v)
        if isinstance(v, dict):
            return {k: self.fill(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.fill(x) for x in v]
        return v

    def request(self, user, method, path, body=None):
        path = self.fill(path)
        fmt = "xml" if re.search(r"\.xml(\?|$)", path) else "json"
        data = None
        headers = {"X-Redmine-API-Key": KEYS[user]}
        if body is not None:
            body = self.fill(body)
            data = json_to_xml(body).encode() if fmt == "xml" else json.dumps(body).encode()
            headers["Content-Type"] = "application/" + fmt
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        loc = hdrs.get("Location")
        if loc:
            loc = re.sub(r"^https?://[^/]+", "", loc)
        text = raw.decode("utf-8", "replace")
        return {"status": status, "location": loc, "body": parse(text, fmt)}


def json_to_xml(v, name=None):
    if name is None:
        (name, inner), = v.items()
        return '<?xml version="1.0" encoding="UTF-8"?>' + json_to_xml(inner, name)
    if isinstance(v, dict):
        return "<%s>%s</%s>" % (name, "".join(json_to_xml(x, k) for k, x in v.items()), name)
    if isinstance(v, list):
        if v and isinstance(v[0], dict):
            return '<%s type="array">%s</%s>' % (name, "".join(json_to_xml(x, name[:-1]) for x in v), name)
        return '<%s type="array">%s</%s>' % (name, "".join("<%s>%s</%s>" % (name[:-1], x, name[:-1])
                                                             for x in v), name)
    if isinstance(v, bool):
        v = "true" if v else "false"
    return "<%s>%s</%s>" % (name, v, name)


def parse(text, fmt):
    if not text.strip():
        return None
    if fmt == "json":
        try:
            return json.loads(text)
        except ValueError:
            return {"unparsed": text}
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return {"unparsed": text}

    def conv(e):
        out = {"@tag": e.tag}
        out.update({"@" + k: x for k, x in sorted(e.attrib.items())})
        kids = list(e)
        if kids:
            out["children"] = [conv(k) for k in kids]
        else:
            out["text"] = e.text or ""
        return out
    return conv(root)


def diff(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        tag = a.get("@tag")
        if tag in TIME_KEYS and b.get("@tag") == tag:
            return
        if tag in SET_ONLY_KEYS and b.get("@tag") == tag:
            if bool(a.get("text")) != bool(b.get("text")):
                out.append("%s: %r != %r" % (path, a.get("text"), b.get("text")))
            return
        if list(a.keys()) != list(b.keys()):
            out.append("%s: keys %s != %s" % (path, list(a.keys()), list(b.keys())))
        for k in a:
            if k not in b:
                continue
            if k in TIME_KEYS:
                continue
            if k in SET_ONLY_KEYS:
                if (a[k] is None) != (b[k] is None):
                    out.append("%s.%s: %r != %r" % (path, k, a[k], b[k]))
                continue
            diff(a[k], b[k], "%s.%s" % (path, k if tag is None else (a.get("@tag") + "/" + k)), out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append("%s: %d items != %d items" % (path, len(a), len(b)))
        for n, (x, y) in enumerate(zip(a, b)):
            label = x.get("@tag", n) if isinstance(x, dict) else n
            diff(x, y, "%s[%s]" % (path, label if label == n else "%d:%s" % (n, label)), out)
    elif type(a) != type(b) or a != b:
        out.append("%s: %s != %s" % (path, json.dumps(a)[:300], json.dumps(b)[:300]))


def remember(server, name, resp):
    if not name:
        return
    body = resp["body"] or {}
    value = None
    if isinstance(body, dict):
        for key in ("issue", "relation"):
            if isinstance(body.get(key), dict):
                value = body[key].get("id")
        if body.get("@tag") in ("issue", "relation"):
            for c in body.get("children", []):
                if c.get("@tag") == "id":
                    value = int(c["text"])
    if value is None and resp["location"]:
        value = int(resp["location"].rsplit("/", 1)[1])
    server.vars[name] = value


def run(a, b, verbose):
    failures = 0
    n = 0

    def compare(label, ra, rb):
        nonlocal failures, n
        n += 1
        out = []
        diff(ra, rb, "", out)
        if out:
            failures += 1
            print("DIFF %s" % label)
            for line in out[:40]:
                print("    " + line)
            if len(out) > 40:
                print("    ... %d more" % (len(out) - 40))
        elif verbose:
            print("same %s" % label)

    for step in STEPS:
        if step[0] == "capture":
            _, name, user, path, expr = step
            for s in (a, b):
                r = s.request(user, "GET", path)
                try:
                    s.vars[name] = expr(r["body"])
                except (KeyError, IndexError, TypeError):
                    s.vars[name] = None
            if a.vars[name] != b.vars[name] and verbose:
                print("note: %s is %s on A and %s on B" % (name, a.vars[name], b.vars[name]))
            continue
        user, method, path, body, name = step
        ra = a.request(user, method, path, body)
        rb = b.request(user, method, path, body)
        if method != "GET":
            # Redmine delivers its mails in a background thread that writes to SQLite too: let it finish,
            # or the next write may meet "database is locked" (a 500 of the reference, not a difference)
            time.sleep(0.3)
        remember(a, name, ra)
        remember(b, name, rb)
        compare("%s %s %s as %s" % (method, a.fill(path), json.dumps(a.fill(body))[:120] if body else "",
                                    user), ra, rb)

    touched = sorted(set(FIXED_ISSUES) | {v for k, v in a.vars.items() if k in ISSUE_VARS and v})
    inc = "include=journals,children,relations,watchers,allowed_statuses,attachments"
    for user in READ_USERS:
        for issue in touched:
            path = "/issues/%d.json?%s" % (issue, inc)
            compare("GET %s as %s" % (path, user), a.request(user, "GET", path), b.request(user, "GET", path))
    for issue in touched:
        path = "/issues/%d.xml?%s" % (issue, inc)
        compare("GET %s as admin" % path, a.request("admin", "GET", path), b.request("admin", "GET", path))
        path = "/issues/%d/relations.json" % issue
        compare("GET %s as admin" % path, a.request("admin", "GET", path), b.request("admin", "GET", path))
    for user in READ_USERS:
        for path in LISTS:
            compare("GET %s as %s" % (path, user), a.request(user, "GET", path), b.request(user, "GET", path))
    return n, failures


DB_TABLES = [
    ("issues", "id", {"created_on", "updated_on", "closed_on"}),
    ("journals", "id", {"created_on", "updated_on"}),
    ("journal_details", "id", set()),
    ("watchers", "watchable_type, watchable_id, user_id", {"id"}),
    ("issue_relations", "id", set()),
    ("custom_values", "customized_type, customized_id, custom_field_id, value", {"id"}),
    ("time_entries", "id", {"created_on", "updated_on"}),
]


def compare_dbs(file_a, file_b):
    failures = 0
    ca, cb = sqlite3.connect(file_a), sqlite3.connect(file_b)
    for table, order, skip in DB_TABLES:
        cols = [r[1] for r in ca.execute("PRAGMA table_info(%s)" % table)]
        sel = ", ".join("(%s IS NOT NULL)" % c if c == "closed_on" else c for c in cols if c not in skip
                        or c == "closed_on")
        names = [c for c in cols if c not in skip or c == "closed_on"]
        rows_a = ca.execute("SELECT %s FROM %s ORDER BY %s" % (sel, table, order)).fetchall()
        rows_b = cb.execute("SELECT %s FROM %s ORDER BY %s" % (sel, table, order)).fetchall()
        out = []
        ia = {r[0]: r for r in rows_a} if order == "id" else {r: r for r in rows_a}
        ib = {r[0]: r for r in rows_b} if order == "id" else {r: r for r in rows_b}
        for k in sorted(set(ia) | set(ib), key=str):
            ra, rb = ia.get(k), ib.get(k)
            if ra is None or rb is None:
                out.append("%s %s: only in %s: %s" % (table, k, "B" if ra is None else "A", ra or rb))
                continue
            for c, x, y in zip(names, ra, rb):
                if x != y and not (isinstance(x, (int, float)) and isinstance(y, (int, float)) and
                                   float(x) == float(y)):
                    out.append("%s %s.%s: %r != %r" % (table, k, c, x, y))
        if out:
            failures += 1
            print("DB DIFF %s" % table)
            for line in out[:60]:
                print("    " + line)
            if len(out) > 60:
                print("    ... %d more" % (len(out) - 60))
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("base_a")
    ap.add_argument("base_b")
    ap.add_argument("--db-a")
    ap.add_argument("--db-b")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    n, failures = run(Server(args.base_a), Server(args.base_b), args.verbose)
    db_failures = 0
    if args.db_a and args.db_b:
        db_failures = compare_dbs(args.db_a, args.db_b)
    print("%d compared, %d differ; %d database tables differ" % (n, failures, db_failures))
    sys.exit(1 if failures or db_failures else 0)


if __name__ == "__main__":
    main()
