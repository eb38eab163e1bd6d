import { test, expect, APIRequestContext, Page } from "@playwright/test";
import * as fs from "node:fs";
import { admin } from "../playwright.config";
import { signIn, open, hydrated, count } from "./support";

// An app's credentials over their life, from the admin's side and the vendor's: issue, rotate
// with and without a grace period, revoke everything, disable and enable; what the access log,
// the dashboard and the audit log say about it.

const V12 = "/ims/oneroster/rostering/v1p2";

/** The token endpoint's answer to the app's client id and secret. */
async function tokenRequest(request: APIRequestContext, clientId: string, secret: string) {
  const res = await request.post("/oauth/token", {
    form: { grant_type: "client_credentials" },
    headers: { Authorization: "Basic " + Buffer.from(`${clientId}:${secret}`).toString("base64") },
  });
  return { status: res.status(), body: await res.json() };
}

async function token(request: APIRequestContext, clientId: string, secret: string): Promise<string> {
  const res = await tokenRequest(request, clientId, secret);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.access_token;
}

async function get(request: APIRequestContext, bearer: string, path: string) {
  return request.get(`${V12}/${path}`, { headers: { Authorization: `Bearer ${bearer}` } });
}

/** The credentials table: the state of each secret, newest first as the page lists them. */
async function secretStates(page: Page): Promise<string[]> {
  return (await page.getByTestId("secrets").locator("tbody tr td:nth-child(2)").allTextContents()).map((s) => s.trim());
}

/** Issues a new secret on the app page; `previous` is the one shown before (if any). */
async function rotate(page: Page, grace: string, previous: string): Promise<string> {
  await page.getByLabel("Previous secret keeps working for").selectOption({ label: grace });
  await page.getByRole("button", { name: "Issue a new secret" }).click();
  const panel = page.getByTestId("new-secret");
  await expect(panel.getByRole("heading")).toHaveText("New secret issued");
  await expect(panel).toContainText("will not be shown again");
  // the panel of an earlier rotation may still be showing until the answer arrives
  await expect(page.locator("#client-secret")).not.toHaveValue(previous);
  const secret = await page.locator("#client-secret").inputValue();
  expect(secret.length).toBeGreaterThanOrEqual(40);
  return secret;
}

/** "N of the latest M" on the dashboard's Errors card: N. */
async function dashboardApiErrors(page: Page): Promise<number> {
  await open(page, "/");
  const text = (await page.getByTestId("errors").locator("dd").nth(1).textContent()) ?? "";
  return count(text.split(" of ")[0]);
}

