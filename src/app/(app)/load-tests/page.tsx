import type { Metadata } from "next";
import { AdminOnly } from "@/components/AdminOnly";
import { ComingSoon } from "@/components/ComingSoon";
import { GaugeIcon } from "@/components/icons";

export const metadata: Metadata = { title: "Load tests" };

export default function LoadTestsPage() {
  return (
    <AdminOnly section="Load tests">
      <ComingSoon
        eyebrow="Administration"
        title="Load tests"
        description="Put Pulse under controlled load from the browser and watch it respond."
        icon={<GaugeIcon size={34} />}
        headline="Find the limits before your users do"
        summary="Admins start bounded load tests against Pulse itself and watch throughput and latency percentiles as they happen."
        features={[
          "Choose the target, the number of connections and the duration, within safe bounds.",
          "Watch requests per second and p50 / p95 / p99 latency live while the test runs.",
          "Stop a test at any time; past runs and their results are kept.",
        ]}
      />
    </AdminOnly>
  );
}
