// parse-prometheus-text-format ships no types: the shape its parser returns (prom2json's).
declare module "parse-prometheus-text-format" {
  type Labels = Record<string, string>;
  type Sample = { labels?: Labels; value: string } | { labels?: Labels; buckets: Record<string, string>; count: string; sum: string } | { labels?: Labels; quantiles: Record<string, string>; count: string; sum: string };
  export interface MetricFamily {
    name: string;
    help: string;
    type: "COUNTER" | "GAUGE" | "HISTOGRAM" | "SUMMARY" | "UNTYPED";
    metrics: Sample[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
