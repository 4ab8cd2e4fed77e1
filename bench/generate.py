#!/usr/bin/env python3
"""Fills a Redmine 5.0 database (made by `redmine-server db init`) with a realistic shape at a
chosen scale: projects, users, groups, memberships, custom fields, issues with journals, time
entries. Deterministic (seeded), and fast: 1M issues with ~5 journals each in a few minutes.

  generate.py DB.sqlite3 --issues 100000 [--projects 100] [--users 200] [--time-entries 200000]
  generate.py DB.sqlite3 --to-mysql DIR     # then: mariadb --local-infile DB < DIR/load.sql

The admin API key stays as `db init` made it; bench users get fixed keys (bench-key-N, padded).
"""
import argparse
import os
import random
import sqlite3
import time

MODULES = ["issue_tracking", "time_tracking", "news", "documents", "files", "wiki", "repository",
           "boards", "calendar", "gantt"]


def key_for(n):
    return ("%040x" % (0xBE4C0000 + n))[-40:]


def chunks(rows, size=20000):
    batch = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(db, table, columns, rows):
    sql = "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(columns), ", ".join("?" * len(columns)))
    n = 0
    for batch in chunks(rows):
        db.executemany(sql, batch)
        n += len(batch)
    return n


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def generate(db, a):
    rnd = random.Random(42)
    now = int(time.time())
    t0 = now - 3 * 365 * 86400
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    # Users (ids from 100) and groups (ids from 10000); password hashes are not usable on purpose.
    users = list(range(100, 100 + a.users))
    insert(db, "users", ["id", "login", "hashed_password", "firstname", "lastname", "admin", "status", "language",
                         "created_on", "updated_on", "type", "mail_notification", "salt", "must_change_passwd"],
           ((u, "user%d" % u, "x", "First%d" % u, "Last%d" % u, 0, 1, "en", stamp(t0), stamp(t0), "User",
             "only_my_events", "", 0) for u in users))
    insert(db, "email_addresses", ["user_id", "address", "is_default", "notify", "created_on", "updated_on"],
           ((u, "user%d@example.net" % u, 1, 1, stamp(t0), stamp(t0)) for u in users))
    insert(db, "tokens", ["user_id", "action", "value", "created_on", "updated_on"],
           ((u, "api", key_for(u), stamp(t0), stamp(t0)) for u in users))
    groups = list(range(10000, 10000 + max(1, a.users // 20)))
    insert(db, "users", ["id", "login", "hashed_password", "firstname", "lastname", "admin", "status", "language",
                         "created_on", "updated_on", "type", "mail_notification", "must_change_passwd"],
           ((g, "", "", "", "Group %d" % g, 0, 1, "", stamp(t0), stamp(t0), "Group", "", 0) for g in groups))
    insert(db, "groups_users", ["group_id", "user_id"], ((g, u) for g in groups for u in rnd.sample(users, 10)))
    # Projects: flat roots in a nested set (lft/rgt), all modules and trackers.
    projects = list(range(1, a.projects + 1))
    insert(db, "projects", ["id", "name", "description", "homepage", "is_public", "created_on", "updated_on",
                            "identifier", "status", "lft", "rgt", "inherit_members"],
           ((p, "Project %d" % p, "Bench project %d" % p, "", 1 if p % 5 else 0, stamp(t0), stamp(t0),
             "project-%d" % p, 1, 2 * p - 1, 2 * p, 0) for p in projects))
    insert(db, "enabled_modules", ["project_id", "name"], ((p, m) for p in projects for m in MODULES))
    insert(db, "projects_trackers", ["project_id", "tracker_id"], ((p, t) for p in projects for t in (1, 2, 3)))
    # Memberships: each user in ~5 projects as Manager/Developer/Reporter.
    member_id = 0
    members, member_roles = [], []
    for u in users:
        for p in rnd.sample(projects, min(5, len(projects))):
            if u == 100 and p == 1:
                continue
            member_id += 1
            members.append((member_id, u, p, stamp(t0), 0))
            member_roles.append((member_id, rnd.choice((3, 4, 5))))
    # The workload's user 100 is also a Manager of project 1, where it logs time and edits issues.
    member_id += 1
    members.append((member_id, 100, 1, stamp(t0), 0))
    member_roles.append((member_id, 3))
    insert(db, "members", ["id", "user_id", "project_id", "created_on", "mail_notification"], members)
    insert(db, "member_roles", ["member_id", "role_id"], member_roles)
    # Two issue custom fields for all projects, one time-entry field.
    insert(db, "custom_fields", ["id", "type", "name", "field_format", "possible_values", "is_for_all", "is_filter",
                                 "position", "searchable", "visible", "multiple"],
           [(1, "IssueCustomField", "Severity", "list", "---\n- Critical\n- Major\n- Minor\n", 1, 1, 1, 1, 1, 0),
            (2, "IssueCustomField", "Customer", "string", None, 1, 1, 2, 1, 1, 0),
            (3, "TimeEntryCustomField", "Billable", "bool", None, 0, 1, 1, 0, 1, 0)])
    insert(db, "custom_fields_trackers", ["custom_field_id", "tracker_id"], ((f, t) for f in (1, 2) for t in (1, 2, 3)))
    # Issues: one root per issue (no subtasks), with custom values, journals and details.
    n = a.issues
    span = now - t0

    def issues():
        for i in range(1, n + 1):
            created = t0 + span * i // (n + 1)
            status = rnd.choice((1, 1, 2, 2, 3, 4, 5, 6))
            yield (i, rnd.choice((1, 2, 3)), rnd.choice(projects), "Issue %d: %s" % (i, rnd.choice(
                ("checkout fails", "slow search", "add export", "update docs", "crash on save"))),
                   "Description of issue %d." % i, None, None, status, rnd.choice(users) if i % 3 else None,
                   rnd.choice((1, 2, 2, 2, 3, 4, 5)), None, rnd.choice(users), 0, stamp(created),
                   stamp(created + 3600), time.strftime("%Y-%m-%d", time.gmtime(created)), rnd.choice((0, 10, 50, 100)),
                   rnd.choice((None, 1.0, 2.5, 8.0)), None, i, 1, 2, 1 if i % 50 == 0 else 0,
                   stamp(created + 7200) if status >= 5 else None)
    insert(db, "issues", ["id", "tracker_id", "project_id", "subject", "description", "due_date", "category_id",
                          "status_id", "assigned_to_id", "priority_id", "fixed_version_id", "author_id",
                          "lock_version", "created_on", "updated_on", "start_date", "done_ratio", "estimated_hours",
                          "parent_id", "root_id", "lft", "rgt", "is_private", "closed_on"], issues())
    insert(db, "custom_values", ["customized_type", "customized_id", "custom_field_id", "value"],
           (("Issue", i, 1, rnd.choice(("Critical", "Major", "Minor", ""))) for i in range(1, n + 1)))

    journal_ids = iter(range(1, 10 ** 9))

    def journals():
        for i in range(1, n + 1):
            created = t0 + span * i // (n + 1)
            for j in range(a.journals):
                yield (next(journal_ids), i, "Issue", rnd.choice(users), "Note %d on issue %d" % (j, i) if j % 2 else "",
                       stamp(created + 600 * (j + 1)), 0)
    total_journals = insert(db, "journals", ["id", "journalized_id", "journalized_type", "user_id", "notes",
                                             "created_on", "private_notes"], journals())
    insert(db, "journal_details", ["journal_id", "property", "prop_key", "old_value", "value"],
           ((j, "attr", "status_id", "1", "2") for j in range(1, total_journals + 1)))

    def time_entries():
        for k in range(1, a.time_entries + 1):
            issue = rnd.randint(1, n)
            day = t0 + span * k // (a.time_entries + 1)
            tm = time.gmtime(day)
            yield (k, rnd.choice(projects), rnd.choice(users), issue, rnd.choice((0.5, 1.0, 1.5, 2.0, 4.0)),
                   "Work %d" % k, rnd.choice((8, 9)), time.strftime("%Y-%m-%d", tm), tm.tm_year, tm.tm_mon,
                   int(time.strftime("%V", tm)), stamp(day), stamp(day), rnd.choice(users))
    insert(db, "time_entries", ["id", "project_id", "user_id", "issue_id", "hours", "comments", "activity_id",
                                "spent_on", "tyear", "tmonth", "tweek", "created_on", "updated_on", "author_id"],
           time_entries())
    db.commit()


def to_mysql(db, out):
    """Writes every table as TSV plus a load.sql for `mariadb --local-infile`."""
    os.makedirs(out, exist_ok=True)
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    with open(os.path.join(out, "load.sql"), "w") as load:
        load.write("SET foreign_key_checks=0; SET unique_checks=0; SET sql_mode='NO_AUTO_VALUE_ON_ZERO';\n")
        for t in tables:
            cur = db.execute('SELECT * FROM "%s"' % t)
            cols = [d[0] for d in cur.description]
            path = os.path.abspath(os.path.join(out, t + ".tsv"))
            with open(path, "w", encoding="utf-8") as f:
                for row in cur:
                    f.write("\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", "\\t")
                                      .replace("\n", "\\n") for v in row) + "\n")
            load.write("DELETE FROM `%s`;\nLOAD DATA LOCAL INFILE '%s' INTO TABLE `%s` (%s);\n"
                       % (t, path, t, ", ".join("`%s`" % c for c in cols)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("db")
    ap.add_argument("--issues", type=int, default=10000)
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--users", type=int, default=200)
    ap.add_argument("--journals", type=int, default=5)
    ap.add_argument("--time-entries", type=int, default=200000)
    ap.add_argument("--to-mysql", default=None)
    a = ap.parse_args()
    db = sqlite3.connect(a.db)
    if a.to_mysql:
        to_mysql(db, a.to_mysql)
        return
    started = time.time()
    generate(db, a)
    db.execute("PRAGMA journal_mode=WAL")
    db.close()
    print("generated %d issues in %.0f s" % (a.issues, time.time() - started))


if __name__ == "__main__":
    main()
