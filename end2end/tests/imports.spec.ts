import { test, expect } from "@playwright/test";
import * as path from "node:path";
import * as fs from "node:fs";
import { admin, samples, demo } from "../playwright.config";
import type { Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { signIn, open, cli, demoRows } from "./support";

// These journeys change the roster; they run after the dashboard test (files run in name order)
// and leave the demo district as it was (the held import is rolled back).

async function revisionOnDashboard(page: Page): Promise<string> {
  await open(page, "/");
  return (await page.getByTestId("roster-revision").textContent()) ?? "";
}

async function upload(page: Page, file: string, source: string) {
  await open(page, "/imports");
  await page.getByLabel(/OneRoster CSV package/).setInputFiles(file);
  await page.getByLabel("Source").fill(source);
  await page.getByRole("button", { name: "Upload and import" }).click();
}

test("a valid package uploads, reports and shows up; a broken one shows its diagnostics and changes nothing", async ({ page }) => {
  await signIn(page, admin);
  const before = await revisionOnDashboard(page);
  expect(before).toBe("Revision 1");

  // On a slow connection (1 KB/s up: the 3.6 KB zip takes seconds) the page shows the upload in
  // progress, and the button cannot be pressed twice. (Chromium reports the bytes as sent once
  // they are handed to its network layer, so the percentage passes too fast to catch; the
  // state after it waits for the slow link.)
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 1024 });
  await upload(page, path.join(samples, "synthetic/v1p2-bulk/v1p2-bulk.zip"), "synthetic");
  await expect(page.locator("#upload-status")).toHaveText("Checking and importing… (large packages take a while)");
  await expect(page.locator("#upload-progress")).toBeVisible();
  await expect(page.getByRole("button", { name: "Upload and import" })).toBeDisabled();
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await expect(page.getByTestId("outcome")).toHaveText("applied");
  await expect(page.getByTestId("import-message")).toHaveText("applied as revision 2");
  // The synthetic district has 7 users; every one is new here.
  await expect(page.getByTestId("entity-counts").getByRole("row", { name: /^users / })).toHaveText("users070000");
  await expect(page.getByTestId("problem-totals")).toHaveText(/^0 errors/);

  // The data is there: the dashboard counts the demo users and the 7 synthetic ones.
  await open(page, "/");
  await expect(page.getByTestId("roster-revision")).toHaveText("Revision 2");
  const users = page.getByTestId("roster-counts").getByRole("row", { name: /^Users / });
  const demoUsers = Number(((await users.textContent()) ?? "").replace(/^Users/, "").replace(/0$/, "").replace(/,/g, ""));
  expect(demoUsers).toBeGreaterThan(demo.students);

  // ... and in the data browser: search a synthetic teacher, open her page and her class.
  await open(page, "/data");
  await page.getByLabel("Search").fill("maria lopez");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]q=maria(\+|%20)lopez/);
  const found = page.getByTestId("data-table").getByRole("row");
  await expect(found).toHaveCount(2); // header + Maria Lopez
  await found.nth(1).getByRole("link").click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Maria Lopez");
  await expect(page.getByTestId("user-apps")).toHaveText("No app receives this user.");
  await page.getByTestId("user-classes").getByRole("link", { name: "Algebra I - Period 1" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Algebra I - Period 1");
  await expect(page.getByTestId("class-teachers")).toHaveText("Maria Lopez");
  await expect(page.getByTestId("class-students").getByRole("link", { name: "Ava Nguyen" })).toBeVisible();

  // ... and its course in the courses list.
  await open(page, "/data?tab=courses&q=alg");
  await expect(page.getByTestId("data-table").getByRole("row").filter({ hasText: "crs-hs-alg1" })).toContainText("Algebra I");

  // A broken package: rejected, with diagnostics by file, line and field.
  await upload(page, path.join(samples, "moodle-enrol_oneroster/v1p2-malformed-negative/v1p2_full_dataset.zip"), "moodle");
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.getByTestId("outcome")).toHaveText("rejected");
  const problems = page.getByTestId("problems");
  await expect(problems).toBeVisible();
  await expect(problems.getByRole("row").filter({ hasText: "roles.csv" }).first()).toBeVisible();
  expect(Number(((await page.getByTestId("problem-totals").textContent()) ?? "").split(" ")[0])).toBeGreaterThan(0);
  // ... downloadable as CSV, the same rows
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download as CSV" }).click();
  const csv = fs.readFileSync(await (await download).path(), "utf8");
  expect(csv.split("\n")[0]).toBe("file,line,field,severity,message");
  expect(csv).toContain("roles.csv");

  // ... and nothing changed.
  await open(page, "/");
  await expect(page.getByTestId("roster-revision")).toHaveText("Revision 2");

  // Not a zip at all: refused before any import, with the reason.
  const notZip = path.join(demo.dataDir, "not-a-package.zip");
  fs.writeFileSync(notZip, "sourcedId,name\nx,y\n");
  await upload(page, notZip, "sis");
  await expect(page).toHaveURL(/\/imports\?refused=not_zip&name=not-a-package\.zip$/);
  await expect(page.getByTestId("upload-error")).toHaveText(
    "not-a-package.zip: this is not a zip file. A OneRoster package is a zip of CSV files (manifest.csv, orgs.csv, users.csv, …).",
  );
  // ... and no import was recorded for it
  await expect(page.getByTestId("imports-table").getByRole("row").filter({ hasText: "not-a-package.zip" })).toHaveCount(0);
  // A zip, but not a OneRoster package: an import that says what is missing, and nothing changed.
  const notRoster = path.join(demo.dataDir, "lunch-menu.zip");
  execFileSync("python3", ["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1], 'w').writestr('notes.txt', 'lunch menu')", notRoster]);
  await upload(page, notRoster, "sis");
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.getByTestId("outcome")).toHaveText("rejected");
  await expect(page.getByTestId("problems")).toContainText("there is no manifest.csv; this is not a OneRoster CSV package");
  expect(await revisionOnDashboard(page)).toBe("Revision 2");
  // A bad source name is named too.
  await upload(page, path.join(samples, "synthetic/v1p2-bulk/v1p2-bulk.zip"), "Not A Source!");
  await expect(page.getByTestId("upload-error")).toHaveText("Source `Not A Source!`: use 1-64 characters a-z, 0-9, - and _ (for example sis).");
});

