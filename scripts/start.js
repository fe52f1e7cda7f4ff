// `npm start`: build if the sources are newer than the build, then run the service.
// In the container image there are no sources and the build is already there.
const { existsSync, readdirSync, statSync } = require("node:fs");
const { execFileSync } = require("node:child_process");
const path = require("node:path");

const root = path.join(__dirname, "..");
const entry = path.join(root, "dist", "src", "main.js");

function newestSource(directory) {
  let newest = 0;
  for (const item of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, item.name);
    const time = item.isDirectory() ? newestSource(full) : statSync(full).mtimeMs;
    newest = Math.max(newest, time);
  }
  return newest;
}

const sources = ["src", "migrations"].map((dir) => path.join(root, dir)).filter(existsSync);
const stale =
  !existsSync(entry) ||
  (sources.length > 0 && Math.max(...sources.map(newestSource)) > statSync(entry).mtimeMs);
if (stale) {
  if (sources.length === 0) throw new Error("No build and no sources to build from.");
  console.error("Building keyfob…");
  execFileSync(
    process.execPath,
    [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}
require(entry);
