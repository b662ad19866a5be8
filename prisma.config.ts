import { defineConfig } from "prisma/config";

// The CLI only generates the client here; migrations are our own SQL files (see scripts/).
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/pulse" },
});
