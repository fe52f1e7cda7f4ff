import { AccessListEntryEntity } from "../api-keys/access-list-entry.entity";
import { ApiKeySecretEntity } from "../api-keys/api-key-secret.entity";
import { ApiKeyProjectAssignmentEntity } from "../api-keys/api-key-project-assignment.entity";
import { ApiKeyEntity } from "../api-keys/api-key.entity";
import { EventEntity } from "../audit/event.entity";
import { SessionEntity } from "../auth/session.entity";
import { OAuthAccessTokenEntity } from "../oauth/oauth-token.entity";
import { OrganizationMembershipEntity } from "../organizations/organization-membership.entity";
import { OrganizationEntity } from "../organizations/organization.entity";
import { ProjectMembershipEntity } from "../projects/project-membership.entity";
import { ProjectEntity } from "../projects/project.entity";
import { UserEntity } from "../users/user.entity";

/** Every mapped table; the drift test checks that the migrations produce exactly these. */
export const ENTITIES = [
  UserEntity,
  SessionEntity,
  OrganizationEntity,
  OrganizationMembershipEntity,
  ProjectEntity,
  ProjectMembershipEntity,
  ApiKeyEntity,
  ApiKeySecretEntity,
  ApiKeyProjectAssignmentEntity,
  AccessListEntryEntity,
  EventEntity,
  OAuthAccessTokenEntity,
];
