import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { GraphQLError } from "graphql";
import { DatabaseError } from "pg";
import { QueryFailedError } from "typeorm";
import { ConnectionLostError, isConnectionFailure } from "./connection-failure";

function databaseError(code: string, message = "server says no"): DatabaseError {
  const error = new DatabaseError(message, message.length, "error");
  error.code = code;
  return error;
}

function socketError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code, syscall: "connect" });
}

describe("isConnectionFailure", () => {
  it("recognises the SQLSTATEs of a terminated, crashed or starting server", () => {
    for (const code of ["57P01", "57P02", "57P03", "53300", "3D000"]) {
      assert.equal(isConnectionFailure(databaseError(code)), true, code);
    }
  });

  it("recognises the SQLSTATEs of class 08 (connection exception) and class 28 (credentials refused)", () => {
    for (const code of ["08000", "08003", "08006", "08001", "08004", "08007", "28000", "28P01"]) {
      assert.equal(isConnectionFailure(databaseError(code)), true, code);
    }
  });

  it("recognises a database that refuses connections (55000 with that message), not other 55000s", () => {
    assert.equal(
      isConnectionFailure(
        databaseError("55000", 'database "keyfob" is not currently accepting connections'),
      ),
      true,
    );
    assert.equal(
      isConnectionFailure(databaseError("55000", "currval of sequence is not yet defined")),
      false,
    );
  });

  it("recognises socket and name-resolution failures", () => {
    for (const code of ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "ENOTFOUND"]) {
      assert.equal(isConnectionFailure(socketError(code)), true, code);
    }
  });

  it("recognises node-postgres and pg-pool messages that carry no code", () => {
    for (const message of [
      "Connection terminated unexpectedly",
      "Connection terminated due to connection timeout",
      "Connection terminated",
      "timeout exceeded when trying to connect",
      "Client has encountered a connection error and is not queryable",
    ]) {
      assert.equal(isConnectionFailure(new Error(message)), true, message);
    }
  });

  it("looks through typeorm's QueryFailedError, GraphQL's originalError, `cause` and AggregateError", () => {
    const terminated = databaseError(
      "57P01",
      "terminating connection due to administrator command",
    );
    const queryFailed = new QueryFailedError("COMMIT", [], terminated);
    assert.equal(isConnectionFailure(queryFailed), true);
    assert.equal(
      isConnectionFailure(new QueryFailedError("SELECT 1", [], new Error("Connection terminated"))),
      true,
    );
    const located = new GraphQLError("Connection terminated unexpectedly", {
      originalError: new QueryFailedError(
        "INSERT",
        [],
        new Error("Connection terminated unexpectedly"),
      ),
    });
    assert.equal(isConnectionFailure(located), true);
    assert.equal(isConnectionFailure(new Error("wrapped", { cause: socketError("EPIPE") })), true);
    assert.equal(
      isConnectionFailure(
        new AggregateError([socketError("ECONNREFUSED"), socketError("ECONNREFUSED")], "connect"),
      ),
      true,
    );
  });

  it("recognises a ConnectionLostError by the driver error it carries", () => {
    const terminated = databaseError("57P01", "terminating connection due to immediate shutdown");
    assert.equal(isConnectionFailure(new ConnectionLostError(terminated)), true);
    assert.equal(isConnectionFailure(new ConnectionLostError(new Error("odd"))), false);
  });

  it("does not take an answer from the database for a lost connection", () => {
    // 08P01 (protocol violation) is a bug on the wire, not a lost connection.
    for (const code of ["23505", "22P02", "57014", "40001", "42P01", "25P02", "08P01"]) {
      assert.equal(isConnectionFailure(databaseError(code)), false, code);
      assert.equal(isConnectionFailure(new QueryFailedError("Q", [], databaseError(code))), false);
    }
    assert.equal(isConnectionFailure(new Error("Cannot read properties of undefined")), false);
    assert.equal(isConnectionFailure(new GraphQLError("Internal failure")), false);
    assert.equal(isConnectionFailure(Object.assign(new Error("x"), { code: "ENOENT" })), false);
  });

  it("answers false for values that are not errors, and survives a cycle of causes", () => {
    for (const value of [undefined, null, "Connection terminated", 42, {}]) {
      assert.equal(isConnectionFailure(value), false);
    }
    const first = new Error("first") as Error & { cause?: unknown };
    const second = new Error("second", { cause: first });
    first.cause = second;
    assert.equal(isConnectionFailure(first), false);
  });
});
