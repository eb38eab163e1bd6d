import { test, expect } from "@playwright/test";
import { admin } from "../playwright.config";
import { signIn, open, hydrated } from "./support";

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
  await teacher.getByLabel("New password").fill("a long teacher password");
  await teacher.getByLabel("The same password again").fill("not the same one");
  await teacher.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(teacher.locator("#confirm-password-error")).toHaveText("The two passwords are not the same.");
  await teacher.getByLabel("The same password again").fill("a long teacher password");
  await teacher.getByRole("button", { name: "Set password and sign in" }).click();
  await expect(teacher.getByRole("heading", { level: 1, name: "My classes" })).toBeVisible();

  // Only their own classes; the district's pages are not theirs.
  const listed = (await teacher.locator('a[href^="/my-classes/"]').allTextContents()).map((t) => t.trim()).sort();
  expect(listed).toEqual(ownClasses);
  await expect(teacher.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["My classes"]);
  await teacher.goto("/data");
  await expect(teacher).toHaveURL(/\/my-classes$/);
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
  const classTitle = ((await teacher.getByRole("heading", { level: 1 }).textContent()) ?? "").trim();
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
