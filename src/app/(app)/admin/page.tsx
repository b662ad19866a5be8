import type { Metadata } from "next";
import { AdminOnly } from "@/components/AdminOnly";
import { ComingSoon } from "@/components/ComingSoon";
import { ShieldIcon } from "@/components/icons";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <AdminOnly section="Admin">
      <ComingSoon
        eyebrow="Administration"
        title="Admin"
        description="People, roles, the audit log and platform-wide messages."
        icon={<ShieldIcon size={34} />}
        headline="Run the platform with a clear record"
        summary="Everything an admin needs to look after Pulse and the people on it, with every action recorded."
        features={[
          "Find people and make them admins (or not).",
          "Read the audit log: sign-ins, revocations, role changes and more.",
          "Broadcast a system message to everyone who is online.",
          "Switch maintenance mode on and off.",
        ]}
      />
    </AdminOnly>
  );
}
