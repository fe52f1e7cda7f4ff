// `npm run build:graphiql`: bundles the GraphiQL page (graphiql/) with esbuild into
// dist/graphiql/: index.html plus content-hashed assets under assets/, served by
// src/graphiql/graphiql.route.ts. Everything is bundled (Monaco's workers, styles, fonts as data:
// URLs), so the page loads nothing from any other origin; the build fails if the output would.
const {
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  readdirSync,
  statSync,
} = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { gzipSync } = require("node:zlib");
const esbuild = require("esbuild");

const root = path.join(__dirname, "..");
const source = path.join(root, "graphiql");
const out = path.join(root, "dist", "graphiql");
const assets = path.join(out, "assets");
/** URL path the assets are served under (see ASSET_PREFIX in src/graphiql/graphiql.route.ts). */
const PUBLIC_PATH = "/graphiql/assets";

const common = {
  absWorkingDir: root,
  bundle: true,
  minify: true,
  legalComments: "linked",
  target: ["chrome109", "firefox115", "safari16"],
  logLevel: "warning",
  metafile: true,
  define: { "process.env.NODE_ENV": '"production"' },
};

/**
 * Monaco's own CSS is already part of graphiql/style.css (imported by graphiql/index.tsx), so its
 * per-widget CSS imports are dropped; `graphql-ws` is only used for subscriptions, which keyfob
 * does not have.
 */
const stubs = {
  name: "keyfob-stubs",
  setup(build) {
    build.onResolve({ filter: /\.css$/ }, (args) =>
      /[\\/]node_modules[\\/]monaco-editor[\\/]/.test(args.importer)
        ? { path: args.path, namespace: "keyfob-empty" }
        : undefined,
    );
    build.onResolve({ filter: /^graphql-ws$/ }, (args) => ({
      path: args.path,
      namespace: "keyfob-no-subscriptions",
    }));
    build.onLoad({ filter: /.*/, namespace: "keyfob-empty" }, () => ({
      contents: "",
      loader: "js",
    }));
    build.onLoad({ filter: /.*/, namespace: "keyfob-no-subscriptions" }, () => ({
      contents:
        'export function createClient() { throw new Error("keyfob has no subscriptions"); }',
      loader: "js",
    }));
  },
};

function outputsFor(metafile, entryPoint) {
  const entry = Object.entries(metafile.outputs).find(
    ([, output]) => output.entryPoint === entryPoint,
  );
  if (!entry) throw new Error(`esbuild produced no output for ${entryPoint}`);
  return { js: entry[0], css: entry[1].cssBundle };
}

function publicUrl(outputPath) {
  return `${PUBLIC_PATH}/${path.relative(assets, path.join(root, outputPath)).split(path.sep).join("/")}`;
}

