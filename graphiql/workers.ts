// Monaco (GraphiQL's editor) runs its language services in web workers. They are bundled by
// scripts/build-graphiql.js as separate files next to this bundle, so the page loads nothing
// from any other origin. This module must be imported before GraphiQL so the environment is
// in place when Monaco starts.

/** Worker file names (relative to this bundle), filled in by scripts/build-graphiql.js. */
declare const GRAPHIQL_WORKERS: { editor: string; json: string; graphql: string };

interface MonacoEnvironment {
  getWorker(workerId: string, label: string): Worker;
}

function worker(file: string, label: string): Worker {
  return new Worker(new URL(file, import.meta.url), { name: label });
}

(globalThis as unknown as { MonacoEnvironment: MonacoEnvironment }).MonacoEnvironment = {
  getWorker(_workerId, label) {
    switch (label) {
      case "json":
        return worker(GRAPHIQL_WORKERS.json, label);
      case "graphql":
        return worker(GRAPHIQL_WORKERS.graphql, label);
      default:
        return worker(GRAPHIQL_WORKERS.editor, label);
    }
  },
};
