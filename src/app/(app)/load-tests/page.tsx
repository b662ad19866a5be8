import type { Metadata } from "next";
import { AdminOnly } from "@/components/AdminOnly";
import { LoadTestsView } from "./LoadTestsView";

export const metadata: Metadata = { title: "Load tests" };

export default function LoadTestsPage() {
  return (
    <AdminOnly section="Load tests">
      <LoadTestsView />
    </AdminOnly>
  );
}
