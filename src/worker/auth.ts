/**
 * Bearer-token middleware for mutating routes.
 */
import type { MiddlewareHandler } from "hono";
import { constantTimeEqual } from "../core/hash";
import type { Env } from "./env";
import { AuthNotConfigured, Unauthorized } from "./http-errors";

/**
 * Requires `Authorization: Bearer <DATASPINE_API_TOKEN>`, compared in constant time.
 * Without the secret configured every request is refused (503), never let through.
 */
export const requireBearer = (): MiddlewareHandler<{ Bindings: Env }> => async (c, next) => {
  const expected = c.env.DATASPINE_API_TOKEN;
  if (!expected) throw new AuthNotConfigured({ message: "DATASPINE_API_TOKEN is not set" });
  const header = c.req.header("Authorization") ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match || !(await constantTimeEqual(match[1] ?? "", expected))) {
    throw new Unauthorized({ message: "a valid bearer token is required" });
  }
  await next();
};
