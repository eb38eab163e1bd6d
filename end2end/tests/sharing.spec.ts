import { test, expect, APIRequestContext } from "@playwright/test";
import { admin, auditor } from "../playwright.config";
import { signIn, open, cli, demoRows, count } from "./support";

const V12 = "/ims/oneroster/rostering/v1p2";

async function token(request: APIRequestContext, clientId: string, secret: string): Promise<string> {
  const res = await request.post("/oauth/token", {
    form: { grant_type: "client_credentials" },
    headers: { Authorization: "Basic " + Buffer.from(`${clientId}:${secret}`).toString("base64") },
  });
  expect(res.status()).toBe(200);
  return (await res.json()).access_token;
}

/** Every shared user, through the REST API with the app's own token. */
async function sharedUsers(request: APIRequestContext, bearer: string): Promise<any[]> {
  const res = await request.get(`${V12}/users?limit=10000`, { headers: { Authorization: `Bearer ${bearer}` } });
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(Number(res.headers()["x-total-count"])).toBe(body.users.length);
  return body.users;
}

test("an admin registers an app, hands over credentials, shares one school without e-mail, and the app gets exactly that", async ({ page, request }) => {
  await signIn(page, admin);
  await open(page, "/apps");
  const name = `Reading Coach ${Date.now()}`;
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Vendor", { exact: true }).fill("Coach Co");
  await page.getByRole("button", { name: "Register app" }).click();

  // The secret is shown once, with the warning.
  const panel = page.getByTestId("new-secret");
  await expect(panel).toContainText("will not be shown again");
  const clientId = await page.locator("#client-id").inputValue();
  const secret = await page.locator("#client-secret").inputValue();
  expect(secret.length).toBeGreaterThanOrEqual(40);
  await expect(page.getByTestId("apps-table").getByRole("link", { name })).toBeVisible();

  // Registering the same name again (a double submit) makes no second app.
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Register app" }).click();
  await expect(page.locator("#app-name-error")).toContainText("already");
  await expect(page.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("apps-table").getByRole("link", { name })).toHaveCount(1);

  // The app page has the connection details; the secret is nowhere.
  await page.getByTestId("apps-table").getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  const connection = page.getByTestId("connection");
  await expect(connection).toContainText(clientId);
  await expect(connection).toContainText("/oauth/token");
  await expect(connection).toContainText("/ims/oneroster/rostering/v1p2");
  await expect(connection).toContainText("/ims/oneroster/v1p1");
  expect(await page.content()).not.toContain(secret);

  // A bad rate limit is refused beside its field; nothing is saved.
  await page.locator('body[data-hydrated="true"]').waitFor();
  await page.getByLabel("Rate limit (requests per minute)").fill("lots");
  await page.getByRole("button", { name: "Save settings" }).click();
  await expect(page.locator("#edit-rate-error")).toContainText("lots");
  await expect(page.getByLabel("Rate limit (requests per minute)")).toHaveAttribute("aria-invalid", "true");
  await page.reload();
  await expect(page.getByLabel("Rate limit (requests per minute)")).toHaveValue("");

  // A new app shares nothing.
  const bearer = await token(request, clientId, secret);
  expect(await sharedUsers(request, bearer)).toHaveLength(0);

  // Share one school; e-mail is a sensitive field and off by default.
  await page.getByRole("link", { name: "Sharing" }).click();
  await expect(page).toHaveURL(/\/apps\/\d+\/share$/);
  const appTarget = `app ${page.url().match(/\/apps\/(\d+)\/share$/)![1]}`;
  await page.locator('body[data-hydrated="true"]').waitFor();
  const email = page.getByRole("group", { name: "users" }).getByRole("checkbox", { name: /^email/ });
  await expect(email).not.toBeChecked();
  await expect(page.getByRole("group", { name: "users" }).locator("label", { hasText: /^ ?email/ })).toContainText("sensitive");
  // a school of the generated demo district (the imports journey may have added another district)
  const school = page.getByRole("group", { name: "Schools" }).locator('input[type="checkbox"][value^="sch-"]').first();
  const schoolId = await school.getAttribute("value");
  await school.check();

  await page.getByRole("button", { name: "Preview impact" }).click();
  const impact = page.getByTestId("impact");
  await expect(impact).toBeVisible();
  const usersAdded = count(await impact.getByTestId("impact-users").locator("td").first().textContent());
  const studentsAdded = count(await impact.getByTestId("students-added").textContent());
  expect(usersAdded).toBeGreaterThan(0);
  expect(studentsAdded).toBeGreaterThan(0);
  await expect(impact.getByTestId("fields-added")).toHaveCount(0);

  // One school is more than 10% of the district's students: saving asks first.
  await page.getByRole("button", { name: "Save share" }).click();
  const bigChange = page.getByRole("alertdialog", { name: "Confirm the change" });
  await expect(bigChange).toContainText(`It adds ${studentsAdded.toLocaleString("en-US")} students, more than 10% of the district's`);
  expect(await sharedUsers(request, bearer)).toHaveLength(0);
  await bigChange.getByRole("button", { name: "Confirm and save" }).click();
  await expect(page.getByTestId("saved")).toContainText(`+${studentsAdded.toLocaleString("en-US")} / −0 students`);

  // The app, with its own credentials, gets exactly the previewed users, without e-mail.
  const users = await sharedUsers(request, bearer);
  expect(users.length).toBe(usersAdded);
  expect(users.filter((u) => u.roles.some((r: any) => r.role === "student")).length).toBe(studentsAdded);
  for (const u of users) {
    expect(u).not.toHaveProperty("email");
    expect(u.roles.some((r: any) => r.org.sourcedId === schoolId)).toBe(true);
  }

  // Why: a shared student and one of another school.
  const shared = users.find((u) => u.roles.some((r: any) => r.role === "student"))!;
  const sharedIds = new Set(users.map((u) => u.sourcedId));
  const other = demoRows("roles.csv").find((r) => r.role === "student" && r.orgSourcedId !== schoolId && !sharedIds.has(r.userSourcedId))!;
  await page.reload();
  await page.locator('body[data-hydrated="true"]').waitFor();
  // Preview as app: the API's own answer for this app, without e-mail.
  const frame = page.frameLocator('iframe[name="preview-frame"]');
  await expect(frame.locator("body")).toContainText('"users"');
  expect(await frame.locator("body").textContent()).not.toContain('"email"');
  await page.getByLabel("Endpoint").fill(`users/${shared.sourcedId}`);
  await page.getByRole("button", { name: "Show" }).click();
  await expect(frame.locator("body")).toContainText(`"sourcedId":"${shared.sourcedId}"`);
  await page.getByLabel("Endpoint").fill(`users/${other.userSourcedId}`);
  await page.getByRole("button", { name: "Show" }).click();
  await expect(frame.locator("body")).toContainText("failure");

  await page.getByLabel("sourcedId", { exact: true }).fill(shared.sourcedId);
  await page.getByRole("button", { name: "Explain" }).click();
  await expect(page.getByTestId("why")).toContainText(`${shared.sourcedId} is shared.`);
  await expect(page.getByTestId("why")).toContainText("shared by student in class");
  await page.getByLabel("sourcedId", { exact: true }).fill(other.userSourcedId);
  await page.getByRole("button", { name: "Explain" }).click();
  await expect(page.getByTestId("why")).toContainText(`${other.userSourcedId} is not shared.`);

  // Adding a sensitive field asks for confirmation before it is saved.
  await page.getByRole("group", { name: "users" }).getByRole("checkbox", { name: /^email/ }).check();
  await page.getByRole("button", { name: "Save share" }).click();
  const confirm = page.getByRole("alertdialog", { name: "Confirm the change" });
  await expect(confirm).toContainText("It adds sensitive data: users.email.");
  await expect(confirm).not.toContainText("students, more than");
  expect((await sharedUsers(request, bearer))[0]).not.toHaveProperty("email");
  await confirm.getByRole("button", { name: "Confirm and save" }).click();
  await expect(page.getByTestId("saved")).toBeVisible();
  expect((await sharedUsers(request, bearer)).some((u) => "email" in u)).toBe(true);

  // The app's page now shows the share and the app's requests.
  await open(page, page.url().replace(/\/share$/, ""));
  await expect(page.getByTestId("shared-students")).toHaveText(`${studentsAdded.toLocaleString("en-US")} students`);
  await expect(page.getByTestId("access-log").getByRole("row").filter({ hasText: `${V12}/users` }).first()).toBeVisible();

  // Its CSV export, downloaded by the admin: a zip, recorded in the audit log.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "OneRoster 1.2" }).click();
  const zip = await (await download).createReadStream();
  const first = await new Promise<Buffer>((resolve) => zip.once("data", (chunk) => resolve(chunk as Buffer)));
  expect(first.subarray(0, 4).toString("binary")).toBe("PK\x03\x04");

  // Every step is in the audit log.
  await open(page, "/audit");
  const table = page.getByTestId("audit-table");
  await expect(table.locator('tr[data-action="app.create"]').first()).toContainText(name);
  // (other journeys set shares of their own apps: this app's entries are the ones with its target)
  const shareSets = table.locator('tr[data-action="share.set"]').filter({ has: page.getByRole("cell", { name: appTarget, exact: true }) });
  await expect(shareSets).toHaveCount(2);
  await expect(shareSets.first()).toContainText(admin.email);
  await expect(table.locator('tr[data-action="app.export"]').first()).toContainText("OneRoster 1.2 CSV package");
});

