#!/usr/bin/env python3
"""Sends the same urlencoded and multipart writes to two servers and diffs what they answer.

    compare-forms.py BASE_A BASE_B [--verbose]

Both servers must serve their own fresh copy of seeded-redmine.sqlite3 (and its files). The steps are
the requests of spec/form_bodies_spec.cpp: creates and updates of time entries, issues (custom fields,
watchers, uploads), watchers, relations, journals, projects (trackers, modules), versions, categories,
memberships, users, groups, my account, news, wiki pages, attachments and project files, in every
encoding (urlencoded, multipart, none) with the query over the body and Rack's _method. Every answer
is compared (status, Content-Type, Location, body without timestamps). Exits 1 on any difference.
"""
import argparse
import json
import re
import sys
import urllib.error
import urllib.request

KEYS = {
    "admin": "0123456789abcdef0123456789abcdef01234567",
    "jsmith": "1111111111111111111111111111111111111111",
}
FORM = "application/x-www-form-urlencoded"
MULTI = "multipart/form-data; boundary=XyZ"
MULTIPART_ISSUE = ("--XyZ\r\nContent-Disposition: form-data; name=\"issue[subject]\"\r\n\r\nmulti\r\n"
                   "--XyZ\r\nContent-Disposition: form-data; name=\"issue[project_id]\"\r\n\r\n1\r\n--XyZ--\r\n")

