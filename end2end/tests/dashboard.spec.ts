import { test, expect } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { admin, demo } from "../playwright.config";

// The report of the demo import, as the CLI prints it: the numbers the dashboard must show.
function importReport(): { entities: Record<string, { created: number }>; message: string } {
  const out = execFileSync(demo.binary, ["imports", "show", "1", "--json"], {
    env: { ...process.env, ROLLBOOK_DATA_DIR: demo.dataDir, RUST_LOG: "warn" },
  });
  return JSON.parse(out.toString());
}

test("the dashboard shows the imported demo district", async ({ page }) => {
  const report = importReport();
  expect(report.message).toBe("applied as revision 1");

  await page.goto("/sign-in");
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel("E-mail").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();

  const roster = page.getByRole("region", { name: "Roster" });
  const counts = roster.getByTestId("roster-counts");
  const expected: [string, string][] = [
    ["Organizations", "orgs"],
    ["Classes", "classes"],
    ["Users", "users"],
    ["Enrollments", "enrollments"],
    ["Demographics", "demographics"],
  ];
  for (const [label, entity] of expected) {
    const created = report.entities[entity].created.toLocaleString("en-US");
    await expect(counts.getByRole("row", { name: new RegExp(`^${label} `) })).toHaveText(`${label}${created}0`);
  }
  // Every demo student has a demographics row.
  await expect(counts.getByRole("row", { name: /^Demographics / })).toHaveText(`Demographics${demo.students}0`);
  await expect(roster.getByTestId("roster-revision")).toHaveText("Revision 1");
  await expect(roster.getByTestId("last-import")).toHaveText("Last import #1 applied: applied as revision 1");
});
