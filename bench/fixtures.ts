/**
 * The benchmark's fixtures, made through the API as a client would: a user, an organization,
 * the measured key (a 3-entry access list), three projects and 99 more keys assigned to them.
 */
export async function createFixtures(port: number) {
  const { signUp } = await gql(
    port,
    `mutation { signUp(input: { email: "bench@example.test", password: "bench password", name: "Bench" }) { token } }`,
  );
  const token: string = signUp.token;
  const { createOrganization } = await gql(
    port,
    `mutation { createOrganization(input: { name: "bench" }) { organization { id } } }`,
    {},
    token,
  );
  const organizationId: string = createOrganization.organization.id;
  const createKey = `mutation ($input: CreateOrganizationApiKeyInput!) {
    createOrganizationApiKey(input: $input) { apiKey { id publicKey } privateKey userErrors { message } } }`;
  const { createOrganizationApiKey: benchKey } = await gql(
    port,
    createKey,
    {
      input: {
        organizationId,
        description: "bench",
        roles: ["ORG_MEMBER"],
        accessList: [
          { cidrBlock: "10.0.0.0/8" },
          { cidrBlock: "192.168.0.0/16" },
          { ipAddress: "127.0.0.1" },
        ],
      },
    },
    token,
  );
  const projectIds: string[] = [];
  for (const name of ["one", "two", "three"]) {
    const { createProject } = await gql(
      port,
      `mutation ($input: CreateProjectInput!) { createProject(input: $input) { project { id } } }`,
      { input: { organizationId, name } },
      token,
    );
    projectIds.push(createProject.project.id);
  }
  for (let i = 0; i < 99; i++) {
    const { createOrganizationApiKey } = await gql(
      port,
      createKey,
      {
        input: {
          organizationId,
          description: `listed ${i}`,
          roles: ["ORG_MEMBER"],
          accessList: [{ cidrBlock: "10.0.0.0/8" }, { ipAddress: `192.168.1.${i + 1}` }],
        },
      },
      token,
    );
    await gql(
      port,
      `mutation ($input: AssignApiKeyToProjectInput!) { assignApiKeyToProject(input: $input) { assignment { roles } } }`,
      {
        input: {
          projectId: projectIds[i % 3],
          apiKeyId: createOrganizationApiKey.apiKey.id,
          roles: ["GROUP_READ_ONLY"],
        },
      },
      token,
    );
  }
  return {
    token,
    organizationId,
    benchKey: benchKey as { apiKey: { publicKey: string }; privateKey: string },
  };
}

export async function gql(
  port: number,
  query: string,
  variables: object = {},
  token?: string,
): Promise<any> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}
