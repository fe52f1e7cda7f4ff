import { registerEnumType } from "type-graphql";
import { OrganizationRole, ProjectRole } from "./roles";

registerEnumType(OrganizationRole, { name: "OrganizationRole" });
registerEnumType(ProjectRole, { name: "ProjectRole" });

export { OrganizationRole, ProjectRole };
