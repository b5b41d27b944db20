import { defineConfig } from "prisma/config";

// Prisma 7: the datasource URL lives here, not in schema.prisma. Only the CLI reads it;
// the runtime client gets its connection through @prisma/adapter-pg.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" },
});
