import { test, expect } from "@playwright/test";
import { admin } from "../playwright.config";
import { signIn, open } from "./support";

test("an admin adds an auditor with a one-time password, who can then sign in; disabling ends that", async ({ page, browser }) => {
  await signIn(page, admin);
  await open(page, "/settings");
  const email = `new.auditor.${Date.now()}@district.example`;
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Display name").fill("Nia New");
  await page.getByLabel("Role").selectOption("auditor");
  await page.getByRole("button", { name: "Create account" }).click();
  const created = page.getByTestId("new-account");
  await expect(created).toContainText(`Give this password to ${email}`);
  const password = await page.getByLabel("One-time password").inputValue();
  expect(password.length).toBeGreaterThanOrEqual(16);
  const row = page.getByTestId("accounts").getByRole("row").filter({ hasText: email });
  await expect(row).toContainText("Auditor");
  await expect(row).toContainText("Active");

  // A bad e-mail is refused beside the e-mail field, naming the problem; the field is marked.
  await page.getByLabel("E-mail", { exact: true }).fill("not-an-address");
  await page.getByLabel("E-mail", { exact: true }).evaluate((e: HTMLInputElement) => (e.type = "text"));
  await page.getByRole("button", { name: "Create account" }).click();
  const emailError = page.locator("#acc-email-error");
  await expect(emailError).toContainText("not-an-address");
  await expect(page.getByLabel("E-mail", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("E-mail", { exact: true })).toHaveAttribute("aria-describedby", "acc-email-error");
  // The same address again is a duplicate, also reported on the e-mail field.
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(emailError).toContainText(email);
  await expect(page.getByTestId("accounts").getByRole("row").filter({ hasText: email })).toHaveCount(1);

  // The new account signs in (in its own browser context) and is read-only.
  const other = await browser.newContext();
  const them = await other.newPage();
  await signIn(them, { email, password });
  await expect(them.getByTestId("account-name")).toHaveText("Nia New");

  // Disabled: its session ends and it cannot sign in again.
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("Disabled");
  await them.goto("/");
  await expect(them).toHaveURL(/\/sign-in/);
  await other.close();

  // An admin cannot disable themself.
  await page.getByTestId("accounts").getByRole("row").filter({ hasText: admin.email }).getByRole("button", { name: "Disable" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "own account" })).toHaveText("You cannot disable your own account.");

  await open(page, "/audit");
  await expect(page.locator('tr[data-action="account.create"]').first()).toContainText(email);
  await expect(page.locator('tr[data-action="account.disable"]').first()).toContainText(email);
});
