import { test, expect, Page } from "@playwright/test";
import { admin, demo } from "../playwright.config";
import { signIn, open, demoRows } from "./support";

// The data browser's filters, sorting and paging, checked against the generated demo district's
// own CSV files. Runs before the imports journey adds a second district.

/** Column `n` (0 = the first, the row's header cell) of every row on the page. */
async function column(page: Page, n: number): Promise<string[]> {
  const cells = page.getByTestId("data-table").locator(`tbody tr > :nth-child(${n + 1})`);
  return (await cells.allTextContents()).map((c) => c.trim());
}

async function search(page: Page, choices: Record<string, string>) {
  for (const [label, value] of Object.entries(choices)) {
    if (label === "Grade") await page.getByLabel(label).fill(value);
    else await page.getByLabel(label).selectOption(value);
  }
  await page.getByRole("button", { name: "Search" }).click();
}

test("the data browser filters by role, grade and status, sorts by name or sourcedId, and pages without losing the filters", async ({ page }) => {
  const studentIds = new Set(demoRows("roles.csv").filter((r) => r.role === "student").map((r) => r.userSourcedId));
  const students = demoRows("users.csv").filter((u) => studentIds.has(u.sourcedId));
  expect(students.length).toBe(demo.students);

  await signIn(page, admin);
  await open(page, "/data?tab=users");

  // Students by sourcedId: the first page is the first 50 of the sorted ids, the next page the next 50.
  await search(page, { Role: "student", Status: "active", Sort: "id" });
  await expect(page).toHaveURL(/[?&]role=student/);
  await expect(page).toHaveURL(/[?&]sort=id/);
  const byId = students.map((u) => u.sourcedId).sort();
  await expect(page.getByTestId("data-table").locator("tbody tr > :nth-child(2)").first()).toHaveText(byId[0]);
  expect(await column(page, 1)).toEqual(byId.slice(0, 50));
  expect(new Set(await column(page, 5))).toEqual(new Set(["active"]));
  await page.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/[?&]page=1/);
  await expect(page.getByText("Page 2")).toBeVisible();
  expect(await column(page, 1)).toEqual(byId.slice(50, 100));
  // the filters were kept: still only students, still by sourcedId
  await expect(page.getByLabel("Role")).toHaveValue("student");
  await expect(page.getByLabel("Sort")).toHaveValue("id");
  await page.getByRole("link", { name: "Previous" }).click();
  await expect(page.getByText("Page 1")).toBeVisible();
  expect(await column(page, 1)).toEqual(byId.slice(0, 50));

  // By name: family name, then given name (case does not matter), then sourcedId.
  await search(page, { Sort: "name" });
  await expect(page).toHaveURL(/[?&]sort=name/);
  const lower = (s: string) => s.toLowerCase();
  const byName = [...students].sort((a, b) => {
    const ka = [lower(a.familyName), lower(a.givenName), a.sourcedId];
    const kb = [lower(b.familyName), lower(b.givenName), b.sourcedId];
    for (let i = 0; i < 3; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
  // (the list is replaced once the new page has loaded)
  await expect(page.getByTestId("data-table").locator("tbody tr > :nth-child(2)").first()).toHaveText(byName[0].sourcedId);
  expect(await column(page, 0)).toEqual(byName.slice(0, 50).map((u) => `${u.familyName}, ${u.givenName}`));
  expect(await column(page, 1)).toEqual(byName.slice(0, 50).map((u) => u.sourcedId));

  // A grade: exactly the students in it (all fit on one page of 50 or the count is checked per page).
  const grade = students[0].grades.split(",")[0];
  const inGrade = students.filter((u) => u.grades.split(",").includes(grade)).map((u) => u.sourcedId).sort();
  await search(page, { Grade: grade, Sort: "id" });
  await expect(page).toHaveURL(new RegExp(`[?&]grade=${grade}`));
  await expect(page.getByTestId("data-table").locator("tbody tr > :nth-child(2)").first()).toHaveText(inGrade[0]);
  expect(await column(page, 1)).toEqual(inGrade.slice(0, 50));
  expect((await column(page, 3)).every((g) => g.split(",").includes(grade))).toBe(true);

  // Nothing of the demo district is deleted yet.
  await search(page, { Grade: "", Status: "tobedeleted" });
  await expect(page.getByText("Nothing matches.")).toBeVisible();
  await expect(page.getByTestId("data-table")).toHaveCount(0);
});

test("the school tree, academic sessions and courses come from the roster, and each list offers only the filters it has", async ({ page }) => {
  const orgs = demoRows("orgs.csv");
  const district = orgs.find((o) => o.type === "district")!;
  // listed by name
  const schools = orgs.filter((o) => o.parentSourcedId === district.sourcedId).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  expect(schools.length).toBeGreaterThan(1);

  await signIn(page, admin);
  await open(page, "/data?tab=schools");
  const tree = page.getByTestId("org-tree");
  // the district at the top, its schools under it, each with links to its classes and people
  await expect(tree.locator(":scope > ul > li > strong")).toHaveText([district.name]);
  await expect(tree.locator(":scope > ul > li > ul > li > strong")).toHaveText(schools.map((s) => s.name), { useInnerText: true });
  const first = tree.locator(":scope > ul > li > ul > li").first();
  await expect(first.getByRole("link", { name: "classes" })).toHaveAttribute("href", `/data?tab=classes&school=${schools[0].sourcedId}`);
  await first.getByRole("link", { name: "classes" }).click();
  await expect(page).toHaveURL(new RegExp(`tab=classes&school=${schools[0].sourcedId}`));
  const ofSchool = demoRows("classes.csv").filter((c) => c.schoolSourcedId === schools[0].sourcedId).map((c) => c.sourcedId).sort();
  await page.getByLabel("Sort").selectOption("id");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/[?&]sort=id/);
  const classIds = (await page.getByTestId("data-table").locator("tbody tr > :nth-child(2)").allTextContents()).map((t) => t.trim());
  expect(classIds).toEqual(ofSchool.slice(0, 50));

  // Academic sessions by type: exactly the terms of the demo's academicSessions.csv; no school or grade filter.
  await open(page, "/data?tab=academicSessions");
  await expect(page.getByRole("combobox", { name: "School", exact: true })).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Grade", exact: true })).toHaveCount(0);
  await page.getByLabel("Type").selectOption("term");
  await page.getByRole("button", { name: "Search" }).click();
  const terms = demoRows("academicSessions.csv").filter((s) => s.type === "term").map((s) => s.sourcedId).sort();
  const shown = (await page.getByTestId("data-table").locator("tbody tr > :nth-child(1)").allTextContents()).map((t) => t.trim()).sort();
  expect(shown).toEqual(terms);
  // sent anyway, a filter the list has no column for is refused with its name
  await open(page, "/data?tab=academicSessions&grade=09");
  await expect(page.getByRole("alert")).toContainText("academic sessions cannot be filtered by grade");

  // Courses by grade: the courses whose grades list holds it.
  const grade = "09";
  const courses = demoRows("courses.csv").filter((c) => c.grades.split(",").includes(grade)).map((c) => c.sourcedId).sort();
  expect(courses.length).toBeGreaterThan(0);
  await open(page, `/data?tab=courses&grade=${grade}&sort=id`);
  const listed = (await page.getByTestId("data-table").locator("tbody tr > :nth-child(1)").allTextContents()).map((t) => t.trim());
  expect(listed).toEqual(courses.slice(0, 50));

  // Enrollments: school yes, grade no.
  await open(page, "/data?tab=enrollments");
  await expect(page.getByRole("combobox", { name: "School", exact: true })).toHaveCount(1);
  await expect(page.getByRole("textbox", { name: "Grade", exact: true })).toHaveCount(0);
  await open(page, "/data?tab=courses");
  await expect(page.getByRole("textbox", { name: "Grade", exact: true })).toHaveCount(1);
});
