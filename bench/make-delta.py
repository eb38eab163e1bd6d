#!/usr/bin/env python3
"""Writes a OneRoster 1.2.1 delta package that changes about 1% of a bulk package.

Usage: make-delta.py BULK_DIR OUT_DIR [PERCENT] [--without-deletions]

Every 100th user (for 1%) gets a new family name; every 100th student enrollment is deleted
(tobedeleted) and a new student (user, role, enrollment) takes its place in that class, so the
delta creates, updates and deletes.

--without-deletions leaves the deleted enrollments' rows out (everything else is the same): the
benchmark imports that package too, to show what the deletions themselves cost.
"""
import csv
import os
import sys

args = [a for a in sys.argv[1:] if a != "--without-deletions"]
deletions = len(args) == len(sys.argv) - 1
bulk, out = args[0], args[1]
percent = float(args[2]) if len(args) > 2 else 1.0
step = max(1, round(100 / percent))
stamp = "2026-11-27T12:00:00.000Z"
os.makedirs(out, exist_ok=True)


def read(name):
    f = open(os.path.join(bulk, name), newline="", encoding="utf-8")
    reader = csv.reader(f)
    return next(reader), reader


def write(name, header):
    w = csv.writer(open(os.path.join(out, name), "w", newline="", encoding="utf-8"), lineterminator="\r\n")
    w.writerow(header)
    return w


uh, users = read("users.csv")
ucol = {n: j for j, n in enumerate(uh)}
uw = write("users.csv", uh)
for i, row in enumerate(users):
    if i % step == 0:
        row[ucol["status"]], row[ucol["dateLastModified"]] = "active", stamp
        row[ucol["familyName"]] += "-Delta"
        uw.writerow(row)

eh, enrollments = read("enrollments.csv")
ecol = {n: j for j, n in enumerate(eh)}
ew = write("enrollments.csv", eh)
rh, _ = read("roles.csv")
rw = write("roles.csv", rh)
new = 0
for i, row in enumerate(enrollments):
    if i % step != 0 or row[ecol["role"]] != "student":
        continue
    row[ecol["status"]], row[ecol["dateLastModified"]] = "tobedeleted", stamp
    if deletions:
        ew.writerow(row)
    new += 1
    uid, school = f"usr-delta-{new:07d}", row[ecol["schoolSourcedId"]]
    user = {"sourcedId": uid, "status": "active", "dateLastModified": stamp, "enabledUser": "true",
            "username": uid, "givenName": "New", "familyName": f"Student{new}"}
    uw.writerow([user.get(n, "") for n in uh])
    role = {"sourcedId": f"rol-delta-{new:07d}", "status": "active", "dateLastModified": stamp,
            "userSourcedId": uid, "roleType": "primary", "role": "student", "orgSourcedId": school}
    rw.writerow([role.get(n, "") for n in rh])
    enr = dict(zip(eh, row))
    enr.update({"sourcedId": f"enr-delta-{new:07d}", "status": "active", "userSourcedId": uid})
    ew.writerow([enr[n] for n in eh])

# The manifest: these three files as delta, everything else absent.
with open(os.path.join(bulk, "manifest.csv"), newline="", encoding="utf-8") as f:
    manifest = list(csv.reader(f))
mw = csv.writer(open(os.path.join(out, "manifest.csv"), "w", newline="", encoding="utf-8"), lineterminator="\r\n")
for key, value in manifest:
    if key.startswith("file."):
        value = "delta" if key in ("file.users", "file.enrollments", "file.roles") else "absent"
    mw.writerow([key, value])
print(f"delta: {new} enrollments {'replaced' if deletions else 'added (deletions left out)'}, every {step}th user renamed")
