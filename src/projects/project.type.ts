import { Field, ObjectType } from "type-graphql";
import { ConnectionType } from "../graphql/connection";
import { toGlobalId } from "../graphql/global-id";
import { Node } from "../graphql/node.type";
import type { ProjectEntity } from "./project.entity";

@ObjectType({ implements: Node })
export class Project extends Node {
  @Field()
  name!: string;

  @Field()
  createdAt!: Date;

  uuid!: string;
  organizationId!: string;

  static from(entity: ProjectEntity): Project {
    return Object.assign(new Project(), {
      id: toGlobalId("Project", entity.id),
      uuid: entity.id,
      organizationId: entity.organizationId,
      name: entity.name,
      createdAt: entity.createdAt,
    });
  }
}

export const ProjectConnection = ConnectionType("ProjectConnection", "ProjectEdge", () => Project);
