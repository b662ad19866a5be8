import { metrics } from "./index.js";

/**
 * Open WebSocket connections on this instance. The transport counts them; features read the
 * count (health's websockets check) without knowing what a socket is. Per instance, unlike the
 * process-wide Prometheus gauge it also moves: tests run several instances in one process.
 */
export class ConnectionCount {
  private count = 0;

  get open(): number {
    return this.count;
  }

  /** A connection opened; call the returned function (once) when it closes. */
  opened(): () => void {
    this.count++;
    metrics.wsConnections.inc();
    metrics.wsConnectionsOpened.inc();
    let closed = false;
    return () => {
      if (closed) return;
      closed = true;
      this.count--;
      metrics.wsConnections.dec();
    };
  }
}
