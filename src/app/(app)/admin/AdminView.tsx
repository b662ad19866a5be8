"use client";
import { PageHeader, layout } from "@/components/ui";
import { AuditLog } from "./AuditLog";
import { BroadcastCard } from "./BroadcastCard";
import { MaintenanceCard } from "./MaintenanceCard";
import styles from "./Admin.module.css";

/** The admin's console for the platform as a whole: maintenance mode, messages to everyone, and the record of who did what. */
export function AdminView() {
  return (
    <>
      <PageHeader
        eyebrow="Administration"
        title="Admin"
        description="Pause changes for maintenance, tell everyone signed in something, and read the record of who did what."
      />
      <div className={layout.stack}>
        <div className={styles.top}>
          <MaintenanceCard />
          <BroadcastCard />
        </div>
        <AuditLog />
      </div>
    </>
  );
}
