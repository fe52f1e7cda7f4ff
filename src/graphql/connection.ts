import { ArgsType, Field, Int, ObjectType, type ClassType } from "type-graphql";
import type { ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { decodeCursor, encodeCursor, type KeysetPosition } from "./cursor";
import { badUserInputError } from "./errors";

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field()
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { nullable: true, defaultValue: DEFAULT_PAGE_SIZE })
  first!: number;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

/** A checked page request: `first` in range and `after` decoded. */
export interface PageRequest {
  first: number;
  after: KeysetPosition | null;
}

/** Checks connection arguments; out-of-range sizes and foreign cursors are clear BAD_USER_INPUT errors. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badUserInputError(`"first" must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  if (args.after === undefined || args.after === null) return { first, after: null };
  const after = decodeCursor(args.after);
  if (!after) throw badUserInputError(`"after" is not a cursor returned by this connection.`);
  return { first, after };
}

export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
  /** Runs a COUNT only when the client asks for `totalCount`. */
  countTotal: () => Promise<number>;
}

/**
 * Keyset pagination in `(createdAt, id)` order (oldest first, or newest first with
 * `descending`) over a query builder that already holds its filters. `createdAt` and `id` are
 * the SQL expressions of the two key columns; an index on the filter columns followed by these
 * two makes each page an index range scan (read backwards when descending).
 */
export async function paginate<Row extends ObjectLiteral>(
  query: SelectQueryBuilder<Row>,
  keys: { createdAt: string; id: string; descending?: boolean },
  request: PageRequest,
): Promise<Page<Row>> {
  const countQuery = query.clone();
  const direction = keys.descending ? "DESC" : "ASC";
  const pageQuery = query
    .clone()
    .orderBy(keys.createdAt, direction)
    .addOrderBy(keys.id, direction)
    .take(request.first + 1);
  if (request.after) {
    const comparison = keys.descending ? "<" : ">";
    pageQuery.andWhere(
      `(${keys.createdAt}, ${keys.id}) ${comparison} (:afterCreatedAt, :afterId)`,
      {
        afterCreatedAt: request.after.createdAt,
        afterId: request.after.id,
      },
    );
  }
  const rows = await pageQuery.getMany();
  const hasNextPage = rows.length > request.first;
  if (hasNextPage) rows.pop();
  return { rows, hasNextPage, countTotal: () => countQuery.getCount() };
}

/** How a connection is ordered: the SQL expressions of the two key columns and a row's position. */
export interface KeysetOrder<Row> {
  createdAt: string;
  id: string;
  /** Newest first; the default is oldest first. */
  descending?: boolean;
  position: (row: Row) => KeysetPosition;
}

/**
 * One page of a connection, the whole way: checks `first` and `after`, pages `query` (which holds
 * the filters) in keyset order, and builds the connection of `toNode(row)`.
 */
export async function connectionFor<Row extends ObjectLiteral, Node extends object>(
  connectionClass: ClassType<ConnectionShape<Node>>,
  query: SelectQueryBuilder<Row>,
  order: KeysetOrder<Row>,
  args: ConnectionArgs,
  toNode: (row: Row) => Node,
): Promise<ConnectionShape<Node>> {
  const page = await paginate(query, order, pageRequest(args));
  return toConnection(connectionClass, page, order.position, toNode);
}

export interface ConnectionShape<Node> {
  edges: { cursor: string; node: Node }[];
  pageInfo: PageInfo;
  totalCount(): Promise<number>;
}

/**
 * Declares a Relay connection type and its edge type for one node type, with contract names.
 * Instances are built with `toConnection`.
 */
export function ConnectionType<Node extends object>(
  connectionName: string,
  edgeName: string,
  nodeType: () => ClassType<Node>,
): ClassType<ConnectionShape<Node>> {
  @ObjectType(edgeName)
  class Edge {
    @Field()
    cursor!: string;

    @Field(nodeType)
    node!: Node;
  }

  @ObjectType(connectionName)
  class Connection implements ConnectionShape<Node> {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    countTotal!: () => Promise<number>;

    @Field(() => Int)
    totalCount(): Promise<number> {
      return this.countTotal();
    }
  }
  return Connection;
}

export function toConnection<Row, Node extends object>(
  connectionClass: ClassType<ConnectionShape<Node>>,
  page: Page<Row>,
  positionOf: (row: Row) => KeysetPosition,
  toNode: (row: Row) => Node,
): ConnectionShape<Node> {
  const edges = page.rows.map((row) => ({
    cursor: encodeCursor(positionOf(row)),
    node: toNode(row),
  }));
  const pageInfo = Object.assign(new PageInfo(), {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: false,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
  });
  return Object.assign(new connectionClass(), {
    edges,
    pageInfo,
    countTotal: page.countTotal,
  });
}
