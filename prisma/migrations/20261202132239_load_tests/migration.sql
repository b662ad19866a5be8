-- CreateEnum
CREATE TYPE "LoadTestStatus" AS ENUM ('running', 'completed', 'stopped', 'failed');

-- CreateTable
CREATE TABLE "LoadTestRun" (
    "id" UUID NOT NULL,
    "scenario" TEXT NOT NULL,
    "status" "LoadTestStatus" NOT NULL DEFAULT 'running',
    "config" JSONB NOT NULL,
    "startedById" UUID,
    "instanceId" TEXT NOT NULL,
    "secretHash" TEXT,
    "message" TEXT,
    "result" JSONB,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "endedAt" TIMESTAMPTZ(3),

    CONSTRAINT "LoadTestRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoadTestEvent" (
    "id" BIGSERIAL NOT NULL,
    "runId" UUID NOT NULL,
    "data" JSONB NOT NULL,

    CONSTRAINT "LoadTestEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LoadTestRun_startedAt_idx" ON "LoadTestRun"("startedAt");

-- CreateIndex
CREATE INDEX "LoadTestRun_scenario_startedAt_idx" ON "LoadTestRun"("scenario", "startedAt");

-- CreateIndex
CREATE INDEX "LoadTestRun_status_idx" ON "LoadTestRun"("status");

-- CreateIndex
CREATE INDEX "LoadTestEvent_runId_id_idx" ON "LoadTestEvent"("runId", "id");

-- AddForeignKey
ALTER TABLE "LoadTestRun" ADD CONSTRAINT "LoadTestRun_startedById_fkey" FOREIGN KEY ("startedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LoadTestEvent" ADD CONSTRAINT "LoadTestEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "LoadTestRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;
