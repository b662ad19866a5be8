/**
 * HTTP routes a feature serves outside tRPC (a file download streams bytes with Range and ETag,
 * which a procedure cannot). The transport matches them and says who is asking; the feature's
 * handler writes the response with Node's own request and response objects.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

/** Who is asking, as far as a route needs to know: the signed-in user, from the cookie or a bearer token. */
export interface RouteCaller {
  user: { id: string; role: "USER" | "ADMIN" };
}

export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path's `:name` segments, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller, or null when signed out (or the credential has ended). Looked up on first call. */
  caller(): Promise<RouteCaller | null>;
}

export interface HttpRoute {
  /** Literal segments and `:name` parameters, e.g. `/api/files/:id/download`. */
  path: string;
  methods: readonly string[];
  handle(request: RouteRequest): Promise<void>;
}

/** A route matcher: the route and its parameters for a path, or undefined. */
export function routeMatcher(routes: readonly HttpRoute[]) {
  const compiled = routes.map((route) => ({ route, segments: route.path.split("/") }));
  return (method: string, pathname: string): { route: HttpRoute; params: Record<string, string> } | undefined => {
    const parts = pathname.split("/");
    for (const { route, segments } of compiled) {
      if (segments.length !== parts.length || !route.methods.includes(method)) continue;
      const params: Record<string, string> = {};
      let matches = true;
      for (let i = 0; i < segments.length && matches; i++) {
        const segment = segments[i]!;
        if (!segment.startsWith(":")) matches = segment === parts[i];
        else {
          try {
            params[segment.slice(1)] = decodeURIComponent(parts[i]!);
          } catch {
            matches = false; // a broken %-escape names nothing here
          }
        }
      }
      if (matches) return { route, params };
    }
    return undefined;
  };
}
