import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { FastifyRequest } from "fastify";
import { getIntrospectionQuery } from "graphql";
import { chromium, type Browser, type Page } from "playwright-core";
import {
  acceptQuality,
  ASSET_PREFIX,
  GRAPHIQL_CSP,
  wantsGraphiQL,
} from "../src/graphiql/graphiql.route";
import { authorizationHeader } from "./support/client";
import { Seed } from "./support/seed";
import { startTestService, type TestService } from "./support/service";

/** What a browser sends when it navigates to a page. */
const BROWSER_ACCEPT =
  "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** dist/test/graphiql.test.js → test/artifacts/ (git-ignored). */
const ARTIFACTS = path.join(__dirname, "..", "..", "test", "artifacts");

function fakeRequest(options: {
  method?: string;
  url?: string;
  accept?: string;
  query?: Record<string, string>;
}): FastifyRequest {
  const url = options.url ?? "/graphql";
  return {
    method: options.method ?? "GET",
    url,
    routeOptions: { url: url.split("?")[0] },
    query: options.query ?? {},
    headers: options.accept === undefined ? {} : { accept: options.accept },
  } as unknown as FastifyRequest;
}

describe("GraphiQL", () => {
  describe("content negotiation", () => {
    it("weighs media ranges by their most specific match", () => {
      assert.equal(acceptQuality(BROWSER_ACCEPT, "text/html"), 1);
      assert.equal(acceptQuality(BROWSER_ACCEPT, "application/json"), 0.8);
      assert.equal(acceptQuality("application/json", "text/html"), 0);
      assert.equal(acceptQuality("text/*;q=0.5, */*;q=0.1", "text/html"), 0.5);
      assert.equal(acceptQuality("text/html;q=0, */*", "text/html"), 0);
    });

    it("is for browsers opening GET /graphql, and nothing else", () => {
      assert.equal(wantsGraphiQL(fakeRequest({ accept: BROWSER_ACCEPT })), true);
      for (const [why, request] of [
        ["no Accept", fakeRequest({})],
        ["curl's */*", fakeRequest({ accept: "*/*" })],
        ["JSON", fakeRequest({ accept: "application/json" })],
        ["a tie", fakeRequest({ accept: "text/html, application/graphql-response+json" })],
        ["a POST", fakeRequest({ method: "POST", accept: BROWSER_ACCEPT })],
        ["another path", fakeRequest({ url: "/healthz", accept: BROWSER_ACCEPT })],
        [
          "a GET query",
          fakeRequest({ accept: BROWSER_ACCEPT, query: { query: "{ __typename }" } }),
        ],
      ] as const) {
        assert.equal(wantsGraphiQL(request), false, why);
      }
    });
  });

  describe("over HTTP", () => {
    let service: TestService;
    before(async () => {
      service = await startTestService();
    });
    after(() => service.stop());

    async function openPage(): Promise<{ response: Response; html: string }> {
      const response = await fetch(`${service.url}/graphql`, {
        headers: { accept: BROWSER_ACCEPT },
      });
      return { response, html: await response.text() };
    }

    it("serves the page to a browser at GET /graphql with a strict Content-Security-Policy", async () => {
      const { response, html } = await openPage();
      assert.equal(response.status, 200, html.slice(0, 300));
      assert.match(response.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal(response.headers.get("content-security-policy"), GRAPHIQL_CSP);
      assert.match(GRAPHIQL_CSP, /default-src 'self'/);
      assert.match(GRAPHIQL_CSP, /script-src 'self'(;|$)/);
      assert.match(GRAPHIQL_CSP, /connect-src 'self'(;|$)/);
      assert.equal(response.headers.get("x-content-type-options"), "nosniff");
      assert.match(html, /<div id="graphiql">/);
      assert.doesNotMatch(
        html,
        /(src|href)="(https?:)?\/\//,
        "the page loads nothing from elsewhere",
      );
    });

    it("serves the page's assets with long-lived caching, gzipped when accepted", async () => {
      const { html } = await openPage();
      const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)]
        .map((match) => match[1])
        .filter((url) => url.startsWith(ASSET_PREFIX));
      assert.equal(urls.length, 2, `one script and one stylesheet: ${urls.join(", ")}`);
      for (const url of urls) {
        const response = await fetch(`${service.url}${url}`); // fetch accepts gzip
        const body = await response.text();
        assert.equal(response.status, 200, url);
        assert.match(
          response.headers.get("content-type") ?? "",
          url.endsWith(".js") ? /^text\/javascript/ : /^text\/css/,
        );
        assert.match(response.headers.get("cache-control") ?? "", /max-age=31536000.*immutable/);
        assert.equal(response.headers.get("content-encoding"), "gzip");
        assert.ok(body.length > 1000, url);
      }
      const missing = await fetch(`${service.url}${ASSET_PREFIX}nope.js`);
      assert.equal(missing.status, 404);
      await missing.body?.cancel();
    });

    it("leaves GraphQL requests to the API", async () => {
      // A GET that carries a query goes to Apollo (which wants a CSRF-proof header for it).
      const get = await fetch(
        `${service.url}/graphql?query=${encodeURIComponent("{ __typename }")}`,
        { headers: { accept: BROWSER_ACCEPT, "apollo-require-preflight": "true" } },
      );
      assert.deepEqual(await get.json(), { data: { __typename: "Query" } });
      const curl = await fetch(`${service.url}/graphql`, { headers: { accept: "*/*" } });
      assert.doesNotMatch(curl.headers.get("content-type") ?? "", /text\/html/);
      await curl.body?.cancel();
      const post = await service.client.raw("{ __typename }");
      assert.deepEqual(post.data, { __typename: "Query" });
    });

    it("answers GraphiQL's introspection query, so the page gets docs and completion", async () => {
      const result = await service.client.raw(
        getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true }),
      );
      assert.equal(result.status, 200, result.text.slice(0, 300));
      assert.equal(result.errors, undefined);
    });
  });

  describe("in a browser", () => {
    const skip = existsSync(CHROMIUM)
      ? false
      : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`;
    let service: TestService;
    let browser: Browser;
    before(async () => {
      if (skip) return;
      service = await startTestService();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
      });
    });
    after(async () => {
      await browser?.close();
      await service?.stop();
    });

    /** Replaces the whole text of the Monaco editor inside `container`, as a person pasting. */
    async function replaceEditorText(page: Page, container: string, text: string): Promise<void> {
      const editor = page.locator(`${container} .monaco-editor`).first();
      await editor.click();
      await page.keyboard.press("ControlOrMeta+KeyA");
      await page.keyboard.press("Delete");
      await page.keyboard.insertText(text);
    }

    async function resultText(page: Page): Promise<string> {
      // Monaco draws spaces as no-break spaces.
      const text = await page.locator(".graphiql-response").innerText();
      return text.replace(/\u00a0/g, " ");
    }

    async function run(page: Page, authorization: string, expected: string): Promise<void> {
      await replaceEditorText(
        page,
        'section.graphiql-editor-tool[aria-label="Headers"] .graphiql-editor:not(.hidden)',
        `{"Authorization": "${authorization}"}`,
      );
      await replaceEditorText(page, ".graphiql-query-editor", "{ viewer { __typename } }");
      await page.locator(".graphiql-execute-button").click();
      // `\s`: Monaco draws spaces as no-break spaces.
      await page
        .locator(".graphiql-response")
        .filter({ hasText: new RegExp(`"__typename":\\s"${expected}"`) })
        .waitFor({ timeout: 30_000 });
      assert.match(await resultText(page), new RegExp(`"__typename": "${expected}"`));
    }

    it(
      "runs { viewer { __typename } } with a bearer token and with an API key",
      { skip, timeout: 120_000 },
      async () => {
        const user = await new Seed(service.client).user();
        const key = await (await user.organization()).apiKey({ roles: ["ORG_MEMBER"] });
        const basic = authorizationHeader({ kind: "apiKey", ...key }).authorization;

        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        const page = await context.newPage();
        const problems: string[] = [];
        const elsewhere: string[] = [];
        page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
        page.on("console", (message) => {
          const text = message.text();
          if (message.type() === "error") {
            problems.push(`console: ${text}`);
          }
          if (/Content Security Policy|Could not create web worker/i.test(text)) {
            problems.push(`console: ${text}`);
          }
        });
        page.on("request", (request) => {
          if (!/^(data|blob):/.test(request.url()) && !request.url().startsWith(service.url)) {
            elsewhere.push(request.url());
          }
        });

        await page.goto(`${service.url}/graphql`);
        await page.locator(".graphiql-query-editor .monaco-editor").waitFor({ timeout: 30_000 });
        // The headers editor comes prefilled with (commented-out) Authorization examples.
        const headersTool = page.locator('section.graphiql-editor-tool[aria-label="Headers"]');
        assert.match(
          (await headersTool.innerText()).replace(/\u00a0/g, " "),
          /"Authorization": "Bearer /,
        );

        await run(page, `Bearer ${user.token}`, "User");
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: path.join(ARTIFACTS, "graphiql.png") });

        await run(page, basic, "ApiKey");
        await page.screenshot({ path: path.join(ARTIFACTS, "graphiql-api-key.png") });

        await context.close();
        assert.deepEqual(elsewhere, [], "the page requested nothing from another origin");
        assert.deepEqual(problems, []);
      },
    );
  });
});
