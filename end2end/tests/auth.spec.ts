import { test, expect, Page } from "@playwright/test";
import { admin } from "../playwright.config";

// The console is interactive once the WebAssembly has hydrated the server-rendered page.
async function hydrated(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor();
}

async function fillSignIn(page: Page, email: string, password: string) {
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  // wait for the server's answer, so that assertions see this attempt and not the previous one
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/sign_in"));
  await page.getByRole("button", { name: "Sign in" }).click();
  await answered;
}

test("an admin signs in, sees the dashboard with their name, and signs out", async ({ page }) => {
  await page.goto("/");
  // no session: the console sends us to the sign-in form
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  await expect(page).toHaveTitle("Sign in · Rollbook");
  await hydrated(page);

  await fillSignIn(page, admin.email, admin.password);

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("account-name")).toHaveText(admin.name);
  await expect(page.getByText(`Welcome, ${admin.name}.`)).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Dashboard" }))
    .toHaveAttribute("aria-current", "page");

  // the session cookie is HttpOnly: page scripts cannot read it
  expect(await page.evaluate(() => document.cookie)).not.toContain("rollbook_session");
  const cookie = (await page.context().cookies()).find((c) => c.name === "rollbook_session");
  expect(cookie?.httpOnly).toBe(true);
  expect(cookie?.sameSite).toBe("Lax");

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  // signed out for real: the dashboard is closed again
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
});

test("a wrong password shows an error that does not say which part was wrong", async ({ page }) => {
  await page.goto("/sign-in");
  await hydrated(page);

  await fillSignIn(page, admin.email, "not-the-password");
  const alert = page.getByRole("alert");
  await expect(alert).toHaveText("The e-mail address or password is incorrect.");
  await expect(page).toHaveURL(/\/sign-in$/);

  // an unknown e-mail gets exactly the same message
  await fillSignIn(page, "nobody@district.example", admin.password);
  await expect(alert).toHaveText("The e-mail address or password is incorrect.");
  await expect(page.getByText(/unknown|not found|no account|wrong password/i)).toHaveCount(0);

  // and the right credentials still work afterwards
  await fillSignIn(page, admin.email, admin.password);
  await expect(page.getByTestId("account-name")).toHaveText(admin.name);
});

test("after sign-in the admin lands on the page they asked for and can move around", async ({ page }) => {
  await page.goto("/apps");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fapps$/);
  await hydrated(page);
  await fillSignIn(page, admin.email, admin.password);

  await expect(page).toHaveURL(/\/apps$/);
  await expect(page.getByRole("heading", { level: 1, name: "Apps" })).toBeVisible();

  const nav = page.getByRole("navigation", { name: "Main" });
  for (const section of ["Data", "Imports", "Audit", "Settings", "Dashboard"]) {
    await nav.getByRole("link", { name: section }).click();
    await expect(page.getByRole("heading", { level: 1, name: section })).toBeVisible();
    await expect(nav.getByRole("link", { name: section })).toHaveAttribute("aria-current", "page");
  }
  await expect(page.getByTestId("account-name")).toHaveText(admin.name);
});
