"use client";
import type { ReactNode } from "react";
import { useShell } from "./AppShell";
import { LockIcon } from "./icons";
import { Card, EmptyState, PageHeader } from "./ui";

/** Shows its children to admins; others see a plain explanation instead. */
export function AdminOnly({ section, children }: { section: string; children: ReactNode }) {
  const { me } = useShell();
  if (me.role === "ADMIN") return <>{children}</>;
  return (
    <>
      <PageHeader eyebrow="Administration" title={section} />
      <Card>
        <EmptyState icon={<LockIcon size={20} />} title="Admins only">
          {section} is available to Pulse admins. Ask an admin if you need access.
        </EmptyState>
      </Card>
    </>
  );
}
