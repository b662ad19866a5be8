import type { Metadata } from "next";
import { ComingSoon } from "@/components/ComingSoon";
import { ChartIcon } from "@/components/icons";

export const metadata: Metadata = { title: "Analytics" };

export default function AnalyticsPage() {
  return (
    <ComingSoon
      eyebrow="Insights"
      title="Analytics"
      description="Traffic, latency and errors across the platform, live."
      icon={<ChartIcon size={34} />}
      headline="See how Pulse is used and how fast it answers"
      summary="Charts of requests, response-time percentiles and errors, updated live, with the system's own resource use alongside."
      features={[
        "Requests per second and p50 / p95 / p99 latency, per route.",
        "The most frequent errors, with when they started.",
        "Memory, CPU, event-loop delay and open connections of every instance.",
        "A live view that updates every few seconds.",
      ]}
    />
  );
}
