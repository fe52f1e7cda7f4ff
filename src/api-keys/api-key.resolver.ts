import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { apiKeyOrganization, HasOrgRole, inputId } from "../auth/directives";
import { OrganizationRole } from "../auth/roles.graphql";
import type { RequestContext } from "../graphql/context";
import { uuidOf } from "../graphql/global-id";
import { Organization } from "../organizations/organization.type";
import {
  AddApiKeyAccessListEntriesInput,
  CreateOrganizationApiKeyInput,
  DeleteOrganizationApiKeyInput,
  RemoveApiKeyAccessListEntryInput,
  UpdateOrganizationApiKeyInput,
} from "./api-key.inputs";
import {
  ApiKeyPayload,
  CreateApiKeyPayload,
  DeleteOrganizationApiKeyPayload,
} from "./api-key.payloads";
import { AccessListEntry, ApiKey, ProjectApiKeyAssignment } from "./api-key.type";

const OWNER = [OrganizationRole.ORG_OWNER];

@Resolver(() => ApiKey)
export class ApiKeyResolver {
  @Query(() => ApiKey, { nullable: true })
  apiKey(@Ctx() ctx: RequestContext, @Arg("id", () => ID) id: string): Promise<ApiKey | null> {
    const uuid = uuidOf(id, "ApiKey");
    return uuid ? ctx.services.apiKeys.findVisible(ctx, uuid) : Promise.resolve(null);
  }

  @Mutation(() => CreateApiKeyPayload, {
    description: "Organization Owner: create a key in the organization.",
  })
  @HasOrgRole(OWNER, inputId("organizationId", "Organization"))
  createOrganizationApiKey(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: CreateOrganizationApiKeyInput,
  ): Promise<CreateApiKeyPayload> {
    return ctx.services.apiKeys.createOrganizationKey(ctx, input);
  }

  @Mutation(() => ApiKeyPayload, {
    description: "Organization Owner: change a key's description or organization roles.",
  })
  @HasOrgRole(OWNER, apiKeyOrganization("apiKeyId"))
  updateOrganizationApiKey(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: UpdateOrganizationApiKeyInput,
  ): Promise<ApiKeyPayload> {
    return ctx.services.apiKeys.updateOrganizationKey(ctx, input);
  }

  @Mutation(() => DeleteOrganizationApiKeyPayload, {
    description:
      "Organization Owner: delete a key; it is removed from every project and stops working at once.",
  })
  @HasOrgRole(OWNER, apiKeyOrganization("apiKeyId"))
  deleteOrganizationApiKey(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: DeleteOrganizationApiKeyInput,
  ): Promise<DeleteOrganizationApiKeyPayload> {
    return ctx.services.apiKeys.deleteOrganizationKey(ctx, input);
  }

  @Mutation(() => ApiKeyPayload, {
    description:
      "Organization Owner; or Project Owner / Project User Admin of every project the key is assigned to\n(at least one), when the key holds no organization role beyond ORG_MEMBER (the change then reaches\nnothing the caller does not administer). A key assigned to no project needs an Organization Owner.",
  })
  addApiKeyAccessListEntries(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: AddApiKeyAccessListEntriesInput,
  ): Promise<ApiKeyPayload> {
    return ctx.services.accessLists.add(ctx, input);
  }

  @Mutation(() => ApiKeyPayload, {
    description:
      "Same rule as addApiKeyAccessListEntries. A key may not remove the entry that admits its own current request.",
  })
  removeApiKeyAccessListEntry(
    @Ctx() ctx: RequestContext,
    @Arg("input") input: RemoveApiKeyAccessListEntryInput,
  ): Promise<ApiKeyPayload> {
    return ctx.services.accessLists.remove(ctx, input);
  }

  @FieldResolver(() => Organization)
  organization(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<Organization> {
    return ctx.services.organizations.load(ctx, key.organizationId);
  }

  @FieldResolver(() => [ProjectApiKeyAssignment], {
    description: "Projects this key is assigned to, with its roles in each.",
  })
  projectAssignments(
    @Ctx() ctx: RequestContext,
    @Root() key: ApiKey,
  ): Promise<ProjectApiKeyAssignment[]> {
    return ctx.services.apiKeys.projectAssignments(ctx, key);
  }

  @FieldResolver(() => [AccessListEntry])
  accessList(@Ctx() ctx: RequestContext, @Root() key: ApiKey): Promise<AccessListEntry[]> {
    return ctx.services.apiKeys.accessList(ctx, key);
  }
}
