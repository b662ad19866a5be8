/** Requests and server errors in the last five minutes, in ten-second buckets, for the health score. */
export class RecentRequests {
  private static readonly BUCKET_MS = 10_000;
  private static readonly BUCKETS = 30;
  private readonly totals = new Array<number>(RecentRequests.BUCKETS).fill(0);
  private readonly errors = new Array<number>(RecentRequests.BUCKETS).fill(0);
  private readonly stamps = new Array<number>(RecentRequests.BUCKETS).fill(-1);

  record(isError: boolean, now = Date.now()): void {
    const tick = Math.floor(now / RecentRequests.BUCKET_MS);
    const i = tick % RecentRequests.BUCKETS;
    if (this.stamps[i] !== tick) {
      this.stamps[i] = tick;
      this.totals[i] = 0;
      this.errors[i] = 0;
    }
    this.totals[i]! += 1;
    if (isError) this.errors[i]! += 1;
  }

  /** Fraction of requests that failed with a server error, 0 when there were none. */
  errorRate(now = Date.now()): { rate: number; total: number; errors: number } {
    const oldest = Math.floor(now / RecentRequests.BUCKET_MS) - RecentRequests.BUCKETS + 1;
    let total = 0;
    let errors = 0;
    for (let i = 0; i < RecentRequests.BUCKETS; i++) {
      if (this.stamps[i]! < oldest) continue;
      total += this.totals[i]!;
      errors += this.errors[i]!;
    }
    return { rate: total ? errors / total : 0, total, errors };
  }
}
