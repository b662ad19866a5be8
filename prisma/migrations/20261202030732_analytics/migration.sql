-- CreateTable
CREATE TABLE "MetricMinute" (
    "instance" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "route" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "clientErrors" INTEGER NOT NULL,
    "sumMs" DOUBLE PRECISION NOT NULL,
    "maxMs" DOUBLE PRECISION NOT NULL,
    "histogram" BYTEA NOT NULL,

    CONSTRAINT "MetricMinute_pkey" PRIMARY KEY ("instance","minute","route")
);

-- CreateTable
CREATE TABLE "MetricHour" (
    "hour" TIMESTAMPTZ(3) NOT NULL,
    "route" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "errors" INTEGER NOT NULL,
    "clientErrors" INTEGER NOT NULL,
    "sumMs" DOUBLE PRECISION NOT NULL,
    "maxMs" DOUBLE PRECISION NOT NULL,
    "histogram" BYTEA NOT NULL,

    CONSTRAINT "MetricHour_pkey" PRIMARY KEY ("hour","route")
);

-- CreateTable
CREATE TABLE "SystemMinute" (
    "instance" TEXT NOT NULL,
    "minute" TIMESTAMPTZ(3) NOT NULL,
    "rssBytes" BIGINT NOT NULL,
    "heapUsedBytes" BIGINT NOT NULL,
    "cpuPercent" DOUBLE PRECISION NOT NULL,
    "eventLoopP99Ms" DOUBLE PRECISION NOT NULL,
    "wsConnections" INTEGER NOT NULL,
    "queueDepth" INTEGER NOT NULL,

    CONSTRAINT "SystemMinute_pkey" PRIMARY KEY ("instance","minute")
);

-- CreateTable
CREATE TABLE "RequestLog" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "requestId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "transport" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "status" INTEGER NOT NULL,
    "code" TEXT,
    "durationMs" DOUBLE PRECISION NOT NULL,
    "userId" UUID,

    CONSTRAINT "RequestLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ErrorGroup" (
    "fingerprint" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "route" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "count" INTEGER NOT NULL,
    "firstSeen" TIMESTAMPTZ(3) NOT NULL,
    "lastSeen" TIMESTAMPTZ(3) NOT NULL,
    "sampleStack" TEXT,
    "lastRequestId" TEXT,

    CONSTRAINT "ErrorGroup_pkey" PRIMARY KEY ("fingerprint")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" BIGSERIAL NOT NULL,
    "instance" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "threshold" DOUBLE PRECISION NOT NULL,
    "message" TEXT NOT NULL,
    "raisedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "clearedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MetricMinute_minute_route_idx" ON "MetricMinute"("minute", "route");

-- CreateIndex
CREATE INDEX "SystemMinute_minute_idx" ON "SystemMinute"("minute");

-- CreateIndex
CREATE INDEX "RequestLog_at_idx" ON "RequestLog"("at");

-- CreateIndex
CREATE INDEX "RequestLog_userId_at_idx" ON "RequestLog"("userId", "at");

-- CreateIndex
CREATE INDEX "ErrorGroup_lastSeen_idx" ON "ErrorGroup"("lastSeen");

-- CreateIndex
CREATE INDEX "Alert_raisedAt_idx" ON "Alert"("raisedAt");

-- CreateIndex
CREATE INDEX "Alert_clearedAt_idx" ON "Alert"("clearedAt");
