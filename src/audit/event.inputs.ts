import { ArrayMaxSize, IsOptional } from "class-validator";
import { Field, ID, InputType } from "type-graphql";
import { EVENT_TYPES, EventType } from "./event-kinds";

@InputType({ description: "Narrows an events list; every field set must hold." })
export class EventFilter {
  @Field(() => [EventType], { nullable: true })
  @IsOptional()
  @ArrayMaxSize(EVENT_TYPES.length, { message: "lists more types than there are" })
  types?: EventType[] | null;

  @Field(() => ID, { nullable: true, description: "Only events about this API key." })
  apiKeyId?: string | null;

  @Field(() => Date, { nullable: true, description: "Events at or after this instant." })
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: "Events before this instant." })
  until?: Date | null;
}
