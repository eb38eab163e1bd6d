import { test, expect, APIRequestContext } from "@playwright/test";
import { admin } from "../playwright.config";
import { signIn, open, cli, demoRows, count } from "./support";

const V12 = "/ims/oneroster/rostering/v1p2";

async function get(request: APIRequestContext, bearer: string, path: string): Promise<any> {
  const res = await request.get(`${V12}/${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(res.status(), path).toBe(200);
  return res.json();
}

const has = (list: string, value: string) => list.split(",").map((s) => s.trim()).includes(value);

test("a share built from rules, a class found by search and one role: the preview counts it, the app gets exactly those classes and only students", async ({ page, request }) => {
  const created = JSON.parse(cli("app", "create", "--name", `Rules App ${Date.now()}`, "--json"));
  const res = await request.post("/oauth/token", {
    form: { grant_type: "client_credentials" },
    headers: { Authorization: "Basic " + Buffer.from(`${created.client_id}:${created.client_secret}`).toString("base64") },
  });
  expect(res.status()).toBe(200);
  const bearer = (await res.json()).access_token;

  // From the demo district's own files: one school's classes of one grade (rule 1), minus one
  // subject among them (rule 2), plus one class of another school picked by search.
  const classes = demoRows("classes.csv").filter((c) => c.status !== "tobedeleted");
  const first = classes.find((c) => c.subjects && c.grades && c.schoolSourcedId.startsWith("sch-"))!;
  const school = first.schoolSourcedId;
  const grade = first.grades.split(",")[0];
  const ofGrade = classes.filter((c) => c.schoolSourcedId === school && has(c.grades, grade));
  const subjects = [...new Set(ofGrade.flatMap((c) => c.subjects.split(",").map((s) => s.trim())).filter(Boolean))].sort();
  expect(subjects.length, "the grade has several subjects").toBeGreaterThan(1);
  const dropped = subjects[0];
  const kept = ofGrade.filter((c) => !has(c.subjects, dropped));
  const picked = classes.find((c) => c.schoolSourcedId !== school && c.schoolSourcedId.startsWith("sch-") && c.subjects && !has(c.subjects, dropped))!;
  const expected = [...kept.map((c) => c.sourcedId), picked.sourcedId].sort();
  expect(kept.length).toBeGreaterThan(0);
  expect(kept.length).toBeLessThan(ofGrade.length);

  await signIn(page, admin);
  await open(page, `/apps/${created.id}/share`);

  // Rule 1: include the school's classes of that grade.
  await page.getByRole("button", { name: "Add a rule" }).click();
  const rule1 = page.getByRole("group", { name: "Rule 1", exact: true });
  await rule1.getByLabel("Rule 1 label").fill(`grade ${grade} at ${school}`);
  await rule1.getByLabel("Grades").fill(grade);
  await rule1.getByLabel("Schools (sourcedIds)").fill(school);
  // Rule 2: exclude one subject (exclusions win).
  await page.getByRole("button", { name: "Add a rule" }).click();
  const rule2 = page.getByRole("group", { name: "Rule 2", exact: true });
  await rule2.getByLabel("Rule 2 kind").selectOption("exclude");
  await rule2.getByLabel("Subjects").fill(dropped);
  // One class of another school, found by its sourcedId.
  await page.getByLabel("Find a class").fill(picked.sourcedId);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.getByTestId("class-hits").getByRole("listitem").filter({ hasText: picked.sourcedId }).getByRole("button", { name: "Add" }).click();
  await expect(page.getByTestId("picked-classes")).toContainText(picked.sourcedId);
  // Students only.
  for (const label of ["Teachers of shared classes", "Guardians and parents of shared students", "Administrators of the schools", "Other staff of the schools"]) {
    await page.getByRole("checkbox", { name: label }).uncheck();
  }
  await page.getByRole("checkbox", { name: "Students of shared classes" }).check();

  await page.getByRole("button", { name: "Preview impact" }).click();
  const impact = page.getByTestId("impact");
  await expect(impact.getByTestId("impact-classes").locator("td").first()).toHaveText(`+${expected.length.toLocaleString("en-US")}`);
  const studentsAdded = count(await impact.getByTestId("students-added").textContent());
  expect(studentsAdded).toBeGreaterThan(0);
  await expect(impact.getByTestId("impact-users").locator("td").first()).toHaveText(`+${studentsAdded.toLocaleString("en-US")}`);

  await page.getByRole("button", { name: "Save share" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Confirm the change" });
  const saved = page.getByTestId("saved");
  await expect(confirm.or(saved)).toBeVisible();
  if (await confirm.isVisible()) {
    await confirm.getByRole("button", { name: "Confirm and save" }).click();
  }
  await expect(saved).toContainText(`+${studentsAdded.toLocaleString("en-US")} / −0 students`);

  // The app gets exactly those classes, and only students.
  const got = await get(request, bearer, "classes?limit=10000");
  expect(got.classes.map((c: any) => c.sourcedId).sort()).toEqual(expected);
  const users = (await get(request, bearer, "users?limit=10000")).users;
  expect(users.length).toBe(studentsAdded);
  for (const u of users) {
    expect(u.roles.map((r: any) => r.role)).toContain("student");
    expect(u.roles.map((r: any) => r.role)).not.toContain("teacher");
  }
  // a class the exclusion removed is unknown to the app
  const removed = ofGrade.find((c) => has(c.subjects, dropped))!;
  const gone = await request.get(`${V12}/classes/${removed.sourcedId}`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(gone.status()).toBe(404);

  // Why names the rule by its label, and the exclusion.
  await page.getByLabel("Record type").selectOption("classes");
  await page.getByLabel("sourcedId", { exact: true }).fill(kept[0].sourcedId);
  await page.getByRole("button", { name: "Explain" }).click();
  await expect(page.getByTestId("why")).toContainText(`${kept[0].sourcedId} is shared.`);
  await expect(page.getByTestId("why")).toContainText(`grade ${grade} at ${school}`);
  await page.getByLabel("sourcedId", { exact: true }).fill(removed.sourcedId);
  await page.getByRole("button", { name: "Explain" }).click();
  await expect(page.getByTestId("why")).toContainText(`${removed.sourcedId} is not shared.`);
  await expect(page.getByTestId("why")).toContainText("excluded by exclude[0]");

  // The audit entry holds the share before and after.
  await open(page, "/audit");
  const entry = page.locator('tr[data-action="share.set"]').filter({ hasText: `app ${created.id}` });
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText('before: {"all":false,"include":[],"exclude":[]');
  const detail = (await entry.locator("pre").textContent())!;
  const after = JSON.parse(detail.slice(detail.indexOf("after: ") + 7, detail.indexOf("impact: ")).trim());
  expect(after.include).toContainEqual({ label: `grade ${grade} at ${school}`, schools: [school], grades: [grade] });
  expect(after.include.flatMap((r: any) => r.classes ?? [])).toEqual([picked.sourcedId]);
  expect(after.exclude.map((r: any) => r.subjects)).toEqual([[dropped]]);
  expect(after.roles).toEqual(["student"]);
});
