import { Field, ID, InterfaceType } from "type-graphql";

@InterfaceType()
export abstract class Node {
  @Field(() => ID, { description: "Globally unique, opaque identifier; `node(id:)` resolves it." })
  id!: string;
}
