-- rate-limiter-flexible's counters (every API request writes one) need no durability: unlogged,
-- a write skips the WAL and its commit does not wait for a disk flush. After a crash or a failover
-- PostgreSQL empties the table, which only means the counts start again. (Not expressible in
-- schema.prisma; it does not change the columns, so it is no drift.)
ALTER TABLE "rate_limits" SET UNLOGGED;