test("an app's secret is rotated with and without grace, all credentials are revoked, the app disabled and enabled; the access log, dashboard and audit log show it", async ({ page, request }) => {
  await signIn(page, admin);
  const errorsBefore = await dashboardApiErrors(page);

  await open(page, "/apps");
  const name = `Lunch Line ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Register app" }).click();
  await expect(page.getByTestId("new-secret")).toContainText("will not be shown again");
  const clientId = await page.locator("#client-id").inputValue();
  const first = await page.locator("#client-secret").inputValue();

  // Not used yet: the dashboard says so.
  await open(page, "/");
  await expect(page.getByTestId("dashboard-apps").getByRole("row", { name: new RegExp(`^${name} `) })).toHaveText(`${name}never`);

  await page.getByTestId("dashboard-apps").getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await hydrated(page);
  expect(await secretStates(page)).toEqual(["current"]);
  const appUrl = page.url();

  // A limit of three requests a minute: the fourth is refused with 429 and a Retry-After.
  await page.getByLabel("Rate limit (requests per minute)").fill("3");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.getByLabel("Rate limit (requests per minute)")).toHaveValue("3");
  await page.reload();
  await expect(page.getByLabel("Rate limit (requests per minute)")).toHaveValue("3");

  const t1 = await token(request, clientId, first);
  expect((await get(request, t1, "orgs")).status()).toBe(200);
  const missing = await get(request, t1, "users/no-such-user");
  expect(missing.status()).toBe(404);
  expect(await missing.json()).toMatchObject({ imsx_codeMajor: "failure", imsx_CodeMinor: { imsx_codeMinorField: [{ imsx_codeMinorFieldValue: "unknownobject" }] } });
  expect((await get(request, t1, "academicSessions")).status()).toBe(200);
  const throttled = await get(request, t1, "courses");
  expect(throttled.status()).toBe(429);
  expect(Number(throttled.headers()["retry-after"])).toBeGreaterThan(0);
  expect((await throttled.json()).imsx_description).toContain("this app has used its request limit; try again in");

  // The access log lists all four, the refusals counted apart (it is written in batches).
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("access-log").locator("tbody tr")).toHaveCount(4, { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(page.getByText(/The latest 4 requests and exports\./)).toContainText("1 rate-limited (429), 1 refused or failed.");
  const log = page.getByTestId("access-log");
  await expect(log.getByRole("row").filter({ hasText: `${V12}/courses` })).toContainText("429");
  await expect(log.getByRole("row").filter({ hasText: `${V12}/users/no-such-user` })).toContainText("404");
  await expect(log.getByRole("row").filter({ hasText: `${V12}/users/no-such-user` })).toHaveClass(/row-error/);
  await expect(log.getByRole("row").filter({ hasText: `${V12}/orgs` })).not.toHaveClass(/row-error/);
  // ... and the dashboard counts both among the refused requests, and shows when it was used.
  expect(await dashboardApiErrors(page)).toBe(errorsBefore + 2);
  await expect(page.getByTestId("dashboard-apps").getByRole("row", { name: new RegExp(`^${name} `) })).not.toContainText("never");

  // Back to the server default, so that the rest of the journey is not throttled.
  await open(page, appUrl);
  await page.getByLabel("Rate limit (requests per minute)").fill("");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.reload();
  await expect(page.getByLabel("Rate limit (requests per minute)")).toHaveValue("");

  // A new secret with a day's grace: both secrets work, and the token issued before too.
  const second = await rotate(page, "24 hours", first);
  await expect.poll(() => secretStates(page)).toEqual(expect.arrayContaining(["current", "grace"]));
  expect((await secretStates(page)).length).toBe(2);
  expect((await get(request, t1, "orgs")).status()).toBe(200);
  await token(request, clientId, first);
  const t2 = await token(request, clientId, second);

  // A new secret that stops the others now: only the newest works, earlier tokens are gone.
  const third = await rotate(page, "no time (stop it now)", second);
  await expect.poll(() => secretStates(page)).toEqual(expect.arrayContaining(["current", "revoked", "revoked"]));
  for (const old of [first, second]) {
    const refused = await tokenRequest(request, clientId, old);
    expect(refused.status).toBe(401);
    expect(refused.body.error).toBe("invalid_client");
  }
  for (const old of [t1, t2]) expect((await get(request, old, "orgs")).status()).toBe(401);
  const t3 = await token(request, clientId, third);
  expect((await get(request, t3, "orgs")).status()).toBe(200);

  // Revoking everything asks first; then nothing works until a new secret is issued.
  await page.getByRole("button", { name: "Revoke all credentials" }).click();
  const confirm = page.getByRole("group", { name: "Confirm revocation" });
  await expect(confirm).toContainText("Every secret and token of this app stops working now.");
  expect((await get(request, t3, "orgs")).status()).toBe(200);
  await confirm.getByRole("button", { name: "Yes, revoke now" }).click();
  await expect.poll(() => secretStates(page)).toEqual(["revoked", "revoked", "revoked"]);
  expect((await tokenRequest(request, clientId, third)).status).toBe(401);
  expect((await get(request, t3, "orgs")).status()).toBe(401);
  const fourth = await rotate(page, "24 hours", third);
  const t4 = await token(request, clientId, fourth);
  expect((await get(request, t4, "orgs")).status()).toBe(200);

  // Disabled: no token and no data, with the reason; the dashboard marks it. Enabled: back.
  await page.reload();
  await hydrated(page);
  await page.getByRole("button", { name: "Disable" }).click();
  await expect(page.getByRole("button", { name: "Enable" })).toBeVisible();
  const disabled = await tokenRequest(request, clientId, fourth);
  expect(disabled.status).toBe(401);
  expect(disabled.body.error_description).toBe("this app is disabled; the district can enable it again");
  const refusedData = await get(request, t4, "orgs");
  expect(refusedData.status()).toBe(401);
  expect(await refusedData.text()).toContain("this app is disabled");
  await open(page, "/");
  await expect(page.getByTestId("dashboard-apps").getByRole("row", { name: new RegExp(`^${name} `) })).toContainText("Disabled");
  await open(page, appUrl);
  await page.getByRole("button", { name: "Enable" }).click();
  await expect(page.getByRole("button", { name: "Disable" })).toBeVisible();
  expect((await get(request, t4, "orgs")).status()).toBe(200);

  // The audit log has each step, by this admin, for this app.
  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  const appId = appUrl.match(/\/apps\/(\d+)$/)![1];
  const mine = (action: string) => table.locator(`tr[data-action="${action}"]`).filter({ has: page.locator("td:nth-child(4)", { hasText: new RegExp(`^app ${appId}$`) }) });
  await expect(table.locator('tr[data-action="app.create"]').filter({ hasText: name })).toHaveCount(1);
  await expect(mine("app.update")).toHaveCount(2);
  await expect(mine("credentials.rotate")).toHaveCount(3);
  await expect(mine("credentials.rotate").filter({ hasText: "previous secret works for 0 more hours" })).toHaveCount(1);
  await expect(mine("credentials.revoke")).toHaveCount(1);
  await expect(mine("app.disable")).toHaveCount(1);
  await expect(mine("app.enable")).toHaveCount(1);
  await expect(mine("credentials.revoke")).toContainText(admin.email);
  // Nothing on the page changes or deletes an entry.
  await expect(table.getByRole("button")).toHaveCount(0);

  // Filtered by action and text with the page's form: the page, and its CSV export, hold the
  // secrets issued for this app and nothing else.
  await hydrated(page);
  await page.getByLabel("Action").selectOption({ label: "Issued a new secret" });
  await page.getByLabel("Contains").fill(`app ${appId}`);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/[?&]action=credentials\.rotate/);
  await expect(table.locator("tbody tr")).toHaveCount(3);
  await expect(table.locator('tbody tr:not([data-action="credentials.rotate"])')).toHaveCount(0);
  const exportLink = page.getByRole("link", { name: "Export as CSV" });
  await expect(exportLink).toHaveAttribute("href", `/audit.csv?action=credentials.rotate&text=app%20${appId}`);
  const download = page.waitForEvent("download");
  await exportLink.click();
  const csv = fs.readFileSync(await (await download).path(), "utf8").trimEnd().split("\n");
  expect(csv[0]).toBe("id,at,actor,action,target,detail");
  expect(csv.slice(1).map((line) => line.split(",").slice(2, 5))).toEqual([
    [admin.email, "credentials.rotate", `app ${appId}`],
    [admin.email, "credentials.rotate", `app ${appId}`],
    [admin.email, "credentials.rotate", `app ${appId}`],
  ]);
});
