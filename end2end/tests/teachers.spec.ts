import { test, expect, Page, Browser, APIRequestContext } from "@playwright/test";
import * as fs from "node:fs";
import * as path from "node:path";
import { admin, auditor, demo } from "../playwright.config";
import { signIn, open, hydrated, cli, demoRows } from "./support";

test("an admin invites a teacher, who sees only their own classes and reports a missing student; the admin resolves it", async ({ page, browser }) => {
  await signIn(page, admin);

  // A teacher of the demo district, from the data browser.
  await open(page, "/data?tab=users&role=teacher&status=active");
  await page.getByTestId("data-table").getByRole("row").nth(1).getByRole("link").click();
  await expect(page).toHaveURL(/\/data\/users\//);
  await hydrated(page);
  const teacherName = ((await page.getByRole("heading", { level: 1 }).textContent()) ?? "").replace(/\s*active\s*$/, "").trim();
  const taught = page.getByTestId("user-classes").getByRole("listitem").filter({ hasText: "· teacher" });
  const ownClasses = (await taught.getByRole("link").allTextContents()).map((t) => t.trim()).sort();
  expect(ownClasses.length).toBeGreaterThan(0);
  await expect(page.getByTestId("teacher-access")).toHaveText("No Rollbook account yet.");

  // The invitation: a single-use link shown to the admin.
  await page.getByRole("button", { name: "Invite to Rollbook" }).click();
  const link = await page.getByTestId("invite-link").getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/welcome\?token=[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByTestId("teacher-access")).toContainText("Invited; the link works until");

  // The teacher opens it in their own browser and sets a password.
  const theirs = await browser.newContext();
  const teacher = await theirs.newPage();
  await teacher.goto(link);
  await hydrated(teacher);
  await expect(teacher.getByTestId("invitee")).toContainText(`${teacherName}, choose a password for`);
  const teacherEmail = ((await teacher.getByTestId("invitee").textContent()) ?? "").match(/choose a password for (\S+@[^\s]+?)\.?\s*$/)![1];
  await teacher.getByLabel("New password").fill("a long teacher password");
  await teacher.getByLabel("The same password again").fill("not the same one");
  await teacher.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(teacher.locator("#confirm-password-error")).toHaveText("The two passwords are not the same.");
  await teacher.getByLabel("The same password again").fill("a long teacher password");
  await teacher.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(teacher.getByRole("heading", { level: 1, name: "My classes" })).toBeVisible();

  // Only their own classes; the district's pages are not theirs.
  await expect(teacher.locator('a[href^="/my-classes/"]')).toHaveCount(ownClasses.length);
  const listed = (await teacher.locator('a[href^="/my-classes/"]').allTextContents()).map((t) => t.trim()).sort();
  expect(listed).toEqual(ownClasses);
  await expect(teacher.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["My classes", "Apps"]);
  await teacher.goto("/data");
  await expect(teacher).toHaveURL(/\/my-classes$/);
  // Signed out, they come back through the same sign-in page as the district's staff.
  await hydrated(teacher);
  await teacher.getByRole("button", { name: "Sign out" }).click();
  await expect(teacher).toHaveURL(/\/sign-in/);
  await hydrated(teacher);
  await teacher.getByLabel("E-mail").fill(teacherEmail);
  await teacher.getByLabel("Password").fill("a long teacher password");
  await teacher.getByRole("button", { name: "Sign in" }).click();
  await expect(teacher.getByRole("heading", { level: 1, name: "My classes" })).toBeVisible();
  await expect(teacher.locator('a[href^="/my-classes/"]')).toHaveCount(ownClasses.length);
  const refused = await teacher.request.post("/api/load_user", { form: { sourced_id: "x" } });
  expect(refused.status()).toBe(403);
  // A class of someone else (from the admin's class list) is refused to the teacher.
  await open(page, "/data?tab=classes");
  const rows = await page
    .getByTestId("data-table")
    .locator("tbody tr")
    .evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent?.trim() ?? "", tr.querySelector("td")?.textContent?.trim() ?? ""]));
  const otherClass = rows.find(([title]) => !ownClasses.includes(title));
  expect(otherClass).toBeTruthy();
  const other = await teacher.request.post("/api/my_class", { form: { sourced_id: otherClass![1] } });
  expect(other.status()).toBe(404);
  expect(await other.json()).toEqual({ NotFound: "This class is not one of yours." });

  // The first class: its list, and a report that a student is missing.
  await open(teacher, "/my-classes");
  await teacher.locator('a[href^="/my-classes/"]').first().click();
  await hydrated(teacher);
  await expect(teacher.getByTestId("class-list").getByRole("row").nth(1)).toBeVisible();
  await expect(teacher.getByRole("button", { name: "Print" })).toBeVisible();
  // The district shows teachers the student ID (the roster's identifier) unless it chooses otherwise.
  await expect(teacher.getByTestId("class-list").getByRole("columnheader")).toHaveText(["Name", "Grade", "Student ID"]);
  const classTitle = ((await teacher.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();
  // First the teacher confirms the list; the admins' attestation figures count it.
  await expect(teacher.getByTestId("review-state")).toContainText("Not reviewed");
  await teacher.getByRole("button", { name: "Yes, this list is correct" }).click();
  await expect(teacher.getByTestId("review-state")).toContainText("Attested");
  await open(page, "/roster-issues");
  await expect(page.getByTestId("attested-percent")).toHaveText(/^\d+% of classes attested$/);
  await expect(page.getByText(/^1 of \d+ classes confirmed by their teachers and unchanged since; 0 with open issues\.$/)).toBeVisible();
  // Then it finds a problem after all.
  await teacher.getByLabel("What is wrong").selectOption("missing_student");
  await teacher.getByRole("button", { name: "Send to the district" }).click();
  await expect(teacher.locator("#issue-student-name-error")).toHaveText("Name the student who is missing.");
  await teacher.getByLabel("Name of the missing student").fill("Jordan Example");
  await teacher.getByLabel("Comment").fill("Jordan transferred into this section last week.");
  await teacher.getByRole("button", { name: "Send to the district" }).click();
  await expect(teacher.getByRole("status").filter({ hasText: "the district has your report" })).toBeVisible();
  const reported = teacher.getByTestId("class-issues").getByRole("listitem").filter({ hasText: "Jordan Example" });
  await expect(reported).toContainText("Open");
  await expect(reported.getByTestId("issue-check")).toHaveText("Jordan Example is still not on the class list.");
  await expect(teacher.getByTestId("review-state")).toContainText("Problems reported");

  // The admin's class page shows the review state.
  const reportedId = decodeURIComponent(teacher.url().split("/my-classes/")[1]);
  await open(page, `/data/classes/${encodeURIComponent(reportedId)}`);
  await expect(page.getByTestId("class-review")).toContainText(`${teacherName} reported problems on`);
  await expect(page.getByTestId("class-review")).toContainText("1 open roster issue(s)");

  // The admin's queue: the dashboard counts it, the queue shows it, resolving needs a note.
  await open(page, "/");
  expect(Number(await page.getByTestId("open-issues").textContent())).toBeGreaterThanOrEqual(1);
  await page.getByTestId("open-issues").click();
  await expect(page).toHaveURL(/\/roster-issues$/);
  await hydrated(page);
  const card = page.getByTestId("issue").filter({ hasText: "Jordan Example" });
  await expect(card).toContainText(classTitle);
  await expect(card).toContainText(teacherName);
  await expect(card).toContainText("Jordan transferred into this section last week.");
  // An auditor sees the same open issue and nothing to change: no Resolve, no invitation.
  const auditorContext = await browser.newContext();
  const audit = await auditorContext.newPage();
  await signIn(audit, auditor);
  await open(audit, "/roster-issues");
  await expect(audit.getByTestId("issue").filter({ hasText: "Jordan Example" })).toContainText(teacherName);
  await expect(audit.getByRole("button")).toHaveText(["Sign out"]);
  await open(audit, `/data/classes/${encodeURIComponent(reportedId)}`);
  await expect(audit.getByTestId("class-review")).toContainText("1 open roster issue(s)");
  await open(audit, "/settings");
  await expect(audit.getByRole("heading", { name: "Class lists for teachers" })).toBeVisible();
  await expect(audit.getByRole("button", { name: /Save|Create account|Disable|Enable/ })).toHaveCount(0);
  await auditorContext.close();
  await card.getByRole("button", { name: "Resolve" }).click();
  await expect(card.locator(".field-error")).toHaveText("Say how the issue was resolved.");
  await card.getByLabel("How it was resolved").fill("Added Jordan in the SIS; the next import brings him.");
  await card.getByRole("button", { name: "Resolve" }).click();
  await expect(page.getByTestId("issue").filter({ hasText: "Jordan Example" })).toHaveCount(0);
  await open(page, "/roster-issues?all=1");
  await expect(page.getByTestId("issue").filter({ hasText: "Jordan Example" }).getByTestId("issue-resolution")).toContainText(
    "Added Jordan in the SIS",
  );

  // The teacher sees the answer.
  await teacher.reload();
  await hydrated(teacher);
  await expect(reported).toContainText("Resolved");
  await expect(reported).toContainText("District: Added Jordan in the SIS; the next import brings him.");
  await theirs.close();

  // Every step is in the audit log.
  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  for (const [action, who] of [
    ["Invited a teacher", admin.email],
    ["Accepted an invitation", ""],
    ["Reported a roster issue", ""],
    ["Resolved a roster issue", admin.email],
  ]) {
    const row = table.getByRole("row").filter({ hasText: action }).first();
    await expect(row).toBeVisible();
    if (who) await expect(row).toContainText(who);
  }
  await expect(table.getByRole("row").filter({ hasText: "Reported a roster issue" }).first()).toContainText("Jordan Example");
});

