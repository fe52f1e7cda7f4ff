import type { DataSource } from "typeorm";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, hashPassword } from "../auth/password";
import { OrganizationRole } from "../auth/roles";
import { normalizeEmail } from "../auth/session.service";
import { toGlobalId } from "../graphql/global-id";
import { checkDisplayText, DISPLAY_TEXT_LIMITS, encodingProblem } from "../graphql/text";
import { emailProblem } from "../graphql/text-fields";
import { OrganizationMembershipEntity } from "../organizations/organization-membership.entity";
import { OrganizationEntity } from "../organizations/organization.entity";
import { UserEntity } from "./user.entity";

export interface BootstrapRequest {
  email: string;
  password: string;
  name: string;
  organization: string;
}

export class BootstrapError extends Error {}

/**
 * Creates the first owner of a locked-down deployment (ALLOW_SIGNUP=false): a user and an
 * organization they own, in one transaction. The same rules as signUp apply.
 */
export async function bootstrapOwner(
  db: DataSource,
  request: BootstrapRequest,
): Promise<{ userId: string; organizationId: string }> {
  const email = normalizeEmail(request.email);
  // The same display-text rules as signUp and createOrganization.
  const name = checkDisplayText(request.name, DISPLAY_TEXT_LIMITS.userName);
  const organizationName = checkDisplayText(
    request.organization,
    DISPLAY_TEXT_LIMITS.organizationName,
  );
  const problems = [
    encodingProblem(request.email) && `--email ${encodingProblem(request.email)}`,
    encodingProblem(request.password) && `the password ${encodingProblem(request.password)}`,
    emailProblem(email) && `--email ${emailProblem(email)}`,
    (request.password.length < MIN_PASSWORD_LENGTH ||
      request.password.length > MAX_PASSWORD_LENGTH) &&
      `the password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`,
    !organizationName.ok && `--organization ${organizationName.problem}`,
    !name.ok && `--name ${name.problem}`,
  ].filter((problem): problem is string => Boolean(problem));
  if (problems.length > 0 || !name.ok || !organizationName.ok) {
    throw new BootstrapError(problems.join("; "));
  }

  const passwordHash = await hashPassword(request.password);
  return db.transaction(async (manager) => {
    if (await manager.existsBy(UserEntity, { email })) {
      throw new BootstrapError(`A user with the email ${email} already exists.`);
    }
    const user = manager.create(UserEntity, { email, name: name.value, passwordHash });
    await manager.insert(UserEntity, user);
    const organization = manager.create(OrganizationEntity, { name: organizationName.value });
    await manager.insert(OrganizationEntity, organization);
    await manager.insert(OrganizationMembershipEntity, {
      organizationId: organization.id,
      userId: user.id,
      roles: [OrganizationRole.ORG_OWNER],
    });
    return {
      userId: toGlobalId("User", user.id),
      organizationId: toGlobalId("Organization", organization.id),
    };
  });
}