# (user, method, path, body, content type, capture): "{x}" in a path or body is a value captured
# before as ("x", "json.path") from that step's answer, per server.
STEPS = [
    ("admin", "POST", "/time_entries.json?key=" + KEYS["admin"],
     "time_entry[issue_id]=1&time_entry[hours]=1.5&time_entry[activity_id]=9", FORM, ("te", "time_entry.id")),
    ("admin", "PUT", "/time_entries/{te}.json", "time_entry[hours]=3.25&time_entry[comments]=changed", FORM, None),
    ("admin", "GET", "/time_entries/{te}.json", None, None, None),
    ("admin", "PUT", "/time_entries/{te}.json", "time_entry[hours]=-1", FORM, None),
    ("admin", "POST", "/uploads.json?filename=a1.txt", "content a", "application/octet-stream", ("tok", "upload.token")),
    ("admin", "POST", "/issues.json",
     "issue[project_id]=1&issue[tracker_id]=1&issue[subject]=Form+issue&issue[custom_fields][][id]=1&"
     "issue[custom_fields][][value]=Major&issue[watcher_user_ids][]=5&issue[watcher_user_ids][]=7&"
     "issue[is_private]=0&issue[estimated_hours]=2.5&issue[uploads][][token]={tok}"
     "&issue[uploads][][filename]=a1.txt&issue[uploads][][description]=up+a", FORM, ("issue", "issue.id")),
    ("admin", "GET", "/issues/{issue}.json?include=watchers,attachments", None, None, None),
    ("admin", "PUT", "/issues/{issue}.json",
     "issue[subject]=Form+issue+2&issue[notes]=a+note&issue[private_notes]=1&issue[custom_fields][][id]=1&"
     "issue[custom_fields][][value]=Minor&issue[done_ratio]=30", FORM, None),
    ("admin", "PUT", "/issues/{issue}.json", "issue[custom_field_values][1]=Trivial&issue[is_private]=true", FORM, None),
    ("admin", "GET", "/issues/{issue}.json?include=journals", None, None, None),
    ("admin", "PUT", "/issues/{issue}.json", "issue[subject]=", FORM, None),
    ("admin", "POST", "/issues/2/watchers.json", "user_id=6", FORM, None),
    ("admin", "GET", "/issues/2.json?include=watchers", None, None, None),
    ("admin", "POST", "/issues/2/relations.json",
     "relation[issue_to_id]=3&relation[relation_type]=precedes&relation[delay]=2", FORM, None),
    ("admin", "POST", "/issues/1/relations.json", "relation[issue_to_id]=3&relation[relation_type]=bogus", FORM, None),
    ("admin", "PUT", "/journals/1.json", "journal[notes]=edited+via+form&journal[private_notes]=1", FORM, None),
    ("admin", "GET", "/issues/1.json?include=journals", None, None, None),
    ("admin", "POST", "/projects.json",
     "project[name]=Form+proj&project[identifier]=form-proj&project[tracker_ids][]=1&"
     "project[tracker_ids][]=2&project[enabled_module_names][]=issue_tracking&"
     "project[enabled_module_names][]=wiki&project[is_public]=0&project[custom_fields][][id]=2&"
     "project[custom_fields][][value]=ACME", FORM, None),
    ("admin", "GET", "/projects/form-proj.json?include=trackers,enabled_modules", None, None, None),
    ("admin", "PUT", "/projects/form-proj.json",
     "project[description]=form+desc&project[tracker_ids][]=3&project[enabled_module_names][]=issue_tracking",
     FORM, None),
    ("admin", "GET", "/projects/form-proj.json?include=trackers,enabled_modules", None, None, None),
    ("admin", "PUT", "/projects/form-proj.json", "project[name]=", FORM, None),
    ("admin", "POST", "/projects/form-proj/versions.json",
     "version[name]=v-form&version[status]=locked&version[sharing]=descendants&version[due_date]=2026-12-01",
     FORM, ("version", "version.id")),
    ("admin", "PUT", "/versions/{version}.json", "version[description]=vdesc&version[status]=closed", FORM, None),
    ("admin", "GET", "/versions/{version}.json", None, None, None),
    ("admin", "POST", "/projects/form-proj/versions.json", "version[name]=&version[status]=open", FORM, None),
    ("admin", "POST", "/projects/form-proj/issue_categories.json",
     "issue_category[name]=cat-form&issue_category[assigned_to_id]=1", FORM, ("category", "issue_category.id")),
    ("admin", "PUT", "/issue_categories/{category}.json", "issue_category[name]=cat-form2", FORM, None),
    ("admin", "GET", "/issue_categories/{category}.json", None, None, None),
    ("admin", "POST", "/projects/form-proj/memberships.json",
     "membership[user_id]=5&membership[role_ids][]=3&membership[role_ids][]=4", FORM, ("member", "membership.id")),
    ("admin", "PUT", "/memberships/{member}.json", "membership[role_ids][]=", FORM, None),
    ("admin", "GET", "/memberships/{member}.json", None, None, None),
    ("admin", "PUT", "/memberships/{member}.json", "membership[role_ids][]=5", FORM, None),
    ("admin", "GET", "/memberships/{member}.json", None, None, None),
    ("admin", "POST", "/users.json",
     "user[login]=formuser&user[firstname]=Form&user[lastname]=User&user[mail]=form%40example.net&"
     "user[password]=formpass123&user[admin]=0&user[mail_notification]=none&send_information=0", FORM,
     ("user", "user.id")),
    ("admin", "PUT", "/users/{user}.json", "user[firstname]=Formed&user[admin]=1", FORM, None),
    ("admin", "GET", "/users/{user}.json", None, None, None),
    ("admin", "PUT", "/users/{user}.json", "user[mail]=bad", FORM, None),
    ("admin", "POST", "/groups.json", "group[name]=Form+group&group[user_ids][]=5&group[user_ids][]=6", FORM,
     ("group", "group.id")),
    ("admin", "POST", "/groups/{group}/users.json", "user_id=7", FORM, None),
    ("admin", "GET", "/groups/{group}.json?include=users", None, None, None),
    ("admin", "PUT", "/groups/{group}.json", "group[name]=", FORM, None),
    ("jsmith", "PUT", "/my/account.json", "user[firstname]=Johnny", FORM, None),
    ("jsmith", "GET", "/my/account.json", None, None, None),
    ("admin", "POST", "/projects/webshop/news.json", "news[title]=Form+news&news[summary]=sum&news[description]=desc",
     FORM, None),
    ("admin", "GET", "/projects/webshop/news.json?limit=1", None, None, None),
    ("admin", "PUT", "/news/1.json", "news[title]=", FORM, None),
    ("admin", "PUT", "/projects/webshop/wiki/FormPage.json", "wiki_page[text]=h1.+Form&wiki_page[comments]=c", FORM, None),
    ("admin", "GET", "/projects/webshop/wiki/FormPage.json", None, None, None),
    ("admin", "PATCH", "/attachments/1.json", "attachment[filename]=renamed.log&attachment[description]=form", FORM, None),
    ("admin", "GET", "/attachments/1.json", None, None, None),
    ("admin", "POST", "/uploads.json?filename=d1.txt", "content d", "application/octet-stream", ("tok2", "upload.token")),
    ("admin", "POST", "/projects/webshop/files.json", "file[token]={tok2}&file[filename]=d1.txt", FORM, None),
    ("admin", "GET", "/projects/webshop/files.json", None, None, None),
    ("admin", "POST", "/issues.json", MULTIPART_ISSUE, MULTI, None),
    ("admin", "POST", "/issues.xml", "issue[project_id]=1&issue[subject]=xml+via+form", FORM, None),
    ("admin", "POST", "/issues.json", "issue[project_id]=1&issue[subject]=no+ct", "", None),
    ("admin", "PUT", "/issues/1.json", "issue[subject]=", "", None),
    (None, "POST", "/time_entries.json",
     "key=" + KEYS["jsmith"] + "&time_entry[issue_id]=1&time_entry[hours]=1&time_entry[activity_id]=9", FORM, None),
    ("admin", "POST", "/time_entries.json?time_entry[comments]=q",
     '{"time_entry":{"issue_id":1,"hours":1,"activity_id":9}}', "application/json", None),
    ("admin", "POST", "/issues/1.json", "_method=put&issue[notes]=via+override", FORM, None),
    ("admin", "GET", "/issues/1.json?include=journals", None, None, None),
    ("admin", "PUT", "/issues/1.json", "issue[subject]=a&issue[subject][]=b", FORM, None),
    ("admin", "PUT", "/issues/1.json", "issue[subject]=%ff", FORM, None),
    ("admin", "PUT", "/issues/1.json", "x=1", "foo", None),
    ("admin", "GET", "/issues.json?a=%ff", None, None, None),
]

