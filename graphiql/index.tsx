// keyfob's GraphiQL, served at GET /graphql to browsers. Bundled by scripts/build-graphiql.js
// into dist/graphiql/ (no CDN: the page works on a machine with no internet).
import "./workers";
import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "graphiql/style.css";
import "./page.css";

const DEFAULT_QUERY = `# keyfob's GraphiQL
#
# Authenticate in the Headers tab below:
# uncomment one line there and fill it in.
#
# Bearer <token>: a user's session token
#   (kfs_...), from signUp or logIn.
# Basic <base64(publicKey:privateKey)>:
#   an API key; in this browser's console,
#   btoa("PUBLIC_KEY:PRIVATE_KEY")
#
# Run with Ctrl-Enter (Cmd-Enter on a Mac).
# No docs or completion? Once authenticated,
# re-fetch the schema (Shift-Ctrl-R).

{
  viewer {
    __typename
    ... on User {
      email
    }
    ... on ApiKey {
      publicKey
    }
  }
}
`;

/**
 * GraphiQL reads the headers editor as JSON with comments, so the examples stay commented out:
 * a placeholder sent as a real header would fail every request, signUp and logIn included.
 */
const DEFAULT_HEADERS = `{
  // "Authorization": "Bearer <token>"
  // "Authorization": "Basic <base64(publicKey:privateKey)>"
}
`;

// Same origin; POST with content-type: application/json, which Apollo's CSRF prevention accepts.
const fetcher = createGraphiQLFetcher({ url: new URL("/graphql", window.location.href).href });

const container = document.getElementById("graphiql");
if (!container) throw new Error("missing #graphiql element");

createRoot(container).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={DEFAULT_QUERY}
      defaultHeaders={DEFAULT_HEADERS}
      isHeadersEditorEnabled
      shouldPersistHeaders
      defaultEditorToolsVisibility="headers"
    />
  </StrictMode>,
);