test("a held import is approved and applied, then rolled back to the previous data", async ({ page }) => {
  await signIn(page, admin);
  await open(page, "/");
  const revision = Number(((await page.getByTestId("roster-revision").textContent()) ?? "").replace("Revision ", ""));
  // Active users: a rollback brings every record back as it was; records the rolled-back
  // import created stay as deletions (tombstones), so apps learn they are gone.
  const activeUsers = page.getByTestId("roster-counts").getByRole("row", { name: /^Users / }).locator("td").first();
  const usersBefore = await activeUsers.textContent();

  // A 30-student district as a bulk of the `demo` source would delete most demo records.
  const small = fs.mkdtempSync(path.join(demo.dataDir, "small-"));
  cli("demo", "--students", "30", "--out", small);
  const files = fs.readdirSync(small).filter((f) => f.endsWith(".csv"));
  execFileSync("python3", ["-m", "zipfile", "-c", "small-district.zip", ...files], { cwd: small });
  await upload(page, path.join(small, "small-district.zip"), "demo");
  await expect(page).toHaveURL(/\/imports\/\d+$/);
  await expect(page.getByTestId("outcome")).toHaveText("held");
  await expect(page.getByTestId("hold-reasons").getByRole("listitem").first()).toContainText("delete");
  // samples of what it would delete: demo users the small district does not list
  const sampleText = (await page.getByTestId("samples-users").textContent()) ?? "";
  const sampled = [...sampleText.matchAll(/(\S+) \(deleted\)/g)].map((m) => m[1]);
  expect(sampled).toHaveLength(10);
  const demoUsers = new Set(demoRows("users.csv").map((u) => u.sourcedId));
  const smallUsers = new Set(fs.readFileSync(path.join(small, "users.csv"), "utf8").split(/\r?\n/).slice(1).map((l) => l.split(",")[0]));
  for (const id of sampled) {
    expect(demoUsers.has(id), id).toBe(true);
    expect(smallUsers.has(id), id).toBe(false);
  }

  // the dashboard says a decision is waiting, and it waits on the imports page
  await open(page, "/");
  await expect(page.getByRole("region", { name: "Roster" }).getByRole("status")).toHaveText("1 held import(s) wait for a decision. Review them");
  await open(page, "/imports");
  const held = page.getByTestId("held").getByRole("link");
  await expect(held).toHaveCount(1);
  await held.click();
  await expect(page.getByTestId("outcome")).toHaveText("held");
  await page.getByRole("button", { name: "Approve and apply" }).click();
  await expect(page.getByTestId("outcome")).toHaveText("applied");
  await expect(page.getByTestId("import-message")).toHaveText(`applied as revision ${revision + 1}`);

  await open(page, "/");
  await expect(page.getByTestId("roster-revision")).toHaveText(`Revision ${revision + 1}`);
  await expect(activeUsers).not.toHaveText(usersBefore ?? "");

  // Roll back: the confirmation says what will change, then the data is back.
  await open(page, "/imports");
  await page.getByRole("button", { name: `Roll back to ${revision}` }).click();
  const changes = page.getByTestId("rollback-changes");
  // The demo users the approved import deleted come back.
  await expect(changes.getByRole("listitem").filter({ hasText: /^users: [\d,]+ restored/ })).toBeVisible();
  const summary = page.getByTestId("rollback-summary");
  await expect(summary).toHaveText(new RegExp(`^rollback to revision ${revision}: \\d+ restored, \\d+ updated, \\d+ deleted$`));
  // What the preview counted is what the rollback then does.
  const promised = (await summary.textContent()) ?? "";
  await page.getByRole("button", { name: "Yes, roll back" }).click();
  await expect(page.getByTestId("rolled-back")).toHaveText(`Revision ${revision + 2}: ${promised}.`);

  await open(page, "/");
  await expect(page.getByTestId("roster-revision")).toHaveText(`Revision ${revision + 2}`);
  await expect(activeUsers).toHaveText(usersBefore ?? "");

  // The same package again is held again; discarded, nothing of it is applied.
  await upload(page, path.join(small, "small-district.zip"), "demo");
  await expect(page.getByTestId("outcome")).toHaveText("held");
  await page.getByRole("button", { name: "Discard" }).click();
  await expect(page.getByTestId("outcome")).toHaveText("discarded");
  await expect(page.getByTestId("import-message")).toHaveText(`discarded by ${admin.email}; nothing was applied`);
  await expect(page.getByRole("button", { name: "Approve and apply" })).toHaveCount(0);
  await open(page, "/");
  await expect(page.getByTestId("roster-revision")).toHaveText(`Revision ${revision + 2}`);
  await expect(activeUsers).toHaveText(usersBefore ?? "");
  await expect(page.getByRole("region", { name: "Roster" }).getByRole("status")).toHaveCount(0);

  // All of it is in the audit log, with who did it.
  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  for (const action of ["import.upload", "import.approve", "import.discard", "revision.rollback", "sign_in"]) {
    await expect(table.locator(`tr[data-action="${action}"]`).first()).toContainText(admin.email);
  }
});