TIMES = re.compile(r'("(?:created_on|updated_on|closed_on|last_login_on|passwd_changed_on)":)"[^"]*"'
                   r'|(<(created_on|updated_on|closed_on|last_login_on|passwd_changed_on)>)[^<]*<')
RANDOM = re.compile(r'("api_key":)"[0-9a-f]{40}"|(<api_key>)[0-9a-f]{40}<')


def call(base, user, method, path, body, content_type):
    headers = {}
    if user:
        headers["X-Redmine-API-Key"] = KEYS[user]
    if content_type:
        headers["Content-Type"] = content_type
    data = body.encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.headers.get("Location", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.headers.get("Location", ""), e.read()


def normal(answer, base):
    status, ctype, location, body = answer
    text = body.decode("utf-8", "replace").replace(base, "{BASE}")
    text = TIMES.sub(lambda m: (m.group(1) + '"T"') if m.group(1) else (m.group(2) + "T<"), text)
    text = RANDOM.sub(lambda m: (m.group(1) + '"K"') if m.group(1) else (m.group(2) + "K<"), text)
    if ctype.startswith("application/json") and text:
        try:
            text = json.loads(text)
        except ValueError:
            pass
    return status, ctype.replace(" ", "").lower(), location.replace(base, "{BASE}"), text


def dig(text, path):
    value = json.loads(text)
    for part in path.split("."):
        value = value[part]
    return str(value)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    captured = {args.a: {}, args.b: {}}
    differ = 0
    for i, (user, method, path, body, ctype, capture) in enumerate(STEPS):
        answers = {}
        for base in (args.a, args.b):
            fill = lambda s: s.format(**captured[base]) if s and "{" in s and not s.startswith("{\"") else s
            answers[base] = call(base, user, method, fill(path), fill(body), ctype)
            if capture and answers[base][0] in (200, 201):
                captured[base][capture[0]] = dig(answers[base][3], capture[1])
        a, b = normal(answers[args.a], args.a), normal(answers[args.b], args.b)
        if a != b:
            differ += 1
            print(f"DIFF step {i}: {user} {method} {path} {(body or '')[:160]!r}")
            print(f"  A: {str(a)[:700]}")
            print(f"  B: {str(b)[:700]}")
        elif args.verbose:
            print(f"same step {i}: {method} {path} -> {a[0]}")
    print(f"{len(STEPS) - differ} agree, {differ} differ")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
