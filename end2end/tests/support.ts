import { expect, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { demo } from "../playwright.config";

/** The console is interactive once the WebAssembly has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await page.locator('body[data-hydrated="true"]').waitFor();
}

/** Signs in through the form and waits for the dashboard. */
export async function signIn(page: Page, who: { email: string; password: string }) {
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
}

/** Opens a console page and waits until it is interactive. */
export async function open(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
}

/** Runs the rollbook CLI on the test server's data folder; returns its standard output. */
export function cli(...args: string[]): string {
  return execFileSync(demo.binary, args, {
    env: { ...process.env, ROLLBOOK_DATA_DIR: demo.dataDir, RUST_LOG: "warn" },
  }).toString();
}

/** Rows of a CSV file of the generated demo district (simple CSV: the generator quotes only lists). */
export function demoRows(file: string): Record<string, string>[] {
  const text = fs.readFileSync(path.join(demo.dataDir, "demo", file), "utf8");
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  const split = (line: string) => {
    const out: string[] = [];
    let cur = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quoted) {
        if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
        else if (c === '"') quoted = false;
        else cur += c;
      } else if (c === '"') quoted = true;
      else if (c === ",") { out.push(cur); cur = ""; }
      else cur += c;
    }
    out.push(cur);
    return out;
  };
  const header = split(lines[0]);
  return lines.slice(1).map((l) => {
    const cells = split(l);
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
  });
}

/** The number in a text like "+1,204" or "−3". */
export function count(text: string | null): number {
  return Number((text ?? "").replace(/[^0-9]/g, ""));
}
