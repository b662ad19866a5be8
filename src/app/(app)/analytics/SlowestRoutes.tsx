"use client";
import { useMemo, useState } from "react";
import { GaugeIcon } from "@/components/icons";
import { Button, Card, CardBody, CardFooter, CardHeader, EmptyState, Skeleton, Table, tableStyles } from "@/components/ui";
import type { RoutePerformance } from "@/shared/analytics";
import { formatCount, formatMs, formatPercent, formatRate } from "./format";
import styles from "./Analytics.module.css";

type SortKey = "route" | "count" | "ratePerS" | "p50" | "p95" | "p99" | "max" | "errorRate";

const COLUMNS: { key: SortKey; label: string; format: (r: RoutePerformance) => string; hideSm?: boolean }[] = [
  { key: "count", label: "Calls", format: (r) => formatCount(r.count) },
  { key: "ratePerS", label: "Rate", format: (r) => `${formatRate(r.ratePerS)}/s`, hideSm: true },
  { key: "p50", label: "p50", format: (r) => formatMs(r.p50), hideSm: true },
  { key: "p95", label: "p95", format: (r) => formatMs(r.p95) },
  { key: "p99", label: "p99", format: (r) => formatMs(r.p99), hideSm: true },
  { key: "max", label: "Max", format: (r) => formatMs(r.max), hideSm: true },
  { key: "errorRate", label: "Errors", format: (r) => formatPercent(r.errorRate) },
];

/** Rows shown before "Show all". */
const FIRST = 10;

/** A route as people read it: a procedure's path without the `trpc:` prefix, tagged. */
function RouteName({ route }: { route: string }) {
  if (route.startsWith("trpc:")) {
    return (
      <span className={styles.route}>
        <span className={styles.routeKind}>tRPC</span>
        <code>{route.slice(5)}</code>
      </span>
    );
  }
  const space = route.indexOf(" ");
  return (
    <span className={styles.route}>
      <span className={styles.routeKind}>{space > 0 ? route.slice(0, space) : "HTTP"}</span>
      <code>{space > 0 ? route.slice(space + 1) : route}</code>
    </span>
  );
}

export function SlowestRoutes({ routes, loading, span }: { routes: RoutePerformance[] | undefined; loading: boolean; span: string }) {
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: "p95", desc: true });
  const [all, setAll] = useState(false);
  const sorted = useMemo(() => {
    const rows = [...(routes ?? [])];
    rows.sort((a, b) => {
      const order = sort.key === "route" ? a.route.localeCompare(b.route) : a[sort.key] - b[sort.key];
      return sort.desc ? -order : order;
    });
    return rows;
  }, [routes, sort]);
  const shown = all ? sorted : sorted.slice(0, FIRST);

  function header(key: SortKey, label: string, className?: string) {
    const active = sort.key === key;
    return (
      <th key={key} className={className} aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined}>
        <button
          type="button"
          className={styles.sortButton}
          data-active={active || undefined}
          onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key !== "route" }))}
        >
          {label}
          <span aria-hidden="true" className={styles.sortArrow}>
            {active ? (sort.desc ? "↓" : "↑") : "↕"}
          </span>
        </button>
      </th>
    );
  }

  return (
    <Card aria-labelledby="routes-title" data-testid="slowest-routes">
      <CardHeader titleId="routes-title" title="Slowest procedures" description={`Per route ${span}, slowest p95 first. Select a column to sort.`} />
      {loading ? (
        <CardBody>
          <div className={styles.skeletonRows} aria-busy="true">
            {[0, 1, 2, 3].map((i) => (
              <Skeleton key={i} height={18} />
            ))}
          </div>
        </CardBody>
      ) : sorted.length === 0 ? (
        <EmptyState icon={<GaugeIcon size={20} />} title="No requests in this window yet">
          Routes show up here with their percentiles once they are called.
        </EmptyState>
      ) : (
        <CardBody flush>
          <Table aria-label="Slowest procedures" className={styles.routesTable}>
            <thead>
              <tr>
                {header("route", "Route")}
                {COLUMNS.map((c) => header(c.key, c.label, [styles.num, c.hideSm ? tableStyles.hideSm : ""].join(" ")))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.route} data-route={r.route}>
                  <td className={tableStyles.primary}>
                    <RouteName route={r.route} />
                  </td>
                  {COLUMNS.map((c) => (
                    <td
                      key={c.key}
                      className={[styles.num, c.hideSm ? tableStyles.hideSm : "", c.key === "errorRate" && r.errors > 0 ? styles.bad : ""].join(" ")}
                    >
                      {c.format(r)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      )}
      {sorted.length > FIRST ? (
        <CardFooter>
          <span>
            {shown.length} of {sorted.length} routes
          </span>
          <Button size="sm" variant="ghost" onClick={() => setAll((v) => !v)}>
            {all ? "Show fewer" : `Show all ${sorted.length}`}
          </Button>
        </CardFooter>
      ) : null}
    </Card>
  );
}
