import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a path answers: a status and body, a redirect to a Location (absolute or relative), or nothing ever. */
export type HttpRoute =
  | { status: number; body?: string }
  | { redirect: string; status?: number }
  | { hang: true };

/**
 * A local web server (127.0.0.1, a free port) standing in for a customer's site: a test sets
 * which paths answer what; any other path is a 404. It serves every Host name alike.
 */
export class TestHttpFileServer {
  private routes: Record<string, HttpRoute> = {};
  /** "host path" of every request, to see what the checker asked for and with which Host header. */
  readonly requests: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<TestHttpFileServer> {
    let instance: TestHttpFileServer | undefined;
    const server = createServer((request, response) =>
      instance?.handle(request.headers.host ?? "", request.url ?? "/", response),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    instance = new TestHttpFileServer(server, (server.address() as AddressInfo).port);
    return instance;
  }

  setRoutes(routes: Record<string, HttpRoute>): void {
    this.routes = routes;
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(host: string, path: string, response: ServerResponse): void {
    this.requests.push(`${host} ${path}`);
    const route = this.routes[path];
    if (!route) {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
    } else if ("hang" in route) {
      // Headers never come: the checker has to give up on its own timeout.
    } else if ("redirect" in route) {
      response.writeHead(route.status ?? 301, { Location: route.redirect }).end();
    } else {
      response.writeHead(route.status, { "Content-Type": "text/plain" }).end(route.body ?? "");
    }
  }
}