const V12 = "/ims/oneroster/rostering/v1p2";

/** Invites the teacher in row `row` of the data browser's teacher list and sets their password. */
async function newTeacher(page: Page, browser: Browser, row: number) {
  await open(page, "/data?tab=users&role=teacher&status=active");
  await page.getByTestId("data-table").getByRole("row").nth(row).getByRole("link").click();
  await hydrated(page);
  await page.getByRole("button", { name: "Invite to Rollbook" }).click();
  const link = await page.getByTestId("invite-link").getByLabel("Invitation link").inputValue();
  const context = await browser.newContext();
  const teacher = await context.newPage();
  await teacher.goto(link);
  await hydrated(teacher);
  await teacher.getByLabel("New password").fill("another long teacher password");
  await teacher.getByLabel("The same password again").fill("another long teacher password");
  await teacher.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(teacher.getByRole("heading", { level: 1, name: "My classes" })).toBeVisible();
  const first = teacher.locator('a[href^="/my-classes/"]').first();
  await expect(first).toBeVisible();
  const classId = decodeURIComponent(((await first.getAttribute("href")) ?? "").replace("/my-classes/", ""));
  const classTitle = ((await first.textContent()) ?? "").trim();
  return { context, teacher, classId, classTitle };
}

async function bearer(request: APIRequestContext, app: { client_id: string; client_secret: string }) {
  const res = await request.post("/oauth/token", {
    form: { grant_type: "client_credentials" },
    headers: { Authorization: "Basic " + Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64") },
  });
  expect(res.status()).toBe(200);
  return { Authorization: `Bearer ${(await res.json()).access_token}` };
}

test("a teacher asks for an app and the admin extends its share; where the admin allows it, a teacher switches an app on for a class and off again, and the app's deltas follow", async ({ page, browser, request }) => {
  await signIn(page, admin);
  const { context, teacher, classId, classTitle } = await newTeacher(page, browser, 2);

  // 1. A request for a registered app.
  const questName = `Math Quest ${Date.now()}`;
  const quest = JSON.parse(cli("app", "create", "--name", questName, "--json"));
  await open(teacher, "/my-apps");
  await teacher.getByLabel("App", { exact: true }).selectOption({ label: questName });
  await teacher.getByLabel("For", { exact: true }).selectOption(classId);
  await teacher.getByRole("button", { name: "Send the request" }).click();
  await expect(teacher.locator("#request-reason-error")).toHaveText("Say what the app is for.");
  await teacher.getByLabel("Why your classes need it").fill("Weekly practice quizzes for my class.");
  await teacher.getByRole("button", { name: "Send the request" }).click();
  await expect(teacher.getByRole("status").filter({ hasText: "the district has your request" })).toBeVisible();
  await expect(teacher.getByTestId("my-requests").getByRole("listitem").filter({ hasText: questName })).toContainText("Waiting");

  // The admin approves it and lands in the app's share with the class added; the impact
  // preview comes before saving.
  await open(page, "/");
  expect(Number(await page.getByTestId("open-requests").textContent())).toBeGreaterThanOrEqual(1);
  await open(page, "/app-requests");
  const card = page.getByTestId("app-request").filter({ hasText: questName });
  await expect(card).toContainText("Weekly practice quizzes for my class.");
  await expect(card).toContainText(classTitle);
  // An auditor sees the request waiting and cannot decide it.
  const auditorContext = await browser.newContext();
  const audit = await auditorContext.newPage();
  await signIn(audit, auditor);
  await open(audit, "/app-requests");
  await expect(audit.getByTestId("app-request").filter({ hasText: questName })).toContainText("Weekly practice quizzes for my class.");
  await expect(audit.getByRole("button")).toHaveText(["Sign out"]);
  await open(audit, `/apps/${quest.id}`);
  await expect(audit.getByRole("heading", { level: 1 })).toContainText(questName);
  await expect(audit.getByRole("button", { name: /teacher sharing|Let teachers share|Revoke/ })).toHaveCount(0);
  await auditorContext.close();
  await card.getByRole("button", { name: "Approve" }).click();
  await expect(page).toHaveURL(new RegExp(`/apps/${quest.id}/share\\?add_classes=`));
  await hydrated(page);
  await expect(page.getByTestId("picked-classes")).toContainText(classId);
  await page.getByRole("button", { name: "Preview impact" }).click();
  await expect(page.getByTestId("impact")).toBeVisible();
  await page.getByRole("button", { name: "Save share" }).click();
  const dialog = page.getByRole("alertdialog", { name: "Confirm the change" });
  await expect(page.getByTestId("saved").or(dialog)).toBeVisible();
  if (await dialog.isVisible()) await dialog.getByRole("button", { name: "Confirm and save" }).click();
  await expect(page.getByTestId("saved")).toBeVisible();
  const questClasses = await (await request.get(`${V12}/classes`, { headers: await bearer(request, quest) })).json();
  expect(questClasses.classes.map((c: any) => c.sourcedId)).toEqual([classId]);
  // ... and the teacher sees the answer and the app on their class.
  await teacher.reload();
  await hydrated(teacher);
  await expect(teacher.getByTestId("my-requests").getByRole("listitem").filter({ hasText: questName })).toContainText("Approved");
  const questRow = teacher.getByRole("region", { name: questName }).locator(`tr[data-class="${classId}"]`);
  await expect(questRow).toContainText("Yes, by the district's share");

  // 2. Teacher-approved sharing.
  const helperName = `Class Helper ${Date.now()}`;
  const helper = JSON.parse(cli("app", "create", "--name", helperName, "--json"));
  const auth = await bearer(request, helper);
  await open(page, `/apps/${helper.id}`);
  const sharing = page.getByTestId("teacher-sharing");
  await expect(sharing.getByTestId("teacher-sharing-state")).toHaveText("Only the district decides which classes this app receives.");
  await sharing.getByRole("button", { name: "Let teachers share their own classes" }).click();
  await expect(sharing.getByTestId("teacher-sharing-state")).toHaveText("Teachers may switch this app on for their own classes.");
  await expect(sharing).toContainText("All fields except email, phone, sms; no demographics.");
  expect((await (await request.get(`${V12}/classes`, { headers: auth })).json()).classes).toEqual([]);

  await open(teacher, "/my-apps");
  const row = teacher.getByRole("region", { name: helperName }).locator(`tr[data-class="${classId}"]`);
  await expect(row).toContainText("No");
  await row.getByRole("button", { name: "Switch on" }).click();
  await expect(row).toContainText("Yes, switched on by you");

  // The app now gets that class and exactly its students, without e-mail.
  const listed: any = await (await teacher.request.post("/api/my_class", { form: { sourced_id: classId } })).json();
  const expected = listed.students.map((s: any) => s.sourced_id).sort();
  expect(expected.length).toBeGreaterThan(0);
  const got = await (await request.get(`${V12}/classes`, { headers: auth })).json();
  expect(got.classes.map((c: any) => c.sourcedId)).toEqual([classId]);
  const students = await (await request.get(`${V12}/classes/${encodeURIComponent(classId)}/students?limit=1000`, { headers: auth })).json();
  expect(students.users.map((u: any) => u.sourcedId).sort()).toEqual(expected);
  for (const u of students.users) expect(u).not.toHaveProperty("email");
  // The admin sees the grant, marked as the teacher's.
  await page.reload();
  await expect(page.getByTestId("teacher-grants")).toContainText(classTitle);

  // Switched off: a delta since just before tells the app to delete the class and its students.
  const since = new Date(Date.now() - 1000).toISOString();
  await row.getByRole("button", { name: "Switch off" }).click();
  await expect(row).toContainText("No");
  // (within the tombstone window the plain list keeps the class too, marked for deletion)
  const after = await (await request.get(`${V12}/classes`, { headers: auth })).json();
  expect(after.classes.map((c: any) => [c.sourcedId, c.status])).toEqual([[classId, "tobedeleted"]]);
  const filter = encodeURIComponent(`dateLastModified>'${since}'`);
  const deltaClasses = await (await request.get(`${V12}/classes?filter=${filter}`, { headers: auth })).json();
  expect(deltaClasses.classes.map((c: any) => [c.sourcedId, c.status])).toEqual([[classId, "tobedeleted"]]);
  const deltaUsers = await (await request.get(`${V12}/users?limit=1000&filter=${filter}`, { headers: auth })).json();
  const gone = deltaUsers.users.filter((u: any) => u.status === "tobedeleted").map((u: any) => u.sourcedId);
  for (const id of expected) expect(gone).toContain(id);

  // The district chooses what teachers see of their students.
  await open(page, "/settings");
  const fields = page.getByTestId("teacher-fields");
  await fields.getByLabel("Username").check();
  await fields.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await open(teacher, `/my-classes/${encodeURIComponent(classId)}`);
  await expect(teacher.getByTestId("class-list").getByRole("columnheader")).toHaveText(["Name", "Grade", "Student ID", "Username"]);
  await open(page, "/settings");
  await page.getByTestId("teacher-fields").getByLabel("Username").uncheck();
  await page.getByTestId("teacher-fields").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await context.close();

  // All of it is in the audit log.
  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  for (const action of ["app_request.create", "app_request.approve", "app.teacher_sharing", "share.teacher_grant", "share.teacher_revoke", "settings.teacher_fields"]) {
    await expect(table.locator(`tr[data-action="${action}"]`).first()).toBeVisible();
  }
});

/** Writes a delta package (1.2.1) that marks one enrollment of the demo district deleted; returns the folder. */
function deltaDeletingEnrollment(classId: string, userId: string): string {
  const header = fs.readFileSync(path.join(demo.dataDir, "demo", "enrollments.csv"), "utf8").split(/\r?\n/)[0];
  const row = demoRows("enrollments.csv").find((e) => e.classSourcedId === classId && e.userSourcedId === userId);
  expect(row, `the demo district enrolls ${userId} in ${classId}`).toBeTruthy();
  row!.status = "tobedeleted";
  row!.dateLastModified = new Date().toISOString();
  const quote = (v: string) => `"${(v ?? "").replace(/"/g, '""')}"`;
  const dir = fs.mkdtempSync(path.join(demo.dataDir, "delta-"));
  fs.writeFileSync(path.join(dir, "enrollments.csv"), `${header}\n${header.split(",").map((h) => quote(row![h])).join(",")}\n`);
  const manifest = demoRows("manifest.csv").map((m) =>
    m.propertyName.startsWith("file.") ? [m.propertyName, m.propertyName === "file.enrollments" ? "delta" : "absent"] : [m.propertyName, m.value],
  );
  fs.writeFileSync(path.join(dir, "manifest.csv"), ["propertyName,value", ...manifest.map((r) => r.map(quote).join(","))].join("\n") + "\n");
  return dir;
}

test("a reported problem shows as gone after the import that fixes it; a request for a new app is denied with a reason the teacher reads; an admin withdraws a teacher's grant", async ({ page, browser, request }) => {
  await signIn(page, admin);
  const { context, teacher, classId, classTitle } = await newTeacher(page, browser, 4);

  // 1. A student on the list who is not in the class.
  await open(teacher, `/my-classes/${encodeURIComponent(classId)}`);
  await teacher.getByLabel("What is wrong").selectOption("extra_student");
  const studentId = await teacher.getByLabel("Student who is not in the class").locator("option").nth(1).getAttribute("value");
  const studentName = ((await teacher.getByLabel("Student who is not in the class").locator("option").nth(1).textContent()) ?? "").trim();
  await teacher.getByLabel("Student who is not in the class").selectOption(studentId!);
  await teacher.getByLabel("Comment").fill("Moved to another section in September.");
  await teacher.getByRole("button", { name: "Send to the district" }).click();
  await expect(teacher.getByRole("status").filter({ hasText: "the district has your report" })).toBeVisible();
  const reported = teacher.getByTestId("class-issues").getByRole("listitem").filter({ hasText: "Moved to another section" });
  await expect(reported.getByTestId("issue-check")).toHaveText(`${studentName} is still on the class list.`);
  await open(page, "/roster-issues");
  const card = page.getByTestId("issue").filter({ hasText: "Moved to another section" });
  await expect(card.getByTestId("issue-check")).toHaveText(`Roster now ${studentName} is still on the class list.`);

  // The SIS is fixed and its next delta arrives (a command-line import, as a nightly job runs it).
  cli("import", "--source", "demo", deltaDeletingEnrollment(classId, studentId!));
  // The admin finds the enrollment among the deleted ones in the data browser, and only there.
  await open(page, `/data?tab=enrollments&q=${encodeURIComponent(studentId!)}`);
  const enrollments = page.getByTestId("data-table").locator("tbody tr");
  await expect(enrollments.filter({ hasText: classId })).toContainText("tobedeleted");
  await page.getByLabel("Status").selectOption("tobedeleted");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]status=tobedeleted/);
  await expect(enrollments).toHaveCount(1);
  await expect(enrollments.first().locator("td").nth(0)).toHaveText(classId);
  await page.getByLabel("Status").selectOption("active");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]status=active/);
  await expect(enrollments.filter({ hasText: classId })).toHaveCount(0);
  const statuses = await enrollments.locator("td:last-child").allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  expect(new Set(statuses)).toEqual(new Set(["active"]));
  await open(page, "/roster-issues");
  await expect(card.getByTestId("issue-check")).toHaveText(`Roster now ${studentName} is no longer on the class list.`);
  await expect(card.getByTestId("issue-check").locator(".badge")).toHaveClass(/badge-ok/);
  await teacher.reload();
  await hydrated(teacher);
  await expect(reported.getByTestId("issue-check")).toHaveText(`${studentName} is no longer on the class list.`);
  await expect(teacher.getByTestId("class-list")).not.toContainText(studentName);

  // 2. A request for an app the district has not registered, by name and web address; denied.
  const wanted = `Spelling Bee ${Date.now()}`;
  await open(teacher, "/my-apps");
  await teacher.getByLabel("App", { exact: true }).selectOption("new");
  await teacher.getByLabel("Its name").fill(wanted);
  await teacher.getByLabel("Its web address").fill("spelling bee dot example");
  await teacher.getByLabel("Why your classes need it").fill("Daily spelling practice.");
  await teacher.getByRole("button", { name: "Send the request" }).click();
  await expect(teacher.locator("#request-web-error")).toContainText("web address");
  // the refused form keeps what the teacher typed
  await expect(teacher.getByLabel("Its name")).toHaveValue(wanted);
  await expect(teacher.getByLabel("Why your classes need it")).toHaveValue("Daily spelling practice.");
  await teacher.getByLabel("Its web address").fill("https://spelling.example");
  await teacher.getByRole("button", { name: "Send the request" }).click();
  await expect(teacher.getByRole("status").filter({ hasText: "the district has your request" })).toBeVisible();
  await open(page, "/app-requests");
  const asked = page.getByTestId("app-request").filter({ hasText: wanted });
  await expect(asked).toContainText("Not registered yet: https://spelling.example");
  await expect(asked).toContainText("Daily spelling practice.");
  await asked.getByRole("button", { name: "Deny" }).click();
  await expect(asked.locator(".field-error")).toHaveText("Say why the request is denied: the teacher sees it.");
  await asked.getByLabel("Why not (the teacher sees this)").fill("We already license Word Wizard for spelling; ask us about it.");
  await asked.getByRole("button", { name: "Deny" }).click();
  await expect(page.getByTestId("app-request").filter({ hasText: wanted })).toHaveCount(0);
  await open(page, "/app-requests?all=1");
  await expect(page.getByTestId("app-request").filter({ hasText: wanted }).getByTestId("request-decision")).toHaveText(
    `denied by ${admin.email}: We already license Word Wizard for spelling; ask us about it.`,
  );
  await teacher.reload();
  await hydrated(teacher);
  const mine = teacher.getByTestId("my-requests").getByRole("listitem").filter({ hasText: wanted });
  await expect(mine).toContainText("Denied");
  await expect(mine).toContainText("District: We already license Word Wizard for spelling; ask us about it.");

  // Another new app, approved: the admin goes on to register it, the form filled in with what
  // the teacher gave.
  const welcome = `Fraction Lab ${Date.now()}`;
  await teacher.getByLabel("App", { exact: true }).selectOption("new");
  await teacher.getByLabel("Its name").fill(welcome);
  await teacher.getByLabel("Its web address").fill("https://fractions.example/lab");
  await teacher.getByLabel("Why your classes need it").fill("Fractions with pictures.");
  await teacher.getByRole("button", { name: "Send the request" }).click();
  await expect(teacher.getByRole("status").filter({ hasText: "the district has your request" })).toBeVisible();
  await open(page, "/app-requests");
  await page.getByTestId("app-request").filter({ hasText: welcome }).getByRole("button", { name: "Approve" }).click();
  await expect(page).toHaveURL(/\/apps\?name=/);
  await hydrated(page);
  await expect(page.getByLabel("Name")).toHaveValue(welcome);
  await expect(page.getByLabel("Vendor contact")).toHaveValue("https://fractions.example/lab");
  // Registered, it goes on to its share with the teacher's classes picked, to preview and save.
  await page.getByRole("button", { name: "Register app" }).click();
  await expect(page.getByTestId("new-secret")).toBeVisible();
  await page.getByRole("link", { name: "Share the requested classes" }).click();
  await expect(page).toHaveURL(/\/apps\/\d+\/share\?add_classes=/);
  await hydrated(page);
  const requested = decodeURIComponent(page.url().split("add_classes=")[1]).split(",");
  expect(requested.length).toBeGreaterThan(0);
  for (const id of requested) await expect(page.getByTestId("picked-classes")).toContainText(id);

  // 3. The admin withdraws a class a teacher switched on.
  const tutorName = `Tutor Hub ${Date.now()}`;
  const tutor = JSON.parse(cli("app", "create", "--name", tutorName, "--json"));
  await open(page, `/apps/${tutor.id}`);
  await page.getByTestId("teacher-sharing").getByRole("button", { name: "Let teachers share their own classes" }).click();
  await expect(page.getByTestId("teacher-sharing-state")).toHaveText("Teachers may switch this app on for their own classes.");
  await open(teacher, "/my-apps");
  const row = teacher.getByRole("region", { name: tutorName }).locator(`tr[data-class="${classId}"]`);
  await row.getByRole("button", { name: "Switch on" }).click();
  await expect(row).toContainText("Yes, switched on by you");
  const auth = await bearer(request, tutor);
  expect((await (await request.get(`${V12}/classes`, { headers: auth })).json()).classes.map((c: any) => c.sourcedId)).toEqual([classId]);

  await open(page, `/apps/${tutor.id}`);
  const grant = page.getByTestId("teacher-grants").getByRole("row").filter({ hasText: classTitle });
  await expect(grant).toBeVisible();
  await grant.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("teacher-grants").getByRole("row").filter({ hasText: classTitle })).toHaveCount(0);
  // The app is told to delete the class; the teacher sees it off.
  const classes = await (await request.get(`${V12}/classes`, { headers: auth })).json();
  expect(classes.classes.map((c: any) => [c.sourcedId, c.status])).toEqual([[classId, "tobedeleted"]]);
  await teacher.reload();
  await hydrated(teacher);
  await expect(row).toContainText("No");
  await expect(row.getByRole("button", { name: "Switch on" })).toBeVisible();
  await context.close();

  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  await expect(table.locator('tr[data-action="app_request.deny"]').first()).toContainText(admin.email);
  await expect(table.locator('tr[data-action="share.teacher_revoke"]').first()).toContainText(admin.email);
});
