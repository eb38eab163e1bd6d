import { defineConfig } from "@playwright/test";
import * as path from "node:path";
import * as os from "node:os";

// The console under test: the debug build made by `cargo leptos build`, on its own data folder
// with one known admin. Chromium is Debian's (/usr/bin/chromium); Playwright never downloads one.
const root = path.resolve(__dirname, "..");
const port = Number(process.env.E2E_PORT ?? 3107);
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `rollbook-e2e-${port}`);
const binary = process.env.ROLLBOOK_BIN ?? path.join(root, "target", "debug", "rollbook");

/** The demo district the server starts with (imported as revision 1, source `demo`). */
export const demo = { students: 300, dataDir, binary };

export const admin = {
  email: "e2e.admin@district.example",
  name: "Erin Example",
  password: "e2e-correct-horse-battery",
};

/** A read-only account. */
export const auditor = {
  email: "e2e.auditor@district.example",
  name: "Avery Auditor",
  password: "e2e-auditor-staple-battery",
};

/** The shared OneRoster samples (../shared next to the checkout). */
export const samples = path.resolve(root, "..", "shared", "oneroster", "samples");

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  // The journeys are long (imports, several pages, API calls); a busy CI machine needs minutes.
  timeout: 120_000,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command:
      `rm -rf '${dataDir}' && mkdir -p '${dataDir}' && ` +
      `printf '%s\\n' '${admin.password}' | '${binary}' admin create --email '${admin.email}' ` +
      `--name '${admin.name}' --password-stdin && ` +
      `printf '%s\\n' '${auditor.password}' | '${binary}' admin create --email '${auditor.email}' ` +
      `--name '${auditor.name}' --role auditor --password-stdin && ` +
      `'${binary}' demo --students ${demo.students} --out '${dataDir}/demo' > /dev/null && ` +
      `'${binary}' import --source demo '${dataDir}/demo' > /dev/null && ` +
      `exec '${binary}' serve --listen 127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "ignore",
    stderr: "pipe",
    env: {
      ROLLBOOK_DATA_DIR: dataDir,
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      RUST_LOG: "warn",
    },
  },
});
