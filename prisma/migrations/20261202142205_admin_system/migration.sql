-- CreateEnum
CREATE TYPE "BroadcastKind" AS ENUM ('message', 'maintenance');

-- CreateEnum
CREATE TYPE "BroadcastLevel" AS ENUM ('info', 'warning', 'critical');

-- CreateTable
CREATE TABLE "Broadcast" (
    "id" BIGSERIAL NOT NULL,
    "kind" "BroadcastKind" NOT NULL,
    "text" TEXT NOT NULL,
    "level" "BroadcastLevel" NOT NULL DEFAULT 'info',
    "maintenanceOn" BOOLEAN,
    "authorId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Broadcast_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BroadcastRead" (
    "userId" UUID NOT NULL,
    "lastReadBroadcastId" BIGINT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BroadcastRead_pkey" PRIMARY KEY ("userId")
);

-- CreateTable
CREATE TABLE "Maintenance" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "on" BOOLEAN NOT NULL DEFAULT false,
    "message" TEXT NOT NULL DEFAULT '',
    "changedById" UUID,
    "changedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Maintenance_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Broadcast_kind_id_idx" ON "Broadcast"("kind", "id");

-- CreateIndex
CREATE INDEX "AuditLog_action_id_idx" ON "AuditLog"("action", "id");

-- AddForeignKey
ALTER TABLE "BroadcastRead" ADD CONSTRAINT "BroadcastRead_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Maintenance mode is one row, there from the start (off).
INSERT INTO "Maintenance" ("id") VALUES (1);