function listFiles(directory) {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/** Anything in the output that would make a browser fetch from another origin. */
const EXTERNAL_LOADS = [
  /url\(\s*["']?(https?:)?\/\//i,
  /@import\s+(url\()?["']?(https?:)?\/\//i,
  /\b(src|href)\s*=\s*["']?(https?:)?\/\//i,
  /\bimport\s*\(\s*["'`](https?:)?\/\//i,
  /\bfrom\s*["'](https?:)?\/\//i,
  /\bimportScripts\s*\(\s*["'`](https?:)?\/\//i,
  /new\s+(Shared)?Worker\s*\(\s*["'`](https?:)?\/\//i,
  /esm\.sh|unpkg\.com|jsdelivr\.net|cdnjs|fonts\.googleapis|fonts\.gstatic/i,
];

function assertSelfContained(files) {
  for (const file of files) {
    if (!/\.(js|css|html)$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const pattern of EXTERNAL_LOADS) {
      const match = pattern.exec(text);
      if (match) {
        const at = Math.max(0, match.index - 60);
        throw new Error(
          `${path.relative(root, file)} would load from another origin (${pattern}): …${text.slice(at, match.index + 100)}…`,
        );
      }
    }
  }
}

/** Type-checks graphiql/ (esbuild only strips types), alongside the bundling. */
function typeCheck() {
  return new Promise((resolve, reject) => {
    const tsc = spawn(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", path.join(source, "tsconfig.json")],
      { cwd: root, stdio: "inherit" },
    );
    tsc.on("error", reject);
    tsc.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error("graphiql/: type errors (see above)")),
    );
  });
}

async function main() {
  const started = Date.now();
  const typeChecked = typeCheck();
  typeChecked.catch(() => {}); // awaited below; this only keeps an early failure from crashing
  rmSync(out, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });

  // Monaco's web workers: classic (IIFE) scripts, one file each.
  const workerEntries = {
    editor: "monaco-editor/esm/vs/editor/editor.worker.js",
    json: "monaco-editor/esm/vs/language/json/json.worker.js",
    graphql: "monaco-graphql/esm/graphql.worker.js",
  };
  const workers = await esbuild.build({
    ...common,
    entryPoints: Object.entries(workerEntries).map(([name, input]) => ({
      in: require.resolve(input, { paths: [root] }),
      out: `${name}.worker`,
    })),
    entryNames: "[name]-[hash]",
    format: "iife",
    outdir: assets,
    plugins: [stubs],
  });
  const workerFiles = {};
  for (const [name, input] of Object.entries(workerEntries)) {
    const entryPoint = path
      .relative(root, require.resolve(input, { paths: [root] }))
      .split(path.sep)
      .join("/");
    workerFiles[name] = `./${path.basename(outputsFor(workers.metafile, entryPoint).js)}`;
  }

  // The page: ES modules with code splitting (Monaco, prettier, … load lazily).
  const page = await esbuild.build({
    ...common,
    entryPoints: [path.join(source, "index.tsx")],
    entryNames: "[name]-[hash]",
    chunkNames: "chunk-[hash]",
    assetNames: "[name]-[hash]",
    format: "esm",
    splitting: true,
    jsx: "automatic",
    outdir: assets,
    loader: { ".ttf": "file", ".woff": "file", ".woff2": "file", ".svg": "file" },
    define: { ...common.define, GRAPHIQL_WORKERS: JSON.stringify(workerFiles) },
    plugins: [stubs],
  });
  const entry = outputsFor(page.metafile, "graphiql/index.tsx");
  if (!entry.css) throw new Error("esbuild produced no stylesheet for graphiql/index.tsx");

  const html = readFileSync(path.join(source, "index.html"), "utf8")
    .replace("<!-- graphiql:styles -->", `<link rel="stylesheet" href="${publicUrl(entry.css)}" />`)
    .replace(
      "<!-- graphiql:scripts -->",
      `<script type="module" src="${publicUrl(entry.js)}"></script>`,
    );
  if (html.includes("<!-- graphiql:")) throw new Error("graphiql/index.html: unfilled slot");
  writeFileSync(path.join(out, "index.html"), html);

  await typeChecked;
  assertSelfContained(listFiles(out));
  // Gzipped copies, served to browsers that accept gzip (the route reads NAME.gz beside NAME).
  for (const file of listFiles(assets)) {
    if (/\.(js|css)$/.test(file) && statSync(file).size > 1024) {
      writeFileSync(`${file}.gz`, gzipSync(readFileSync(file), { level: 9 }));
    }
  }
  const files = listFiles(out);
  const size = (list) => list.reduce((sum, file) => sum + statSync(file).size, 0) / 1024 / 1024;
  const plain = files.filter((file) => !file.endsWith(".gz"));
  console.log(
    `GraphiQL bundled into ${path.relative(root, out)}/: ${plain.length} files, ` +
      `${size(plain).toFixed(1)} MiB (gzipped copies: ${size(files.filter((file) => file.endsWith(".gz"))).toFixed(1)} MiB), ` +
      `in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
