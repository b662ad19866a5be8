"use client";
import { ServerIcon } from "@/components/icons";
import { formatDuration, formatRelative, useNow } from "@/components/time";
import { Card, CardBody, CardFooter, CardHeader, EmptyState, Skeleton, Table, tableStyles } from "@/components/ui";
import type { SystemResult } from "@/shared/analytics";
import { formatBytes, formatCount, formatMs } from "./format";
import styles from "./Analytics.module.css";

/** Every instance that reported in the last 15 s, with the queue and disk they share. */
export function Instances({ system, loading }: { system: SystemResult | undefined; loading: boolean }) {
  const now = useNow(5_000);
  const instances = system?.instances ?? [];
  return (
    <Card aria-labelledby="instances-title" data-testid="instances">
      <CardHeader titleId="instances-title" title="Instances" description="Each server process, as it reported in the last few seconds." />
      {loading ? (
        <CardBody>
          <div className={styles.skeletonRows} aria-busy="true">
            <Skeleton height={18} />
            <Skeleton height={18} />
          </div>
        </CardBody>
      ) : instances.length === 0 ? (
        <EmptyState icon={<ServerIcon size={20} />} title="No instance has reported yet">
          Instances appear here within a few seconds of starting.
        </EmptyState>
      ) : (
        <CardBody flush>
          <Table aria-label="Instances">
            <thead>
              <tr>
                <th>Instance</th>
                <th className={tableStyles.hideSm}>Up</th>
                <th className={styles.num}>CPU</th>
                <th className={styles.num}>Memory</th>
                <th className={`${styles.num} ${tableStyles.hideSm}`}>Event loop p99</th>
                <th className={`${styles.num} ${tableStyles.hideSm}`}>Handles</th>
                <th className={`${styles.num} ${tableStyles.hideSm}`}>DB pool</th>
                <th className={styles.num}>WS</th>
              </tr>
            </thead>
            <tbody>
              {instances.map((i) => (
                <tr key={i.instance} data-testid="instance-row">
                  <td className={tableStyles.primary}>
                    <span className={tableStyles.lines}>
                      <code>{i.instance}</code>
                      <span className={tableStyles.sub}>seen {formatRelative(i.at, now)}</span>
                    </span>
                  </td>
                  <td className={tableStyles.hideSm}>{formatDuration(i.uptimeS)}</td>
                  <td className={styles.num}>{Math.round(i.cpuPercent)} %</td>
                  <td className={styles.num}>
                    <span className={tableStyles.lines}>
                      <span>{formatBytes(i.rssBytes)}</span>
                      <span className={tableStyles.sub}>
                        heap {formatBytes(i.heapUsedBytes)} / {formatBytes(i.heapTotalBytes)}
                      </span>
                    </span>
                  </td>
                  <td className={`${styles.num} ${tableStyles.hideSm}`}>
                    <span className={tableStyles.lines}>
                      <span>{formatMs(i.eventLoopP99Ms)}</span>
                      <span className={tableStyles.sub}>p50 {formatMs(i.eventLoopP50Ms)}</span>
                    </span>
                  </td>
                  <td className={`${styles.num} ${tableStyles.hideSm}`}>{formatCount(i.handles)}</td>
                  <td className={`${styles.num} ${tableStyles.hideSm}`}>
                    {i.databasePool.total - i.databasePool.idle} busy / {i.databasePool.total}
                    {i.databasePool.waiting ? <span className={styles.bad}> · {i.databasePool.waiting} waiting</span> : null}
                  </td>
                  <td className={styles.num}>{formatCount(i.wsConnections)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        </CardBody>
      )}
      {system ? (
        <CardFooter className={styles.instanceFooter}>
          <span>
            Queue: {formatCount(system.queue.queued)} queued, {formatCount(system.queue.running)} running
            {system.queue.oldestQueuedS !== null ? `, oldest waiting ${formatDuration(system.queue.oldestQueuedS)}` : ""}
          </span>
          <span>
            {system.disk
              ? `Files on disk: ${formatBytes(system.disk.usedBytes)} in ${formatCount(system.disk.files)} files`
              : "Files are kept in PostgreSQL"}
          </span>
        </CardFooter>
      ) : null}
    </Card>
  );
}
