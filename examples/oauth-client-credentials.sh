#!/bin/sh
# OAuth 2.0 client credentials with curl: discover the endpoints, get an access token for an API
# key, call the API with it, revoke it. README.md ("Programmatic access with OAuth") shows the
# same commands; test/oauth-examples.test.ts runs this script against the service.
#
#   BASE=http://127.0.0.1:4000 PUBLIC_KEY=… PRIVATE_KEY=… sh examples/oauth-client-credentials.sh
set -eu
BASE=${BASE:-http://127.0.0.1:4000}

# Where the endpoints are (RFC 8414).
curl -sS "$BASE/.well-known/oauth-authorization-server"
echo

# 1. A token for the key, at most an hour: the key as HTTP Basic credentials (or send
#    client_id=$PUBLIC_KEY and client_secret=$PRIVATE_KEY in the form instead).
ACCESS_TOKEN=$(curl -sS "$BASE/oauth/token" -u "$PUBLIC_KEY:$PRIVATE_KEY" -d grant_type=client_credentials | jq -r .access_token)

# 2. Call the API with the token instead of the private key, until it expires.
curl -sS "$BASE/graphql" -H "Authorization: Bearer $ACCESS_TOKEN" -H 'Content-Type: application/json' -d '{"query":"{ viewer { ... on ApiKey { publicKey } } }"}'
echo

# 3. Revoke the token when done (it stops working on every instance within a second).
curl -sS "$BASE/oauth/revoke" -u "$PUBLIC_KEY:$PRIVATE_KEY" -d "token=$ACCESS_TOKEN"
echo
curl -sS -o /dev/null -w '%{http_code}\n' "$BASE/graphql" -H "Authorization: Bearer $ACCESS_TOKEN" -H 'Content-Type: application/json' -d '{"query":"{ viewer { __typename } }"}'
