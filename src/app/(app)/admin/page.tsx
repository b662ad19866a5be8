import type { Metadata } from "next";
import { AdminOnly } from "@/components/AdminOnly";
import { AdminView } from "./AdminView";

export const metadata: Metadata = { title: "Admin" };

export default function AdminPage() {
  return (
    <AdminOnly section="Admin">
      <AdminView />
    </AdminOnly>
  );
}