test("an auditor can look but not change: the pages offer nothing and the server refuses direct calls", async ({ page }) => {
  const created = JSON.parse(cli("app", "create", "--name", `Audited App ${Date.now()}`, "--json"));
  const appId = created.id ?? created.app?.id;
  expect(appId).toBeGreaterThan(0);

  await signIn(page, auditor);
  await expect(page.getByTestId("account-name")).toHaveText(auditor.name);

  await open(page, "/apps");
  await expect(page.getByTestId("apps-table")).toBeVisible();
  await expect(page.getByRole("button", { name: "Register app" })).toHaveCount(0);
  await open(page, `/apps/${appId}`);
  await expect(page.getByTestId("connection")).toBeVisible();
  await expect(page.getByRole("button", { name: /Disable|Revoke|Issue a new secret/ })).toHaveCount(0);
  await open(page, `/apps/${appId}/share`);
  await expect(page.getByText("Your account can look but not change shares.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save share" })).toHaveCount(0);
  await open(page, "/imports");
  await expect(page.getByRole("button", { name: "Upload and import" })).toHaveCount(0);

  // Calling the server functions directly, with the auditor's session: 403 for every change.
  const calls: [string, Record<string, string>][] = [
    ["create_app", { name: "Sneaky", vendor: "", contact: "", v1p2: "on" }],
    ["set_app_enabled", { id: String(appId), enabled: "false" }],
    ["rotate_secret", { id: String(appId), grace_hours: "0" }],
    ["revoke_credentials", { id: String(appId) }],
    ["save_share", { app_id: String(appId), share: '{"all":true}', confirmed: "true" }],
    ["approve_import", { id: "1" }],
    ["discard_import", { id: "1" }],
    ["rollback_to", { to: "1" }],
  ];
  for (const [fn, form] of calls) {
    const res = await page.request.post(`/api/${fn}`, { form });
    expect(res.status(), fn).toBe(403);
  }
  // ... and reading still works.
  const ok = await page.request.post("/api/app_detail", { form: { id: String(appId) } });
  expect(ok.status()).toBe(200);

  // The upload route refuses too.
  const upload = await page.request.post("/imports/upload", {
    multipart: { package: { name: "x.zip", mimeType: "application/zip", buffer: Buffer.from("PK\x03\x04rest") } },
    maxRedirects: 0,
  });
  expect(upload.status()).toBe(303);

  // Nothing changed; the auditor reads the audit log, where the CLI's creation is recorded.
  const apps = JSON.parse(cli("app", "list", "--json"));
  expect(apps.find((a: any) => a.name === "Sneaky")).toBeUndefined();
  expect(apps.find((a: any) => a.id === appId).enabled).toBe(true);
  await open(page, "/audit");
  await expect(page.locator(`tr[data-action="app.create"]`).filter({ hasText: `app ${appId}` })).toContainText("cli");
  await expect(page.locator(`tr[data-action="sign_in"]`).first()).toContainText(auditor.email);
  const csv = await page.request.get("/audit.csv?action=sign_in");
  expect(csv.status()).toBe(200);
  const lines = (await csv.text()).trimEnd().split("\n");
  expect(lines[0]).toBe("id,at,actor,action,target,detail");
  // the rows are the filtered entries: sign-ins only, the auditor's among them
  const rows = lines.slice(1).map((line) => line.split(","));
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((r) => r[3] !== "sign_in")).toEqual([]);
  expect(rows.some((r) => r[2] === auditor.email)).toBe(true);
});

test("what people type is shown as text, never run as markup: an app's name and vendor, a search", async ({ page }) => {
  await signIn(page, admin);
  const name = `<img src=x onerror="window.__xss=1">Quiz & "Co" ${Date.now()}`;
  const vendor = "<b>Acme</b> <script>window.__xss=2</script>";
  const created = JSON.parse(cli("app", "create", "--name", name, "--vendor", vendor, "--json"));

  await open(page, "/apps");
  const row = page.getByTestId("apps-table").getByRole("row").filter({ hasText: name });
  await expect(row.getByRole("link")).toHaveText(name);
  await expect(row.getByRole("cell").first()).toHaveText(vendor);
  await expect(row.locator("img, b, script")).toHaveCount(0);

  await open(page, `/apps/${created.id}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await expect(page.locator("main img, main b, main script")).toHaveCount(0);

  const typed = `<img src=x onerror="window.__xss=3">`;
  await open(page, `/data?tab=users&q=${encodeURIComponent(typed)}`);
  await expect(page.locator('input[name="q"]')).toHaveValue(typed);
  await expect(page.locator("main img")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
});
